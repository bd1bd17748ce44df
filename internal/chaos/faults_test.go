package chaos

import (
	"context"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
)

// apiFaults are the standing faults of issue 9: 5 % 5xx, 2 % connection
// resets, latency with jitter and spikes, and analytics jobs that end
// FAILED or whose results expire while they are read (10 % each).
var apiFaults = emulator.Faults{
	LatencyMs: 1, JitterMs: 3, SpikeRate: 0.02, SpikeMs: 150,
	ErrorRate: 0.05, ResetRate: 0.02, Seed: 99,
	JobFailureRate: 0.1, JobExpiryRate: 0.1,
}

// storm sets a hook that starts a 429 storm at the API request number
// at and revokes every token issued so far at number revoke.
func storm(t *testing.T, e *env, at, revoke int64) {
	t.Helper()
	h := func(n int64) {
		f := apiFaults
		f.Seed = 0
		switch n {
		case at:
			f.StormSeconds, f.StormRetryAfter = 1, 1
		case revoke:
			f.RevokeTokens = true
		default:
			return
		}
		if err := e.srv.SetFaults(f); err != nil {
			t.Error(err)
		}
	}
	e.hook.Store(&h)
}

// Forward: a run of the full pipeline (org and analytics jobs) under
// faults loads exactly what a fault-free run loads, segments and
// aggregates included, and leaves the same watermarks.
func TestForwardUnderFaultsEqualsFaultFree(t *testing.T) {
	t.Parallel()
	const users, seed = 400, 21
	clean := newAnalyticsEnv(t, users, seed)
	faulty := newAnalyticsEnv(t, users, seed)

	if code, out, stderr := clean.syncer(t, context.Background(), "run", "full"); code != 0 {
		t.Fatalf("fault-free run = %d\n%s\n%s", code, out, stderr)
	}
	if err := faulty.srv.SetFaults(apiFaults); err != nil {
		t.Fatal(err)
	}
	// One job certainly fails and one's results certainly expire while
	// they are read, whatever the dice.
	faulty.srv.Analytics().SetFaults(analytics.Faults{FailNext: 1, ExpireNext: 1,
		JobFailureRate: apiFaults.JobFailureRate, ResultsExpiryRate: apiFaults.JobExpiryRate})
	storm(t, faulty, 15, 40)
	code, out, stderr := faulty.syncer(t, context.Background(), "run", "full")
	st := faulty.srv.Stats()
	addFaults(st)
	if code != 0 {
		t.Fatalf("run under faults = %d (faulted answers %v, jobs %+v)\n%s\n%s", code, st.ByStatus, st.AnalyticsJobs, out, lastLines(stderr, 20))
	}
	want := clean.dump(t)
	for _, tbl := range dumpTables {
		if len(want[tbl]) == 0 && tbl != "user_external_ids" { // no external ids without an apply
			t.Errorf("the fault-free run loaded no %s: the comparison proves nothing", tbl)
		}
	}
	n := compareDumps(t, want, faulty.dump(t))
	compareWatermarks(t, clean, faulty)
	if st.ByStatus["429"] == 0 || st.ByStatus["401"] == 0 || st.ByStatus["0"]+st.ByStatus["500"]+st.ByStatus["502"]+st.ByStatus["503"]+st.ByStatus["504"] == 0 {
		t.Errorf("some faults were never injected: %v", st.ByStatus)
	}
	expiredMidRead := strings.Count(stderr, "analytics job results gone before they were read")
	if st.AnalyticsJobs.Failed == 0 || expiredMidRead == 0 {
		t.Errorf("job faults were not met: %d jobs FAILED, %d results expired while read (jobs %+v)", st.AnalyticsJobs.Failed, expiredMidRead, st.AnalyticsJobs)
	}
	t.Logf("forward under faults: %d requests, answers by status %v, jobs %+v (%d expired while read), %d rows compared",
		st.Total, st.ByStatus, st.AnalyticsJobs, expiredMidRead, n)
}
