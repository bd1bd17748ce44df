package config

import (
	"cmp"
	"strings"
	"time"
)

// Defaults used when a key is absent.
const (
	DefaultSchema = "genesys"
	// DefaultMinScheduleInterval is the shortest interval a schedule may
	// have unless serve.min_schedule_interval lowers it: every run reads
	// the org through a budget of a few hundred calls a minute, and records
	// a run, so a pipeline firing every few seconds only exhausts both.
	DefaultMinScheduleInterval = time.Minute
	// DefaultExternalIDAuthority is the authority a feed's employee ids
	// are registered under as users' external ids.
	DefaultExternalIDAuthority = "hr"
)

func (p *parser) applyDefaults(c *Config) {
	g := &c.Genesys
	g.ClientIDEnv = cmp.Or(g.ClientIDEnv, "GENESYS_CLIENT_ID")
	g.ClientSecretEnv = cmp.Or(g.ClientSecretEnv, "GENESYS_CLIENT_SECRET")
	g.Timeout = cmp.Or(g.Timeout, 60*time.Second)

	d := &c.Database
	d.URLEnv = cmp.Or(d.URLEnv, "DATABASE_URL")
	d.Schema = cmp.Or(d.Schema, DefaultSchema)
	d.MaxConns = cmp.Or(d.MaxConns, 8)

	r := &c.Rate
	r.RequestsPerMinute = cmp.Or(r.RequestsPerMinute, 300)
	r.Burst = cmp.Or(r.Burst, 5)
	r.MaxInFlight = cmp.Or(r.MaxInFlight, 8)
	r.MaxRetries = cmp.Or(r.MaxRetries, 6)
	r.MaxRetryAfter = cmp.Or(r.MaxRetryAfter, 180*time.Second)
	r.BackoffBase = cmp.Or(r.BackoffBase, 500*time.Millisecond)
	r.BackoffMax = cmp.Or(r.BackoffMax, 30*time.Second)

	c.Log.Level = cmp.Or(c.Log.Level, "info")
	c.Log.Format = cmp.Or(c.Log.Format, "auto")

	s := &c.Serve
	s.Addr = cmp.Or(s.Addr, "127.0.0.1:9090")
	s.TimeZone = cmp.Or(s.TimeZone, "UTC")
	s.ShutdownGrace = cmp.Or(s.ShutdownGrace, 30*time.Second)
	s.LeaseTTL = cmp.Or(s.LeaseTTL, 30*time.Second)
	s.MinScheduleInterval = cmp.Or(s.MinScheduleInterval, DefaultMinScheduleInterval)

	for name, pl := range c.Pipelines {
		if pl == nil {
			pl = &Pipeline{}
			c.Pipelines[name] = pl
		}
		// Nothing else: a pipeline's keys left out take the forward path's
		// defaults (pipeline.ForwardConfig, extract.AnalyticsConfig), their
		// one definition, as a feed's take the planner's.
		pl.Name = name
	}

	for name, f := range c.Feeds {
		if f == nil {
			f = &Feed{}
			c.Feeds[name] = f
		}
		f.Name = name
		// Only the external-id authority has its default here: it is a
		// configuration convention, not a planning rule. Ownership, the
		// offboarding policy and the guards are left unset when absent and
		// take the planner's defaults (package diff), their one definition;
		// the file format and mode take the feed reader's (package feed).
		f.ExternalIDAuthority = cmp.Or(f.ExternalIDAuthority, DefaultExternalIDAuthority)
	}
}

// readEnv reads the secrets and the environment overrides. A key whose
// value came from the environment is reported under the variable's name,
// with no file line (the file is not where the value is).
func (p *parser) readEnv(c *Config, env Env) {
	if v, ok := env("GENESYS_BASE_URL"); ok && v != "" {
		c.Genesys.BaseURL = v
		c.Genesys.Region = ""
		p.fromEnv["genesys.base_url"] = "GENESYS_BASE_URL"
	}
	if v, ok := env("GENESYS_REGION"); ok && v != "" && c.Genesys.BaseURL == "" {
		c.Genesys.Region = v
		p.fromEnv["genesys.region"] = "GENESYS_REGION"
	}
	if v, ok := env(c.Genesys.ClientIDEnv); ok {
		c.Genesys.ClientID = Secret(v)
	}
	if v, ok := env(c.Genesys.ClientSecretEnv); ok {
		c.Genesys.ClientSecret = Secret(v)
	}
	// No default database: an unset variable is reported by
	// RequireDatabase when a command needs the database, naming it.
	if v, ok := env(c.Database.URLEnv); ok && strings.TrimSpace(v) != "" {
		c.Database.URL = Secret(v)
	}
}
