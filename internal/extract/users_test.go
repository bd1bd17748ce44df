package extract_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulatortest"
	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
)

type counter struct{ total, done, minCalls atomic.Int64 }

func (c *counter) AddTotal(n int64) { c.total.Add(n) }
func (c *counter) Done(n int64)     { c.done.Add(n) }
func (c *counter) MinCalls(n int64) { c.minCalls.Add(n) }

func newOrg(t *testing.T, cfg emulator.Config) (*emulator.Server, *genesys.Client) {
	t.Helper()
	cfg.RatePerMinute = -1
	o := emulatortest.Start(t, cfg)
	return o.Server, o.Client(t)
}

func readUsers(t *testing.T, c *genesys.Client, cfg extract.UsersConfig) ([]string, *counter, error) {
	t.Helper()
	out := make(chan extract.UsersPage, 4)
	var ids []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		for p := range out {
			for _, u := range p.Users {
				ids = append(ids, u.ID)
			}
		}
	}()
	prog := &counter{}
	err := extract.Users(context.Background(), c, cfg, prog, out)
	<-done // Users closed out
	slices.Sort(ids)
	return ids, prog, err
}

func wantIDs(srv *emulator.Server, state string) []string {
	var ids []string
	for _, u := range srv.Users() {
		if u.State == state {
			ids = append(ids, u.ID)
		}
	}
	slices.Sort(ids)
	return ids
}

func TestUsersEveryRegimeOfThePagingCap(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, emulator.Config{Users: 900, Seed: 4, PageCap: 300, SearchCap: 300})
	var divisions []string
	for _, d := range srv.Divisions() {
		divisions = append(divisions, d.ID)
	}
	active, inactive := len(wantIDs(srv, "active")), len(wantIDs(srv, "inactive"))
	if inactive > 300 || active <= 600 {
		t.Fatalf("org shape %d active, %d inactive does not cover the regimes", active, inactive)
	}
	tests := []struct {
		name    string
		state   string
		pageCap int
	}{
		{"under the cap: plain pages", "inactive", 300},
		{"over twice the cap: per division through search", "active", 300},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ids, prog, err := readUsers(t, c, extract.UsersConfig{States: []string{tt.state}, PageSize: 100, PagingCap: tt.pageCap, Divisions: divisions, Expand: []string{"skills"}})
			if err != nil {
				t.Fatal(err)
			}
			if want := wantIDs(srv, tt.state); !slices.Equal(ids, want) {
				t.Fatalf("read %d users, want %d (exactly the emulator's, no duplicates)", len(ids), len(want))
			}
			if prog.done.Load() != prog.total.Load() {
				t.Errorf("progress done %d of %d", prog.done.Load(), prog.total.Load())
			}
		})
	}
}

func TestUsersUpToTwiceTheCapReadBothWays(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, emulator.Config{Users: 450, Seed: 8, PageCap: 200, SearchCap: 200})
	want := wantIDs(srv, "active")
	if len(want) <= 200 || len(want) > 400 {
		t.Fatalf("%d active users: not between one and two caps", len(want))
	}
	before := c.Stats()
	// No divisions: a fall back to the search would fail, so success proves
	// the two listings met.
	ids, _, err := readUsers(t, c, extract.UsersConfig{States: []string{"active"}, PageSize: 100, PagingCap: 200})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("read %d users, want %d", len(ids), len(want))
	}
	calls := c.Stats().Sub(before)
	if n, minimum := calls.Endpoint("GET /api/v2/users"), int64(genesys.Pages(len(want), 100)); n != minimum {
		t.Errorf("GET /users calls = %d, want the minimum %d", n, minimum)
	}
	if n := calls.Endpoint("POST /api/v2/users/search"); n != 0 {
		t.Errorf("search calls = %d, want 0", n)
	}
}

func TestUsersPartitionOverTheCapFails(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, emulator.Config{Users: 900, Seed: 4, PageCap: 100, SearchCap: 100})
	var divisions []string
	for _, d := range srv.Divisions() {
		divisions = append(divisions, d.ID)
	}
	_, _, err := readUsers(t, c, extract.UsersConfig{States: []string{"active"}, PageSize: 100, PagingCap: 100, Divisions: divisions})
	var pe *extract.PartitionError
	if !errors.As(err, &pe) || pe.State != "active" || pe.Division == "" || pe.Total <= 100 {
		t.Fatalf("err = %v, want a *PartitionError naming the state and division", err)
	}
}

// Expands dropped from every user of every state are re-read per user,
// except for deleted users, whose skills and languages the API does not
// serve (404) and who hold none: reading all three states does not fail.
func TestUsersDroppedExpandsOfEveryState(t *testing.T) {
	t.Parallel()
	srv, c := newOrg(t, emulator.Config{Users: 60, Seed: 12})
	if err := srv.SetFaults(emulator.Faults{ExpandDropRate: 1}); err != nil {
		t.Fatal(err)
	}
	states := []string{"active", "inactive", "deleted"}
	if len(wantIDs(srv, "deleted")) == 0 {
		t.Fatal("the org has no deleted user")
	}
	before := c.Stats()
	ids, _, err := readUsers(t, c, extract.UsersConfig{States: states, PageSize: 100, Expand: []string{"skills", "languages"}})
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, s := range states {
		want = append(want, wantIDs(srv, s)...)
	}
	slices.Sort(want)
	if !slices.Equal(ids, want) {
		t.Fatalf("read %d users, want %d", len(ids), len(want))
	}
	notDeleted := int64(len(want) - len(wantIDs(srv, "deleted")))
	calls := c.Stats().Sub(before)
	if n := calls.Endpoint("GET /api/v2/users/{userId}/routingskills"); n != notDeleted {
		t.Errorf("skills re-read for %d users, want %d (every user not deleted)", n, notDeleted)
	}
}

// A user deleted between the listing and the re-read of its languages
// (the API answers 404) holds none; the rest of the listing is read.
func TestUsersDeletedSinceTheListing(t *testing.T) {
	t.Parallel()
	org := emulatortest.Start(t, emulator.Config{Users: 30, Seed: 21})
	if err := org.SetFaults(emulator.Faults{ExpandDropRate: 1}); err != nil {
		t.Fatal(err)
	}
	active := wantIDs(org.Server, "active")
	gone := active[len(active)/2]
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/users/"+gone+"/routinglanguages" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"status":404,"code":"not.found","message":"The user was not found"}`))
			return
		}
		org.ServeHTTP(w, r)
	}))
	t.Cleanup(proxy.Close)
	c := org.Client(t, genesys.WithBaseURL(proxy.URL))
	ids, _, err := readUsers(t, c, extract.UsersConfig{States: []string{"active"}, PageSize: 25, Expand: []string{"languages"}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(ids, active) {
		t.Fatalf("read %d users, want %d", len(ids), len(active))
	}
}
