package reverse_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/reverse"
)

// TestSpecFromConfigOffboardActions maps every offboard.action the config
// accepts to the planner's (none used to be refused here though the config
// and the planner both know it).
func TestSpecFromConfigOffboardActions(t *testing.T) {
	for action, want := range map[string]diff.OffboardAction{
		"":                    diff.OffboardDeactivate,
		config.OffboardDeact:  diff.OffboardDeactivate,
		config.OffboardDelete: diff.OffboardDelete,
		config.OffboardNone:   diff.OffboardNone,
	} {
		f := &config.Feed{Name: "hr", Path: "hr.csv", Offboard: config.Offboard{Action: action}}
		sp, err := reverse.SpecFromConfig(f, 300)
		if err != nil {
			t.Errorf("action %q: %v", action, err)
			continue
		}
		if sp.Diff.Offboard.Action != want {
			t.Errorf("action %q planned as %q, want %q", action, sp.Diff.Offboard.Action, want)
		}
	}
	_, err := reverse.SpecFromConfig(&config.Feed{Name: "hr", Path: "hr.csv", Offboard: config.Offboard{Action: "archive"}}, 300)
	if err == nil || !strings.Contains(err.Error(), "feed hr") || !strings.Contains(err.Error(), `"archive"`) {
		t.Errorf("unknown action: err = %v, want one naming the feed and the action", err)
	}
}

// TestSpecFromConfigGuards maps the guard keys to the planner's limits:
// unset stays unset (the planner's default applies), 0 allows none, except
// max_changes whose 0 is documented as no limit; values pass as they are.
func TestSpecFromConfigGuards(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  config.Guards
		want diff.Guards
	}{
		{"unset", config.Guards{}, diff.Guards{}},
		{"zero", config.Guards{MaxOffboards: new(0), MaxOffboardPercent: new(0.0), MaxRejectedPercent: new(0.0), MaxQueueLossPercent: new(0.0), MinQueueLoss: new(0)},
			diff.Guards{MaxOffboards: new(0), MaxOffboardPercent: new(0.0), MaxRejectedPercent: new(0.0), MaxQueueLossPercent: new(0.0), MinQueueLoss: new(0)}},
		{"max_changes 0 is no limit", config.Guards{MaxChanges: new(0)}, diff.Guards{MaxChanges: new(-1)}},
		{"values", config.Guards{MaxOffboards: new(7), MaxChanges: new(9), MaxRejectedPercent: new(2.5), MaxOffboardPercent: new(100.0)},
			diff.Guards{MaxOffboards: new(7), MaxChanges: new(9), MaxRejectedPercent: new(2.5), MaxOffboardPercent: new(100.0)}},
	} {
		sp, err := reverse.SpecFromConfig(&config.Feed{Name: "hr", Path: "hr.csv", Guards: tt.set}, 300)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(tt.want, sp.Diff.Guards); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}

// TestSpecFromConfigOffboardOverlay: a key the configuration sets changes
// that part of the planner's default policy and nothing else.
func TestSpecFromConfigOffboardOverlay(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  config.Offboard
		want func(o *diff.Offboard)
	}{
		{"nothing set", config.Offboard{}, func(*diff.Offboard) {}},
		{"strip roles", config.Offboard{StripRoles: new(true)}, func(o *diff.Offboard) { o.StripRoles = true }},
		{"keep queues", config.Offboard{UnjoinQueues: new(false)}, func(o *diff.Offboard) { o.UnjoinQueues, o.RemoveQueues = false, false }},
		{"keep skills, delete", config.Offboard{Action: "delete", StripSkills: new(false)}, func(o *diff.Offboard) {
			o.Action, o.StripSkills, o.StripLanguages = diff.OffboardDelete, false, false
		}},
	} {
		sp, err := reverse.SpecFromConfig(&config.Feed{Name: "hr", Path: "hr.csv", Offboard: tt.set}, 300)
		if err != nil {
			t.Fatal(err)
		}
		want := diff.DefaultOffboard
		tt.want(&want)
		if d := cmp.Diff(want, sp.Diff.Offboard); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}
