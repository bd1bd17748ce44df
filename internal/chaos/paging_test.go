package chaos

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
)

// usersTables are the tables the users stream loads.
var usersTables = []string{"users", "user_skills", "user_languages", "user_groups", "user_locations"}

// usersStreamState is what a failed users stream must leave as it was:
// its tables, the users marked deleted and its watermark.
func (e *env) usersStreamState(t *testing.T) (map[string][]string, int, string) {
	t.Helper()
	deleted := e.count(t, "SELECT count(*) FROM "+e.table("users")+" WHERE deleted_at IS NOT NULL")
	var wm string
	rows, err := e.conn(t).Query(context.Background(), "SELECT coalesce(watermark::text, '')||'/'||coalesce(cursor, '') FROM "+e.table("sync_watermarks")+" WHERE stream = 'users'")
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			t.Fatal(err)
		}
		wm += w + ";"
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return e.dumpOf(t, usersTables), deleted, wm
}

// A corrupt answer on page 3 of the users listing (pages of 25), after
// the org churned: a persistent one fails the run with an error naming
// the endpoint and the page, and leaves the users stream's tables, its
// deleted users and its watermark as they were; a transient 5xx page is
// retried and the run succeeds. Either way the next clean run leaves
// what a fault-free history does.
func TestCorruptPageMidPagingCommitsNothingOfTheStream(t *testing.T) {
	t.Parallel()
	const users, seed = 200, 81
	clean := newEnv(t, users, seed, "")
	e := newEnv(t, users, seed, "")
	for _, x := range []*env{clean, e} {
		if code, out, stderr := x.syncer(t, context.Background(), "run", "paged"); code != 0 {
			t.Fatalf("first run = %d\n%s\n%s", code, out, stderr)
		}
	}
	const path = "/api/v2/users"
	for i, tc := range []struct {
		name      string
		c         emulator.PageCorruption
		transient bool
		slow      bool // retried for ~20 s before it fails: make test-chaos only
	}{
		{"truncated JSON", emulator.PageCorruption{Path: path, Page: 3, Kind: emulator.CorruptTruncated}, false, false},
		{"HTML 502 once", emulator.PageCorruption{Path: path, Page: 3, Kind: emulator.CorruptHTML, Times: 1}, true, false},
		{"wrong types", emulator.PageCorruption{Path: path, Page: 3, Kind: emulator.CorruptTypes}, false, false},
		{"HTML page with 200", emulator.PageCorruption{Path: path, Page: 3, Kind: emulator.CorruptHTML, Status: 200}, false, false},
		{"HTML 503 every time", emulator.PageCorruption{Path: path, Page: 3, Kind: emulator.CorruptHTML, Status: 503}, false, true},
	} {
		if tc.slow && !fullSuite {
			continue
		}
		// The same churn on both orgs: a users stream committed from a
		// part of the listing would lose the changes, or mark the users
		// of the pages never read deleted.
		for _, x := range []*env{clean, e} {
			if _, err := x.srv.Mutate(emulator.MutateRequest{Seed: int64(100 + i), Percent: 10}); err != nil {
				t.Fatal(err)
			}
		}
		tables, deleted, wm := e.usersStreamState(t)
		churned, _, _ := clean.usersStreamState(t)
		if err := e.srv.SetFaults(emulator.Faults{CorruptPage: &tc.c}); err != nil {
			t.Fatal(err)
		}
		e.srv.ResetStats()
		code, _, stderr := e.syncer(t, context.Background(), "run", "paged")
		st := e.srv.Stats()
		if err := e.srv.SetFaults(emulator.Faults{}); err != nil {
			t.Fatal(err)
		}
		addCount(&tally.inputs, 1)
		addFaults(st)
		noPanic(t, tc.name, stderr)
		errLine := lastLines(stderr, 1)
		switch {
		case tc.transient:
			if code != 0 || st.Count("GET "+path, 502) != 1 {
				t.Errorf("%s: run = %d with %d answers 502; want the page retried and the run to succeed\n%s",
					tc.name, code, st.Count("GET "+path, 502), lastLines(stderr, 5))
			}
		case code == 0:
			t.Errorf("%s: the run succeeded on a corrupt page 3", tc.name)
		case !strings.Contains(errLine, path) || !strings.Contains(errLine, "page 3"):
			t.Errorf("%s: the error does not name the endpoint and the page:\n%s", tc.name, errLine)
		default:
			t.Logf("%s: %s", tc.name, errLine)
			gotTables, gotDeleted, gotWM := e.usersStreamState(t)
			compareDumps(t, tables, gotTables)
			if gotDeleted != deleted || gotWM != wm {
				addCount(&tally.lost, max(0, gotDeleted-deleted))
				t.Errorf("%s: after the failed run %d users marked deleted (before %d), users watermark %q (before %q)", tc.name, gotDeleted, deleted, gotWM, wm)
			}
		}
		for _, x := range []*env{clean, e} {
			if x == e && tc.transient {
				continue // its run already succeeded
			}
			if code, out, stderr := x.syncer(t, context.Background(), "run", "paged"); code != 0 {
				t.Fatalf("%s: clean run = %d\n%s\n%s", tc.name, code, out, stderr)
			}
		}
		if now, _, _ := clean.usersStreamState(t); equalDumps(now, churned) {
			t.Fatalf("%s: the churn changed none of the users stream's tables: the test proves nothing", tc.name)
		}
		n := compareDumps(t, clean.dump(t), e.dump(t))
		if c, g := clean.count(t, "SELECT count(*) FROM "+clean.table("users")+" WHERE deleted_at IS NOT NULL"),
			e.count(t, "SELECT count(*) FROM "+e.table("users")+" WHERE deleted_at IS NOT NULL"); c != g {
			t.Errorf("%s: %d users marked deleted, %d in the fault-free history", tc.name, g, c)
		}
		t.Log(fmt.Sprintf("%s: then a clean run: %d rows compared with the fault-free history", tc.name, n))
	}
}

func equalDumps(a, b map[string][]string) bool {
	for tbl := range a {
		if !equal(a[tbl], b[tbl]) {
			return false
		}
	}
	return len(a) == len(b)
}
