package extract

import (
	"cmp"
	"context"
	"fmt"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
)

// DevelopmentActivitiesAPI is what the development activities stream
// calls.
type DevelopmentActivitiesAPI interface {
	ListDevelopmentActivities(ctx context.Context, opts genesys.DevelopmentActivitiesOptions, pageNumber int) (*genesys.Listing[genesys.DevelopmentActivity], error)
}

// Defaults of ActivitiesConfig.
const (
	// DefaultActivitiesFirstRun is how far back the first run reads due
	// dates.
	DefaultActivitiesFirstRun = 90 * 24 * time.Hour
	// DefaultActivitiesLookback is re-read behind the watermark: an
	// activity rescheduled or completed late is seen again.
	DefaultActivitiesLookback = 7 * 24 * time.Hour
	// DefaultActivitiesHorizon is how far ahead due dates are read: what is
	// coming up.
	DefaultActivitiesHorizon = 60 * 24 * time.Hour
)

// ActivitiesConfig configures the development activities stream. The zero
// value takes the defaults (WithDefaults).
type ActivitiesConfig struct {
	// FirstRun is how far before the first run due dates are read. Default
	// DefaultActivitiesFirstRun (90 days).
	FirstRun time.Duration
	// Lookback is re-read behind the watermark on every run. Default
	// DefaultActivitiesLookback (7 days); negative means none.
	Lookback time.Duration
	// Horizon is how far ahead of now due dates are read. Default
	// DefaultActivitiesHorizon (60 days); negative means none.
	Horizon time.Duration
	// PageSize of the listing. Default
	// genesys.MaxDevelopmentActivitiesPageSize.
	PageSize int
	// Workers read that many groups of users at once. Default
	// DefaultWorkers.
	Workers int
}

// WithDefaults returns c with every unset field set to its default.
func (c ActivitiesConfig) WithDefaults() ActivitiesConfig {
	c.FirstRun = cmp.Or(c.FirstRun, DefaultActivitiesFirstRun)
	c.Lookback = cmp.Or(c.Lookback, DefaultActivitiesLookback)
	c.Horizon = cmp.Or(c.Horizon, DefaultActivitiesHorizon)
	c.PageSize = cmp.Or(c.PageSize, genesys.MaxDevelopmentActivitiesPageSize)
	c.Workers = cmp.Or(c.Workers, DefaultWorkers)
	return c
}

// ActivitiesPlan is what one run of the development activities stream
// reads, for every group of users.
type ActivitiesPlan struct {
	// Due are windows of due dates: from the watermark (less the lookback;
	// FirstRun before now on the first run) to Horizon ahead.
	Due []Interval
	// Completed are windows of completion dates from the watermark (less
	// the lookback) to now: activities due before the due windows that
	// were completed since the last run. None on the first run.
	Completed []Interval
	// Through is the watermark to record once everything was read: now.
	Through time.Time
}

// Windows is the number of windows a group of users is read over: the
// least number of calls per group.
func (p ActivitiesPlan) Windows() int { return len(p.Due) + len(p.Completed) }

// PlanActivities plans a run from the previous watermark (zero on the
// first run). A window is at most genesys.MaxDevelopmentActivityWindow
// long (the API's limit); longer spans are cut.
func PlanActivities(c ActivitiesConfig, watermark, now time.Time) ActivitiesPlan {
	c = c.WithDefaults()
	now = now.UTC().Truncate(time.Second) // the API truncates milliseconds
	from := now.Add(-c.FirstRun)
	if !watermark.IsZero() {
		from = watermark.UTC().Truncate(time.Second).Add(-max(c.Lookback, 0))
	}
	p := ActivitiesPlan{Through: now}
	p.Due = cut(Interval{from, now.Add(max(c.Horizon, 0))}, genesys.MaxDevelopmentActivityWindow)
	if !watermark.IsZero() {
		// To the next whole second: the API truncates milliseconds and the
		// end is exclusive, so an activity completed earlier in this second
		// is inside.
		p.Completed = cut(Interval{from, now.Add(time.Second)}, genesys.MaxDevelopmentActivityWindow)
	}
	return p
}

// cut splits iv into consecutive intervals no longer than most.
func cut(iv Interval, most time.Duration) []Interval {
	var out []Interval
	for s := iv.Start; s.Before(iv.End); {
		e := s.Add(most)
		if e.After(iv.End) {
			e = iv.End
		}
		out = append(out, Interval{s, e})
		s = e
	}
	return out
}

// ActivitiesBatch is the activities of one group of users, over every
// window of a plan, each activity once.
type ActivitiesBatch struct {
	// Users are the ids the group asked for.
	Users []string
	// Activities are the activities found for them, in the order read.
	Activities []genesys.DevelopmentActivity
}

// DevelopmentActivities reads the activities of userIDs over the windows
// of plan, genesys.MaxDevelopmentActivityUsers users a call, and sends one
// batch per group of users once all its windows were read. Progress counts
// users; the minimum is the pages each group and window holds (one at
// least), as its first page says. It closes out when it returns.
func DevelopmentActivities(ctx context.Context, api DevelopmentActivitiesAPI, userIDs []string, plan ActivitiesPlan, c ActivitiesConfig, prog Counter, out chan<- ActivitiesBatch) error {
	defer close(out)
	c = c.WithDefaults()
	size := genesys.MaxDevelopmentActivityUsers
	prog.AddTotal(int64(len(userIDs)))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(c.Workers, 1))
	for start := 0; start < len(userIDs); start += size {
		users := userIDs[start:min(start+size, len(userIDs))]
		g.Go(func() error {
			b := ActivitiesBatch{Users: users}
			seen := map[string]bool{}
			read := func(opts genesys.DevelopmentActivitiesOptions, what string, iv Interval) error {
				opts.UserIDs, opts.PageSize = users, c.PageSize
				for page := 1; ; page++ {
					l, err := api.ListDevelopmentActivities(gctx, opts, page)
					if err != nil {
						return fmt.Errorf("development activities %s %s of users %s… (%d users), page %d: %w", what, iv, users[0], len(users), page, err)
					}
					if page == 1 {
						prog.MinCalls(int64(max(genesys.Pages(l.Total, c.PageSize), 1)))
					}
					for _, a := range l.Entities {
						if !seen[a.ID] {
							seen[a.ID] = true
							b.Activities = append(b.Activities, a)
						}
					}
					if len(l.Entities) == 0 || page >= l.PageCount {
						return nil
					}
				}
			}
			for _, iv := range plan.Due {
				if err := read(genesys.DevelopmentActivitiesOptions{DueFrom: iv.Start, DueTo: iv.End}, "due", iv); err != nil {
					return err
				}
			}
			for _, iv := range plan.Completed {
				if err := read(genesys.DevelopmentActivitiesOptions{CompletedFrom: iv.Start, CompletedTo: iv.End}, "completed", iv); err != nil {
					return err
				}
			}
			prog.Done(int64(len(users)))
			return send(gctx, out, b)
		})
	}
	return g.Wait()
}
