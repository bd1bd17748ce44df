package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
)

// parseFeedFlags parses args with plan's and apply's shared flags.
func parseFeedFlags(t *testing.T, args ...string) *feedFlags {
	t.Helper()
	c := &cobra.Command{Use: "plan"}
	ff := addFeedFlags(c)
	if err := c.Flags().Parse(args); err != nil {
		t.Fatalf("parse %q: %v", args, err)
	}
	return ff
}

func ptr[T any](v T) *T { return &v }

// Guard flags override the configuration only when given, a value equal
// to the zero value included: --max-offboards 0 allows no offboarding,
// --max-changes 0 lifts the limit.
func TestGuardFlagsOverrideOnlyWhenGiven(t *testing.T) {
	t.Parallel()
	configured := func() config.Guards {
		return config.Guards{MaxOffboards: ptr(25), MaxOffboardPercent: ptr(5.0), MaxChanges: ptr(1000), MaxQueueLossPercent: ptr(30.0), MaxRejectedPercent: ptr(10.0)}
	}
	tests := []struct {
		args []string
		want config.Guards
	}{
		{nil, configured()},
		{[]string{"--max-offboards", "0"}, func() config.Guards { g := configured(); g.MaxOffboards = ptr(0); return g }()},
		{[]string{"--max-changes", "0"}, func() config.Guards { g := configured(); g.MaxChanges = ptr(0); return g }()},
		{[]string{"--max-offboard-percent", "12.5", "--max-queue-loss-percent", "0", "--max-rejected-percent", "100"}, func() config.Guards {
			g := configured()
			g.MaxOffboardPercent, g.MaxQueueLossPercent, g.MaxRejectedPercent = ptr(12.5), ptr(0.0), ptr(100.0)
			return g
		}()},
	}
	for _, tt := range tests {
		g := configured()
		parseFeedFlags(t, tt.args...).applyGuards(&g)
		if diff := cmp.Diff(tt.want, g); diff != "" {
			t.Errorf("%q: guards (-want +got):\n%s", tt.args, diff)
		}
	}
}

// A guard flag given with a saved plan judges that guard's verdict again;
// the others stay as the plan has them.
func TestRejudgeSavedPlan(t *testing.T) {
	t.Parallel()
	verdicts := func() []diff.Verdict {
		return []diff.Verdict{
			{Guard: diff.GuardMaxOffboards, Value: 1, Limit: 25, Message: "1 offboarded"},
			{Guard: diff.GuardMaxChanges, Value: 5000, Limit: 1000, Tripped: true, Message: "5000 changed"},
			{Guard: diff.GuardRejectedPercent, Value: 80, Limit: 10, Tripped: true, Message: "80% rejected"},
			{Guard: diff.GuardQueueLoss, Value: 50, Limit: 30, Tripped: true, Message: "a queue loses 50%"},
			{Guard: diff.GuardMaxOffboardPercent, Value: 2, Limit: 5, Message: "2% offboarded"},
		}
	}
	p := &diff.Plan{Guards: verdicts()}
	if err := parseFeedFlags(t, "--max-offboards", "0", "--max-changes", "0", "--max-rejected-percent", "100", "--max-offboard-percent", "1.5").rejudge(p); err != nil {
		t.Fatal(err)
	}
	want := []diff.Verdict{
		// 0 allows none: one leaver trips it.
		{Guard: diff.GuardMaxOffboards, Value: 1, Limit: 0, Tripped: true, Message: "1 offboarded"},
		// 0 lifts the limit, as guards.max_changes: 0 does.
		{Guard: diff.GuardMaxChanges, Value: 5000, Limit: -1, Message: "5000 changed (overridden: no limit)"},
		// 100 lifts it too.
		{Guard: diff.GuardRejectedPercent, Value: 80, Limit: 100, Message: "80% rejected (overridden: limit 100)"},
		// Not given: as planned.
		{Guard: diff.GuardQueueLoss, Value: 50, Limit: 30, Tripped: true, Message: "a queue loses 50%"},
		{Guard: diff.GuardMaxOffboardPercent, Value: 2, Limit: 1.5, Tripped: true, Message: "2% offboarded"},
	}
	if d := cmp.Diff(want, p.Guards); d != "" {
		t.Errorf("rejudged verdicts (-want +got):\n%s", d)
	}

	unchanged := &diff.Plan{Guards: verdicts()}
	if err := parseFeedFlags(t).rejudge(unchanged); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(verdicts(), unchanged.Guards); d != "" {
		t.Errorf("verdicts changed with no flag (-want +got):\n%s", d)
	}
}

