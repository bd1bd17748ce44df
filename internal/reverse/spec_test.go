package reverse_test

import (
	"strings"
	"testing"

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

// TestSpecFromConfigRejectedPercent maps guards.max_rejected_percent to
// the planner's limit: unset is the planner's default, 0 is a limit no
// rejected row stays under (not the default), 100 is passed as is.
func TestSpecFromConfigRejectedPercent(t *testing.T) {
	pct := func(f float64) *float64 { return &f }
	for _, tt := range []struct {
		set  *float64
		want func(float64) bool
	}{
		{nil, func(g float64) bool { return g == 0 }},
		{pct(0), func(g float64) bool { return g > 0 && g < 1e-6 }},
		{pct(2.5), func(g float64) bool { return g == 2.5 }},
		{pct(100), func(g float64) bool { return g == 100 }},
	} {
		f := &config.Feed{Name: "hr", Path: "hr.csv", Guards: config.Guards{MaxRejectedPercent: tt.set}}
		sp, err := reverse.SpecFromConfig(f, 300)
		if err != nil {
			t.Fatal(err)
		}
		if got := sp.Diff.Guards.MaxRejectedPercent; !tt.want(got) {
			t.Errorf("max_rejected_percent %v planned as %v", tt.set, got)
		}
	}
}
