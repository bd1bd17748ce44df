package pipeline

import (
	"context"
	"fmt"
	"time"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamDevelopmentActivities reads the users' development activities
// (coaching appointments, learning assignments) by windows of due and
// completion dates from its watermark, like the analytics streams: an
// optional stream, a call per 100 users and window at least.
const StreamDevelopmentActivities = "development_activities"

func init() {
	Register(Spec{
		Name:  StreamDevelopmentActivities,
		Order: 80,
		Reads: fmt.Sprintf("`GET /api/v2/users/development/activities` for %d users a call, by windows of due dates "+
			"(from the watermark to %s ahead) and, after the first run, of completion dates since it",
			genesys.MaxDevelopmentActivityUsers, textDays(extract.DefaultActivitiesHorizon)),
		Cost:     fmt.Sprintf("⌈users/%d⌉ × windows (2 a run after the first), more when a group has over a page", genesys.MaxDevelopmentActivityUsers),
		Tables:   []string{"user_development_activities"},
		After:    []string{StreamUsers},
		Optional: true,
		Estimate: func(s Sizes, cfg ForwardConfig) (int64, bool) {
			if s.Users == nil {
				return 0, false
			}
			// The first run's windows: the steady state has one more.
			plan := extract.PlanActivities(cfg.Activities, time.Time{}, time.Now())
			groups := (s.Holders() + genesys.MaxDevelopmentActivityUsers - 1) / genesys.MaxDevelopmentActivityUsers
			return int64(groups * plan.Windows()), true
		},
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			return Stream{Run: func(ctx context.Context, prev load.Watermark, out *Out) (*load.Watermark, error) {
				ids, err := Get(ctx, out, UserIDs)
				if err != nil {
					return nil, err
				}
				plan := extract.PlanActivities(cfg.Activities, prev.Time, time.Now())
				err = Relay(ctx, out, cfg.Workers, func(ctx context.Context, batches chan<- extract.ActivitiesBatch) error {
					return extract.DevelopmentActivities(ctx, api, ids, plan, cfg.Activities, out.Progress(), batches)
				}, activitiesBatch)
				if err != nil {
					return nil, err
				}
				return &load.Watermark{Time: plan.Through}, nil
			}}, nil
		},
	})
}

// activitiesBatch upserts the activities of a group of users: a row per
// activity and attendee of the group (an activity the group's users only
// created or facilitate is their attendees' row, read with their group).
func activitiesBatch(b extract.ActivitiesBatch) Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		in := make(map[string]bool, len(b.Users))
		for _, u := range b.Users {
			in[u] = true
		}
		var rows []load.DevelopmentActivityRow
		for _, a := range b.Activities {
			base := activityRow(a)
			seen := map[string]bool{}
			for _, at := range a.Attendees {
				if !in[at.ID] || seen[at.ID] {
					continue
				}
				seen[at.ID] = true
				row := base
				row.UserID = at.ID
				rows = append(rows, row)
			}
		}
		if len(rows) == 0 {
			return 0, nil
		}
		return int64(len(rows)), tx.DevelopmentActivities(ctx, rows)
	}
}

// activityRow is an activity's row without its user.
func activityRow(a genesys.DevelopmentActivity) load.DevelopmentActivityRow {
	overdue := a.IsOverdue
	row := load.DevelopmentActivityRow{ActivityID: a.ID, Name: a.Name, Type: a.Type, Status: a.Status,
		DateCreated: a.DateCreated.UTC(), DateDue: a.DateDue.UTC(), DateCompleted: a.DateCompleted.UTC(),
		IsOverdue: &overdue, IsPassed: a.IsPassed, PercentageScore: a.PercentageScore, Raw: mustJSON(a)}
	if a.CreatedBy != nil {
		row.CreatedByID = a.CreatedBy.ID
	}
	if a.Facilitator != nil {
		row.FacilitatorID = a.Facilitator.ID
	}
	return row
}

// textDays writes a duration of whole days as "60 days".
func textDays(d time.Duration) string {
	if n := int(d / (24 * time.Hour)); n != 1 {
		return fmt.Sprintf("%d days", n)
	}
	return "1 day"
}