// Every guard the planner judges has its flag on plan and apply, named as
// the verdicts name it, of the right type; and every --max-* flag is a
// guard's.
func TestEveryGuardHasItsFlag(t *testing.T) {
	t.Parallel()
	guards := []string{diff.GuardMaxOffboards, diff.GuardMaxOffboardPercent, diff.GuardMaxChanges, diff.GuardQueueLoss, diff.GuardRejectedPercent}
	if v := diff.RejectedVerdict(10, 1, diff.Config{}); v.Flag != "--"+guardFlag(v.Guard) {
		t.Errorf("a verdict names the flag %q, the command has --%s", v.Flag, guardFlag(v.Guard))
	}
	for _, cmd := range []string{"plan", "apply"} {
		c := commands[cmd]()
		for _, g := range guards {
			f := c.Flags().Lookup(guardFlag(g))
			if f == nil {
				t.Errorf("syncer %s has no --%s for guard %s", cmd, guardFlag(g), g)
				continue
			}
			want := "percent"
			if !strings.HasSuffix(g, "_percent") {
				want = "int"
			}
			if f.Value.Type() != want {
				t.Errorf("syncer %s --%s is a %s, want %s", cmd, f.Name, f.Value.Type(), want)
			}
		}
		c.Flags().VisitAll(func(f *pflag.Flag) {
			if strings.HasPrefix(f.Name, "max-") && !slices.Contains(guards, strings.ReplaceAll(f.Name, "-", "_")) {
				t.Errorf("syncer %s --%s is no guard's", cmd, f.Name)
			}
		})
	}
}

func TestFlagValues(t *testing.T) {
	t.Parallel()
	var n int
	var f float64
	for _, tt := range []struct {
		v       interface{ Set(string) error }
		in      string
		wantErr string
	}{
		{newIntFlag(&n, 0, 0, "int"), "0", ""},
		{newIntFlag(&n, 0, 0, "int"), "1000", ""},
		{newIntFlag(&n, 0, 0, "int"), "-1", "want 0 or more, got -1"},
		{newIntFlag(&n, 0, 1, "int"), "0", "want 1 or more, got 0"},
		{newIntFlag(&n, 0, 0, "int"), "1e3", "want a whole number, got 1e3"},
		{newIntFlag(&n, 0, 0, "int"), "ten", "want a whole number"},
		{newIntFlag(&n, 0, 0, "int"), "", "want a whole number"},
		{newPercentFlag(&f, 0), "0", ""},
		{newPercentFlag(&f, 0), "99.5", ""},
		{newPercentFlag(&f, 0), "100", ""},
		{newPercentFlag(&f, 0), "100.1", "a percentage is 0 to 100, got 100.1"},
		{newPercentFlag(&f, 0), "NaN", "want a percentage, a number from 0 to 100"},
		{newPercentFlag(&f, 0), "Inf", "want a percentage, a number from 0 to 100"},
		{newPercentFlag(&f, 0), "5%", "want a percentage, a number from 0 to 100"},
		{newProbabilityFlag(&f, 0), "1", ""},
		{newProbabilityFlag(&f, 0), "1.01", "a probability is 0 to 1, got 1.01"},
	} {
		err := tt.v.Set(tt.in)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("Set(%q) = %v", tt.in, err)
		case tt.wantErr != "" && (err == nil || err.Error() != tt.wantErr):
			t.Errorf("Set(%q) = %v, want %q", tt.in, err, tt.wantErr)
		}
	}
}
