package chaos

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
)

// lifecycleKinds are the joiner and leaver steps, one kill -9 point each:
// `syncer apply` is killed while the first call of the kind is in flight
// (the emulator still answers it, as Genesys Cloud does a request whose
// client died), then resumed and applied again. `make test` runs the first
// crashPoints of them; `make test-chaos` every one.
var lifecycleKinds = []diff.Kind{
	diff.KindDeleteVerifier, diff.KindSendInvite, diff.KindSetUtilization, diff.KindSetDefaultStation,
	diff.KindClearAssociatedStation, diff.KindClearDefaultStation, diff.KindResetUtilization, diff.KindSetProfileSkills,
}

// lifecycleFeedConfig are the utilization profiles of the suite's feed
// (those the malformed-feed corpus names too).
const lifecycleFeedConfig = "    onboard:\n      utilization_profiles:\n        voice-only:\n          call: {capacity: 1}\n          chat: {capacity: 0}\n" +
	"        Blended:\n          call: {capacity: 1}\n          chat: {capacity: 2, interrupted_by: [call]}\n"

// kindRequest matches the requests of a kind: its method and path template
// (from the registry) with any value for each parameter.
func kindRequest(t *testing.T, k diff.Kind) func(r *http.Request) bool {
	t.Helper()
	s, ok := diff.LookupKind(k)
	if !ok {
		t.Fatalf("kind %s is not registered", k)
	}
	re := regexp.MustCompile("^" + regexp.MustCompile(`\\\{[^}]*\\\}`).ReplaceAllString(regexp.QuoteMeta(s.Endpoint.Path), `[^/]+`) + "$")
	return func(r *http.Request) bool { return r.Method == s.Endpoint.Method && re.MatchString(r.URL.Path) }
}

// killOnRequest starts the binary and SIGKILLs it when it sends the first
// request match accepts; it reports whether it did (false: the process
// ended without sending one).
func (e *env) killOnRequest(t *testing.T, match func(r *http.Request) bool, args ...string) bool {
	t.Helper()
	cmd := e.command(context.Background(), args...)
	var out strings.Builder
	var mu sync.Mutex
	cmd.Stdout, cmd.Stderr = &syncWriter{b: &out, mu: &mu}, &syncWriter{b: &out, mu: &mu}
	var once sync.Once
	killed := make(chan struct{})
	started := make(chan struct{}) // cmd.Process is set
	h := func(r *http.Request) {
		if match(r) {
			once.Do(func() {
				<-started
				_ = cmd.Process.Kill() // SIGKILL mid-call: no deferred code, no signal handler runs
				close(killed)
			})
		}
	}
	e.onRequest.Store(&h)
	defer e.onRequest.Store(nil)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	close(started)
	err := cmd.Wait()
	select {
	case <-killed:
		addCount(&tally.crashes, 1)
		return true
	default:
		if err != nil {
			mu.Lock()
			defer mu.Unlock()
			t.Fatalf("apply failed before the kill point: %v\n%s", err, lastLines(out.String(), 10))
		}
		return false
	}
}

type syncWriter struct {
	b  *strings.Builder
	mu *sync.Mutex
}

