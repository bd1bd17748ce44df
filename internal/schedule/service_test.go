package schedule_test

import (
	"context"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/migrations"
)

// A service whose schema is not migrated is alive but not ready, says
// why, retries without logging each retry, and runs nothing until someone
// migrates; then it becomes ready and runs its jobs.
func TestServiceWaitsForMigrationsBeforeRunning(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t) // exists, empty
	var logs logBuffer
	var jobsBuilt atomic.Int32
	w := &workload{batches: 1, perBatch: 2}
	svc := schedule.NewService(schedule.ServiceConfig{
		Open: func(ctx context.Context) (*store.Store, error) {
			return store.Open(ctx, dbURL, store.Config{Schema: schema})
		},
		Jobs: func(_ context.Context, st *store.Store) ([]schedule.Job, error) {
			jobsBuilt.Add(1)
			return []schedule.Job{{Name: "nightly", Run: w.run(replicaOn(st.Pool(), schema, nil))}}, nil
		},
		Scheduler: schedule.Config{RunOnStart: true, LeaseTTL: 2 * time.Second, Logger: logs.logger()},
		RetryMin:  20 * time.Millisecond,
		RetryMax:  100 * time.Millisecond,
	})
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	runService(t, svc)

	getDoc(t, srv.URL+"/healthz", http.StatusOK, "healthz.schema.json", nil)
	// Several attempts, seen through checked_at.
	checks := map[time.Time]bool{}
	var rd schedule.Readiness
	waitFor(t, 10*time.Second, "three checks of the pending migrations", func() bool {
		code, body := httpGet(t, srv.URL+"/readyz")
		if code != http.StatusServiceUnavailable {
			t.Fatalf("/readyz before migrating = %d %s", code, body)
		}
		getDoc(t, srv.URL+"/readyz", http.StatusServiceUnavailable, "readyz.schema.json", &rd)
		if rd.Migrations == "pending" && rd.CheckedAt != nil {
			checks[*rd.CheckedAt] = true
		}
		return len(checks) >= 3
	})
	files, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	if rd.Status != schedule.StatusNotReady || rd.Database != "ok" || rd.PendingMigrations == nil || *rd.PendingMigrations != len(files) ||
		rd.Reason == nil || !strings.Contains(*rd.Reason, "syncer migrate") || !strings.Contains(*rd.Reason, "--migrate") {
		t.Errorf("/readyz before migrating = %+v; want not_ready, %d pending, naming `syncer migrate` and --migrate", rd, len(files))
	}
	var e schedule.Error
	getDoc(t, srv.URL+"/runs", http.StatusServiceUnavailable, "error.schema.json", &e)
	if !strings.Contains(e.Error, "not ready") || !strings.Contains(e.Error, "pending") {
		t.Errorf("/runs before ready: %q", e.Error)
	}
	if n := jobsBuilt.Load(); n != 0 {
		t.Errorf("jobs built %d times before the database was ready", n)
	}
	if got := logs.lines("not ready: waiting for the database"); len(got) != 1 {
		t.Errorf("%d \"not ready\" log lines over %d checks, want 1 (per change, not per retry):\n%s", len(got), len(checks), logs.String())
	}

	pool := pgtest.Pool(t, dbURL, schema)
	if _, err := store.New(pool, store.Config{Schema: schema}).Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "ready after migrating", func() bool {
		code, _ := httpGet(t, srv.URL+"/readyz")
		return code == http.StatusOK
	})
	getDoc(t, srv.URL+"/readyz", http.StatusOK, "readyz.schema.json", &rd)
	if rd.Status != schedule.StatusReady || rd.Database != "ok" || rd.Migrations != "current" || *rd.PendingMigrations != 0 || rd.Reason != nil {
		t.Errorf("/readyz after migrating = %+v", rd)
	}
	waitFor(t, 10*time.Second, "the run on start", func() bool {
		return count(t, pool, "SELECT count(*) FROM sync_runs WHERE status = 'succeeded'") == 1
	})
	if n := jobsBuilt.Load(); n != 1 {
		t.Errorf("jobs built %d times, want once", n)
	}
	if got := logs.lines("ready"); len(got) != 1 {
		t.Errorf("%d \"ready\" log lines, want 1:\n%s", len(got), logs.String())
	}
	getDoc(t, srv.URL+"/runs", http.StatusOK, "runs.schema.json", nil)
}

// With Migrate, the service applies the migrations itself.
func TestServiceMigratesWhenAsked(t *testing.T) {
	t.Parallel()
	dbURL, schema := pgtest.Schema(t)
	var logs logBuffer
	svc := schedule.NewService(schedule.ServiceConfig{
		Open: func(ctx context.Context) (*store.Store, error) {
			return store.Open(ctx, dbURL, store.Config{Schema: schema})
		},
		Migrate:   true,
		Jobs:      func(context.Context, *store.Store) ([]schedule.Job, error) { return nil, nil },
		Scheduler: schedule.Config{Logger: logs.logger()},
		RetryMin:  20 * time.Millisecond,
	})
	srv := httptest.NewServer(svc.Handler())
	defer srv.Close()
	runService(t, svc)
	waitFor(t, 20*time.Second, "ready", func() bool {
		code, _ := httpGet(t, srv.URL+"/readyz")
		return code == http.StatusOK
	})
	pool := pgtest.Pool(t, dbURL, schema)
	if n := count(t, pool, "SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'sync_runs'", schema); n != 1 {
		t.Error("ready, but sync_runs does not exist")
	}
	// Found pending, applied, ready: one attempt, so no "not ready" line.
	if n, m, k := len(logs.lines("not ready: waiting for the database")), len(logs.lines("migrations applied")), len(logs.lines("ready")); n != 0 || m != 1 || k != 1 {
		t.Errorf("%d not ready, %d migrations applied and %d ready lines, want 0, 1 and 1:\n%s", n, m, k, logs.String())
	}
}

// The README states these defaults ("after 1 s, then twice as long each
// time up to 30 s", "checked every 10 s", "default 50", "1–500").
func TestDocumentedServiceDefaults(t *testing.T) {
	t.Parallel()
	if schedule.DefaultRetryMin != time.Second || schedule.DefaultRetryMax != 30*time.Second || schedule.DefaultCheckInterval != 10*time.Second {
		t.Errorf("retry %v..%v, check every %v; the README says 1s..30s and 10s",
			schedule.DefaultRetryMin, schedule.DefaultRetryMax, schedule.DefaultCheckInterval)
	}
	if schedule.DefaultRunsLimit != 50 || schedule.MaxRunsLimit != 500 {
		t.Errorf("/runs limit default %d, max %d; the README says 50 and 500", schedule.DefaultRunsLimit, schedule.MaxRunsLimit)
	}
}
