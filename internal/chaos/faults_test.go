package chaos

import (
	"context"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
)

// apiFaults are the standing faults of issue 9: 5 % 5xx, 2 % connection
// resets, latency with jitter and spikes.
var apiFaults = emulator.Faults{
	LatencyMs: 1, JitterMs: 3, SpikeRate: 0.02, SpikeMs: 150,
	ErrorRate: 0.05, ResetRate: 0.02, Seed: 99,
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

// Forward: a run under faults loads exactly what a fault-free run loads.
func TestForwardUnderFaultsEqualsFaultFree(t *testing.T) {
	t.Parallel()
	const users, seed = 400, 21
	clean := newEnv(t, users, seed, "")
	faulty := newEnv(t, users, seed, "")

	if code, out, stderr := clean.syncer(t, context.Background(), "run", "nightly"); code != 0 {
		t.Fatalf("fault-free run = %d\n%s\n%s", code, out, stderr)
	}
	if err := faulty.srv.SetFaults(apiFaults); err != nil {
		t.Fatal(err)
	}
	storm(t, faulty, 15, 40)
	code, out, stderr := faulty.syncer(t, context.Background(), "run", "nightly")
	st := faulty.srv.Stats()
	addFaults(st)
	if code != 0 {
		t.Fatalf("run under faults = %d (faulted answers %v)\n%s\n%s", code, st.ByStatus, out, stderr)
	}
	want := clean.dump(t)
	for _, tbl := range currentTables[:len(currentTables)-1] { // no external ids without an apply
		if len(want[tbl]) == 0 {
			t.Errorf("the fault-free run loaded no %s: the comparison proves nothing", tbl)
		}
	}
	n := compareDumps(t, want, faulty.dump(t))
	if st.ByStatus["429"] == 0 || st.ByStatus["401"] == 0 || st.ByStatus["0"]+st.ByStatus["500"]+st.ByStatus["502"]+st.ByStatus["503"]+st.ByStatus["504"] == 0 {
		t.Errorf("some faults were never injected: %v", st.ByStatus)
	}
	t.Logf("forward under faults: %d requests, answers by status %v, %d rows compared", st.Total, st.ByStatus, n)
}
