package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/feed"
)

// rejectingFeed is a snapshot of an org of rows people, all listed, of
// whom the first bad rows name a queue the org does not have and are
// rejected; nothing else differs, so only the rejected-rows guard judges
// anything.
func rejectingFeed(t *testing.T, rows, bad int) (*feed.Feed, *Current, *feed.Refs) {
	t.Helper()
	refs := testRefs()
	cur := &Current{}
	var b strings.Builder
	b.WriteString("employee_id,email,name,queues\n")
	for i := range rows {
		e := fmt.Sprintf("E%03d", i)
		email := strings.ToLower(e) + "@example.com"
		cur.Users = append(cur.Users, User{ID: "u-" + e, Email: email, Name: "Agent " + e, State: StateActive, DivisionID: "dv-home",
			ExternalIDs: map[string]string{"hr": e}, Version: 1})
		q := ""
		if i < bad {
			q = "No Such Queue"
		}
		fmt.Fprintf(&b, "%s,%s,Agent %s,%s\n", e, email, e, q)
	}
	if rows == 0 { // feed.Read refuses a header-only file: the Feed it would give
		return &feed.Feed{File: "rejects.csv", Format: feed.FormatCSV, Mode: feed.ModeSnapshot, Resolved: true}, cur, refs
	}
	f := readFeed(t, "rejects.csv", b.String(), feed.ModeSnapshot, refs)
	if len(f.Rejected) != bad || f.Rows != rows {
		t.Fatalf("the feed has %d rows, %d rejected; want %d, %d", f.Rows, len(f.Rejected), rows, bad)
	}
	return f, cur, refs
}

// TestRejectedPercentGuard: the share of rejected rows trips the guard
// over its limit only; a negative limit or 100 lets any share pass; a
// feed without rows rejects nothing.
func TestRejectedPercentGuard(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		rows, bad int
		limit     *float64 // Guards.MaxRejectedPercent: nil is the default, 10
		tripped   bool
		value     float64
		msg       string
	}{
		{"none rejected", 20, 0, nil, false, 0, "0 of 20 rows rejected (0.0%), limit 10.0%"},
		{"under the default", 20, 1, nil, false, 5, "1 of 20 rows rejected (5.0%), limit 10.0%"},
		{"at the default", 20, 2, nil, false, 10, "2 of 20 rows rejected (10.0%), limit 10.0%"},
		{"over the default", 20, 3, nil, true, 15, "3 of 20 rows rejected (15.0%), more than the limit of 10.0%: is the export broken (delimiter, columns, encoding)? override with --max-rejected-percent or guards.max_rejected_percent"},
		{"over a lower limit", 20, 2, new(5.0), true, 10, "2 of 20 rows rejected (10.0%), more than the limit of 5.0%: is the export broken (delimiter, columns, encoding)? override with --max-rejected-percent or guards.max_rejected_percent"},
		{"every row under 100", 20, 20, new(100.0), false, 100, "20 of 20 rows rejected (100.0%), no limit"},
		{"every row, no limit", 20, 20, new(-1.0), false, 100, "20 of 20 rows rejected (100.0%), no limit"},
		{"zero rows", 0, 0, nil, false, 0, "0 of 0 rows rejected (0.0%), limit 10.0%"},
		{"zero allowed, one rejected", 20, 1, new(0.0), true, 5, "1 of 20 rows rejected (5.0%), more than the limit of 0.0%: is the export broken (delimiter, columns, encoding)? override with --max-rejected-percent or guards.max_rejected_percent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, cur, refs := rejectingFeed(t, tt.rows, tt.bad)
			p, err := Compute(f, cur, refs, Config{Authority: "hr", Guards: Guards{MaxRejectedPercent: tt.limit}})
			if err != nil {
				t.Fatal(err)
			}
			var got *Verdict
			for i := range p.Guards {
				if p.Guards[i].Guard == GuardRejectedPercent {
					got = &p.Guards[i]
				}
			}
			if got == nil {
				t.Fatalf("no %s verdict in %+v", GuardRejectedPercent, p.Guards)
			}
			lim := DefaultMaxRejectedPercent
			if tt.limit != nil {
				lim = *tt.limit
			}
			want := Verdict{Guard: GuardRejectedPercent, Tripped: tt.tripped, Value: tt.value, Limit: lim,
				Flag: "--max-rejected-percent", ConfigKey: "guards.max_rejected_percent", Message: tt.msg}
			if d := cmp.Diff(want, *got); d != "" {
				t.Errorf("verdict (-want +got):\n%s", d)
			}
			if tr := p.Tripped(); (len(tr) > 0) != tt.tripped {
				t.Errorf("tripped guards %+v, want the rejected-rows guard only: %v", tr, tt.tripped)
			}
			var b strings.Builder
			if err := p.Render(&b); err != nil {
				t.Fatal(err)
			}
			line := "ok      max_rejected_percent: " + tt.msg
			if tt.tripped {
				line = "TRIPPED max_rejected_percent: " + tt.msg
			}
			if !strings.Contains(b.String(), "\n  "+line+"\n") {
				t.Errorf("the rendered plan has no line %q:\n%s", line, b.String())
			}
		})
	}
}

// TestRejectedVerdictMessage: the row count is written with thousands
// separators, as an operator reads it.
func TestRejectedVerdictMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		rows, bad int
		want      string
	}{
		{1908, 3, "3 of 1,908 rows rejected (0.2%), limit 10.0%"},
		{999, 0, "0 of 999 rows rejected (0.0%), limit 10.0%"},
		{1234567, 1000, "1,000 of 1,234,567 rows rejected (0.1%), limit 10.0%"},
	}
	for _, tt := range tests {
		if got := rejectedVerdict(tt.rows, tt.bad, DefaultMaxRejectedPercent).Message; got != tt.want {
			t.Errorf("rejectedVerdict(%d, %d) = %q, want %q", tt.rows, tt.bad, got, tt.want)
		}
	}
}
