package analytics

import (
	"cmp"
	"log/slog"
	"time"
)

// Config configures a Service. The zero value works; durations that default
// to something non-zero take a negative value to mean zero.
type Config struct {
	// Seed drives the generated presence history (the org's seed). Default 0.
	Seed int64
	// Now is the clock; tests inject one to jump time. Default time.Now.
	Now func() time.Time
	// JobDelay is the time from submission to FULFILLED (or FAILED): the
	// first third QUEUED, the rest PENDING. Default 300ms; negative means
	// jobs are FULFILLED as soon as they are submitted.
	JobDelay time.Duration
	// Expiry is how long after its completion a job's results stay
	// readable; then the job is EXPIRED. Default 2h.
	Expiry time.Duration
	// DataLag is how far the data availability date trails the clock.
	// Default 1h; negative means no lag.
	DataLag time.Duration
	// MaxInterval is the longest interval a job may ask for; longer answers
	// 400. Default 31 days.
	MaxInterval time.Duration
	// MaxConcurrentJobs caps the QUEUED and PENDING jobs of both kinds
	// together; a submission over it answers 429. Default 10; negative
	// means no cap.
	MaxConcurrentJobs int
	// DetailsPageSize is the page size of details results when the request
	// has none. Default 100.
	DetailsPageSize int
	// MaxDetailsPageSize is the largest accepted pageSize; larger answers
	// 400. Default 1000.
	MaxDetailsPageSize int
	// MaxPageSegments ends a details page early, before pageSize users,
	// once it holds this many segments (at least one user per page): Genesys
	// documents that pages may hold fewer users than asked for, and this
	// keeps a page of a long interval from growing to hundreds of MB.
	// Default 100,000; negative means no limit.
	MaxPageSegments int
	// AggregatesPageSize is the number of user groups per aggregates results
	// page when the query has no pageSize. Default 100.
	AggregatesPageSize int
	// MaxAggregatesPageSize is the largest accepted query pageSize. Default
	// 1000.
	MaxAggregatesPageSize int
	// Logger receives debug logs of job submissions. Default: discarded.
	Logger *slog.Logger
}

// Defaults of Config.
const (
	DefaultJobDelay          = 300 * time.Millisecond
	DefaultExpiry            = 2 * time.Hour
	DefaultDataLag           = time.Hour
	DefaultMaxInterval       = 31 * 24 * time.Hour
	DefaultMaxConcurrentJobs = 10
	DefaultDetailsPageSize   = 100
	DefaultMaxPageSize       = 1000
	DefaultMaxPageSegments   = 100_000
)

func (c Config) withDefaults() Config {
	if c.Now == nil {
		c.Now = time.Now
	}
	c.JobDelay = orZero(cmp.Or(c.JobDelay, DefaultJobDelay))
	c.Expiry = cmp.Or(c.Expiry, DefaultExpiry)
	c.DataLag = orZero(cmp.Or(c.DataLag, DefaultDataLag))
	c.MaxInterval = cmp.Or(c.MaxInterval, DefaultMaxInterval)
	c.MaxConcurrentJobs = cmp.Or(c.MaxConcurrentJobs, DefaultMaxConcurrentJobs)
	c.DetailsPageSize = cmp.Or(c.DetailsPageSize, DefaultDetailsPageSize)
	c.MaxDetailsPageSize = cmp.Or(c.MaxDetailsPageSize, DefaultMaxPageSize)
	c.MaxPageSegments = cmp.Or(c.MaxPageSegments, DefaultMaxPageSegments)
	c.AggregatesPageSize = cmp.Or(c.AggregatesPageSize, DefaultDetailsPageSize)
	c.MaxAggregatesPageSize = cmp.Or(c.MaxAggregatesPageSize, DefaultMaxPageSize)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c
}

func orZero(d time.Duration) time.Duration { return max(d, 0) }

// Faults are the failures injected into analytics jobs at run time.
type Faults struct {
	// JobFailureRate is the probability, 0 to 1, that a submitted job ends
	// FAILED instead of FULFILLED.
	JobFailureRate float64 `json:"jobFailureRate"`
	// FailNext makes the next N submitted jobs end FAILED, whatever the
	// rate; tests use it for deterministic failures.
	FailNext int `json:"failNext"`
	// ResultsExpiryRate is the probability, 0 to 1, that the results of a
	// job that does not fail expire as soon as their first page has been
	// served: later pages answer 404 and the job shows EXPIRED, as when a
	// client reads results more slowly than they live.
	ResultsExpiryRate float64 `json:"resultsExpiryRate"`
	// ExpireNext makes the results of the next N submitted jobs that do not
	// fail expire that way, whatever the rate.
	ExpireNext int `json:"expireNext"`
}
