package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// Not parallel: the tests set environment variables.
func TestRunCommandLoadsAnalytics(t *testing.T) {
	start := time.Now().UTC().Add(-30 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
	e := newCLIEnv(t, 40, fmt.Sprintf("  nightly:\n    streams: [user_details, user_aggregates]\n    analytics:\n"+
		"      start: %q\n      max_interval: 12h\n      granularity: PT1H\n      poll_interval: 20ms\n      max_resubmits: 2\n", start))
	e.migrate(t)
	code, out, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg)
	if code != exitOK {
		t.Fatalf("run = %d\n%s\n%s", code, out, stderr)
	}
	for _, want := range []string{"user_details", "user_aggregates", "user_presence_segments"} {
		if !strings.Contains(out, want) {
			t.Errorf("run summary lacks %q:\n%s", want, out)
		}
	}
	for _, table := range []string{"user_presence_segments", "user_routing_status_segments", "user_aggregates"} {
		if e.count(t, table) == 0 {
			t.Errorf("%s is empty after the run", table)
		}
	}
	if n := e.count(t, "sync_watermarks"); n != 2 {
		t.Errorf("%d watermarks; want one per analytics stream", n)
	}
	// The emulator's jobs saw the configured windows: 30 h in 12 h jobs,
	// for both streams.
	if j := e.srv.Analytics().Jobs(); j.Submitted != 6 {
		t.Errorf("jobs = %+v; want 3 windows per stream", j)
	}
}