func (w *syncWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

// TestKilledLifecycleStepsResume: for each joiner and leaver step, kill -9
// of `syncer apply` while its first call is in flight, then resume and
// apply the feed again: every joiner exists once with its profile, station,
// profile skills and one invitation; every leaver is inactive without
// verifiers, stations or utilization of its own; the journal shows the
// interrupted plan resumed.
func TestKilledLifecycleStepsResume(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 400, 47, "")
	kinds := lifecycleKinds[:min(crashPoints, len(lifecycleKinds))]
	held := map[string]bool{}
	for _, u := range e.srv.Users() {
		held[u.DefaultStationID] = true
	}
	var free []string
	for _, s := range e.srv.Stations() {
		if !held[s.ID] {
			free = append(free, s.Name)
		}
	}
	used := map[string]bool{}
	var killed int
	for round, k := range kinds {
		const joiners, leavers = 3, 2
		tag := fmt.Sprintf("l%d", round)
		var b strings.Builder
		b.WriteString("employee_id,email,name,utilization,default_station,profile_skills,employee_type,action\n")
		for i := range joiners {
			st := free[round*joiners+i]
			fmt.Fprintf(&b, "J%s%d,joiner.%s.%d@example.com,Joiner %s %d,voice-only,%s,Excel|Coaching,Contractor,upsert\n", tag, i, tag, i, tag, i, st)
		}
		var gone []emulator.UserView
		for _, u := range e.srv.Users() {
			if len(gone) < leavers && u.State == "active" && !used[u.ID] && u.EmployeeID != "" && len(u.Verifiers) > 0 &&
				u.DefaultStationID != "" && u.AssociatedStationID != "" && (u.Utilization != nil || k != diff.KindResetUtilization) {
				used[u.ID] = true
				gone = append(gone, u)
				fmt.Fprintf(&b, "%s,,,,,,,offboard\n", u.EmployeeID)
			}
		}
		if len(gone) < leavers {
			t.Fatalf("round %d: the org has no leavers left with verifiers and stations (and utilization for %s)", round, k)
		}
		feed := filepath.Join(e.dir, "lifecycle-"+tag+".csv")
		if err := os.WriteFile(feed, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		if e.killOnRequest(t, kindRequest(t, k), append([]string{"apply", feed}, guardFlags...)...) {
			killed++
		} else {
			t.Errorf("round %d: the apply never called %s", round, k)
		}
		time.Sleep(50 * time.Millisecond) // let the emulator finish the call the dead client sent
		if code, out, stderr := e.syncer(t, context.Background(), "apply", "--resume"); code != 0 {
			t.Errorf("round %d (%s): apply --resume = %d\n%s\n%s", round, k, code, lastLines(out, 40), lastLines(stderr, 10))
		}
		if code, out, stderr := e.syncer(t, context.Background(), append([]string{"apply", feed}, guardFlags...)...); code != 0 {
			t.Fatalf("round %d (%s): apply after the kill = %d\n%s\n%s", round, k, code, lastLines(out, 10), lastLines(stderr, 10))
		}
		for i := range joiners {
			email := fmt.Sprintf("joiner.%s.%d@example.com", tag, i)
			var found []emulator.UserView
			for _, u := range e.srv.Users() {
				if strings.EqualFold(u.Email, email) {
					found = append(found, u)
				}
			}
			if len(found) != 1 {
				addCount(&tally.duplicated, max(0, len(found)-1))
				t.Errorf("round %d (%s): %d users with %s, want 1", round, k, len(found), email)
				continue
			}
			j := found[0]
			if j.DefaultStationID == "" || j.Utilization["chat"].MaximumCapacity != 0 || len(j.Utilization) != 2 || len(j.ProfileSkills) != 2 ||
				j.DateWelcomeSent == "" || j.EmployeeType != "Contractor" || j.State != "active" {
				addCount(&tally.lost, 1)
				t.Errorf("round %d (%s): joiner %s is %+v", round, k, email, j)
			}
		}
		for _, g := range gone {
			l, _ := e.srv.User(g.ID)
			if l.State != "inactive" || len(l.Verifiers) != 0 || l.DefaultStationID != "" || l.AssociatedStationID != "" || l.Utilization != nil || len(l.Grants) != 0 {
				addCount(&tally.lost, 1)
				t.Errorf("round %d (%s): leaver %s is %+v", round, k, g.Email, l)
			}
		}
		addCount(&tally.rowsCompared, joiners+leavers)
	}
	resumed := e.count(t, "SELECT count(*) FROM "+e.table("plan_operations")+" WHERE attempts > 1")
	t.Logf("lifecycle: %d of %d kills landed mid-call (%v); %d operations tried more than once; plans by status %v",
		killed, len(kinds), kinds, resumed, e.statusCounts(t, "plans"))
}
