package reverse_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
	"net/http/httptest"
)

// env is an emulated org over real HTTP with real OAuth, and a migrated
// Postgres schema.
type env struct {
	srv   *emulator.Server
	api   *genesys.Client
	pool  *pgxpool.Pool
	store *store.Store
	svc   *reverse.Service
	dir   string
	url   string
	db    string // the database's URL
}

func newEnv(t testing.TB, cfg emulator.Config) *env {
	t.Helper()
	if cfg.RatePerMinute == 0 {
		cfg.RatePerMinute = -1 // correctness, not pacing
	}
	srv, err := emulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	c, err := genesys.NewClient(
		genesys.WithBaseURL(ts.URL),
		genesys.WithCredentials(emulator.DefaultClientID, emulator.DefaultClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: 600_000, Burst: 1000, MaxInFlight: 16})),
	)
	if err != nil {
		t.Fatal(err)
	}
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return &env{srv: srv, api: c, pool: pool, store: st, svc: reverse.New(c, st, reverse.Config{}), dir: t.TempDir(), url: ts.URL, db: dbURL}
}

// row is one feed row in our CSV layout.
type row struct {
	EmployeeID, Email, Name, Title, Department, Manager, Division, State string
	Skills, Languages, Queues, Roles                                     []string
	ACD                                                                  string
}

var header = []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "division", "state",
	"skills", "languages", "queues", "roles", "acd_auto_answer"}

func (r row) record() []string {
	return []string{r.EmployeeID, r.Email, r.Name, r.Title, r.Department, r.Manager, r.Division, r.State,
		strings.Join(r.Skills, "|"), strings.Join(r.Languages, "|"), strings.Join(r.Queues, "|"), strings.Join(r.Roles, "|"), r.ACD}
}

// orgRows renders every user that is not deleted as a feed row, so that a
// snapshot of them plans nothing.
func orgRows(srv *emulator.Server) []row {
	divs := map[string]string{}
	for _, d := range srv.Divisions() {
		divs[d.ID] = d.Name
	}
	users := srv.Users()
	emp := map[string]string{} // employee ids of the users a feed can name as managers
	for _, u := range users {
		if u.State != "deleted" {
			emp[u.ID] = u.EmployeeID
		}
	}
	var rows []row
	for _, u := range users {
		if u.State == "deleted" {
			continue
		}
		r := row{EmployeeID: u.EmployeeID, Email: u.Email, Name: u.Name, Title: u.Title, Department: u.Department,
			Division: divs[u.DivisionID], State: u.State, ACD: strconv.FormatBool(u.AcdAutoAnswer)}
		r.Manager = emp[u.ManagerID] // a deleted manager cannot be named: the row clears it
		for _, s := range u.Skills {
			r.Skills = append(r.Skills, s.Name+":"+strconv.FormatFloat(s.Proficiency, 'g', -1, 64))
		}
		for _, l := range u.Languages {
			r.Languages = append(r.Languages, l.Name+":"+strconv.FormatFloat(l.Proficiency, 'g', -1, 64))
		}
		for _, q := range u.Queues {
			if q.Joined {
				r.Queues = append(r.Queues, q.Name)
			} else {
				r.Queues = append(r.Queues, q.Name+":unjoined")
			}
		}
		for _, g := range u.Grants {
			r.Roles = append(r.Roles, g.RoleName+"@"+divs[g.DivisionID])
		}
		rows = append(rows, r)
	}
	return rows
}

func writeFeed(t testing.TB, path string, rows []row) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := csv.NewWriter(f)
	_ = w.Write(header)
	for _, r := range rows {
		_ = w.Write(r.record())
	}
	w.Flush()
	if err := w.Error(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// spec is a snapshot spec for a feed file in the env's directory, owning
// every attribute.
func (e *env) spec(name string) reverse.Spec {
	owned := feed.FieldSet(0).With(feed.FieldEmail, feed.FieldName, feed.FieldTitle, feed.FieldDepartment,
		feed.FieldManagerEmployeeID, feed.FieldManagerEmail, feed.FieldDivision, feed.FieldState, feed.FieldACDAutoAnswer,
		feed.FieldSkills, feed.FieldLanguages, feed.FieldQueues, feed.FieldRoles)
	path := filepath.Join(e.dir, name)
	return reverse.Spec{
		Path: path,
		Feed: feed.Config{File: path, Mode: feed.ModeSnapshot},
		Diff: diff.Config{Authority: emulator.ExternalAuthority, Owned: owned},
	}
}

func (e *env) plan(t testing.TB, sp reverse.Spec) *reverse.Planned {
	t.Helper()
	p, err := e.svc.Plan(context.Background(), sp, true)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	return p
}

func findRow(rows []row, pred func(r row) bool) int {
	return slices.IndexFunc(rows, pred)
}

// writes counts the write calls the emulator served.
func writes(st emulator.Stats) int64 {
	var n int64
	for k := range st.Routes {
		v := st.RouteTotal(k)
		if !strings.HasPrefix(k, "GET ") && !strings.HasPrefix(k, "POST /oauth") && !strings.Contains(k, "/search") && !strings.HasPrefix(k, "POST /api/v2/analytics") {
			n += v
		}
	}
	return n
}
