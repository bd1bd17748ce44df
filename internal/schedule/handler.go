package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/usersync/syncer/internal/store"
)

// NewHandler serves the scheduler's HTTP endpoints:
//
//   - GET /healthz: 200 while the process is up.
//   - GET /readyz: 200 when the database answers and every migration is
//     applied, 503 otherwise and while the service is stopping.
//   - GET /metrics: the Prometheus text format.
//   - GET /runs?pipeline=NAME&limit=N: recent runs from sync_runs (newest
//     first, limit 1–500, default 50) and each job's state on this replica.
func NewHandler(st *store.Store, s *Scheduler) http.Handler {
	h := &handler{store: st, sched: s}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	mux.HandleFunc("GET /readyz", h.readyz)
	mux.Handle("GET /metrics", s.Metrics().Handler())
	mux.HandleFunc("GET /runs", h.runs)
	return mux
}

type handler struct {
	store *store.Store
	sched *Scheduler

	// The migration check opens connections and takes the migration lock:
	// a "current" answer is kept for migrationsTTL so frequent probes stay
	// cheap; a "pending" one is checked again at every probe.
	mu        sync.Mutex
	currentAt time.Time
}

const migrationsTTL = 10 * time.Second

type readiness struct {
	Ready      bool   `json:"ready"`
	Database   string `json:"database"`
	Migrations string `json:"migrations"`
	Stopping   bool   `json:"stopping,omitempty"`
}

func (h *handler) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	res := readiness{Database: "ok", Migrations: "current", Stopping: h.sched.Stopping()}
	ok := !res.Stopping
	if err := h.store.Pool().Ping(ctx); err != nil {
		res.Database, ok = "unreachable: "+err.Error(), false
	}
	if err := h.migrations(ctx); err != nil {
		res.Migrations, ok = err.Error(), false
	}
	res.Ready = ok
	code := http.StatusOK
	if !ok {
		code = http.StatusServiceUnavailable
	}
	writeJSON(w, code, res)
}

// migrations returns nil when every known migration is applied.
func (h *handler) migrations(ctx context.Context) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.currentAt.IsZero() && time.Since(h.currentAt) < migrationsTTL {
		return nil
	}
	st, err := h.store.MigrationStatus(ctx)
	if err != nil {
		return fmt.Errorf("unknown: %w", err)
	}
	pending := 0
	for _, m := range st {
		if !m.Applied {
			pending++
		}
	}
	if pending > 0 {
		h.currentAt = time.Time{}
		return fmt.Errorf("%d of %d pending (run `syncer migrate up`)", pending, len(st))
	}
	h.currentAt = time.Now()
	return nil
}

// runJSON is one sync_runs row in /runs.
type runJSON struct {
	ID         int64           `json:"id"`
	Pipeline   string          `json:"pipeline"`
	Status     string          `json:"status"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Seconds    float64         `json:"duration_seconds,omitempty"`
	Error      string          `json:"error,omitempty"`
	Counts     json.RawMessage `json:"counts,omitempty"`
	Calls      json.RawMessage `json:"calls,omitempty"`
}

type runsJSON struct {
	Pipelines []JobStatus `json:"pipelines"`
	Runs      []runJSON   `json:"runs"`
}

func (h *handler) runs(w http.ResponseWriter, r *http.Request) {
	limit := 50
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			writeJSON(w, http.StatusBadRequest, map[string]string{"error": "limit must be a number from 1 to 500"})
			return
		}
		limit = n
	}
	runs, err := h.store.Runs(r.Context(), r.URL.Query().Get("pipeline"), limit)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "read runs: " + err.Error()})
		return
	}
	out := runsJSON{Pipelines: h.sched.Status(), Runs: make([]runJSON, 0, len(runs))}
	for _, run := range runs {
		rj := runJSON{ID: run.ID, Pipeline: run.Pipeline, Status: run.Status, StartedAt: run.StartedAt,
			Error: run.Error, Counts: run.Counts, Calls: run.Calls}
		if !run.FinishedAt.IsZero() {
			t := run.FinishedAt
			rj.FinishedAt = &t
			rj.Seconds = t.Sub(run.StartedAt).Seconds()
		}
		out.Runs = append(out.Runs, rj)
	}
	writeJSON(w, http.StatusOK, out)
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
