package schedule

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/usersync/syncer/internal/textfmt"
)

// Limits of /runs?limit=.
const (
	DefaultRunsLimit = 50
	MaxRunsLimit     = 500
)

// Runs is the /runs document: the jobs' state on this replica and the
// latest runs from sync_runs, newest first, both filtered alike.
// docs/schema/runs.schema.json is its JSON Schema.
type Runs struct {
	Pipelines []JobStatus `json:"pipelines"`
	Runs      []RunInfo   `json:"runs"`
}

// Health is the /healthz document.
type Health struct {
	// Status is always "ok": an answer means the process is up.
	Status string `json:"status"`
}

// Error is the document of every error answer (4xx, 5xx) of the service.
type Error struct {
	Error string `json:"error"`
}

// endpoints are the service's paths, for the answers to unknown ones.
var endpoints = []string{"/healthz", "/readyz", "/metrics", "/runs"}

// consolePath is where ServiceConfig.Console is served.
const consolePath = "/console/"

// Handler serves the service's HTTP endpoints, from the start (before the
// database is ready) until the process ends. Everything but /metrics
// answers JSON, whose schemas are in docs/schema:
//
//   - GET /healthz: 200 Health while the process is up.
//   - GET /readyz: Readiness; 200 when ready, 503 otherwise.
//   - GET /metrics: the Prometheus text format.
//   - /console/: the web console, when ServiceConfig.Console is set; GET
//     / then leads to it.
//   - GET /runs?pipeline=NAME&limit=N: Runs. pipeline filters both the
//     jobs and the runs; limit (1–500, default 50) caps the runs. 400 for
//     a bad or unknown parameter, 404 for a name that is neither a job nor
//     in sync_runs, 503 before the service is ready or while the database
//     is unreachable.
//   - anything else: 404 or 405 with an Error.
func (s *Service) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, Health{Status: "ok"})
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		rd := s.Readiness(r.Context())
		code := http.StatusOK
		if rd.Status != StatusReady {
			code = http.StatusServiceUnavailable
		}
		writeJSON(w, code, rd)
	})
	mux.Handle("GET /metrics", s.metrics.Handler())
	mux.HandleFunc("GET /runs", s.runs)
	if s.cfg.Console != nil {
		mux.Handle(consolePath, s.cfg.Console)
		mux.Handle("GET /{$}", http.RedirectHandler(consolePath, http.StatusSeeOther))
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if slices.Contains(endpoints, r.URL.Path) {
			w.Header().Set("Allow", "GET, HEAD")
			writeJSON(w, http.StatusMethodNotAllowed, Error{Error: fmt.Sprintf("%s %s: only GET is allowed", r.Method, r.URL.Path)})
			return
		}
		eps := endpoints
		if s.cfg.Console != nil {
			eps = append(slices.Clip(eps), consolePath)
		}
		writeJSON(w, http.StatusNotFound, Error{Error: fmt.Sprintf("no endpoint %s: the endpoints are %s", textfmt.Quote(r.URL.Path), strings.Join(eps, ", "))})
	})
	return mux
}

func (s *Service) runs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	for k, vs := range q {
		if k != "pipeline" && k != "limit" {
			writeJSON(w, http.StatusBadRequest, Error{Error: fmt.Sprintf("unknown parameter %s: /runs takes pipeline and limit", textfmt.Quote(k))})
			return
		}
		if len(vs) > 1 {
			writeJSON(w, http.StatusBadRequest, Error{Error: fmt.Sprintf("parameter %s given %d times: give it once", k, len(vs))})
			return
		}
	}
	limit := DefaultRunsLimit
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxRunsLimit {
			writeJSON(w, http.StatusBadRequest, Error{Error: fmt.Sprintf("limit must be a number from 1 to %d, not %s", MaxRunsLimit, textfmt.Quote(v))})
			return
		}
		limit = n
	}
	sched, st := s.sched.Load(), s.st.Load()
	if sched == nil {
		rd := s.Readiness(r.Context())
		reason := rd.Status
		if rd.Reason != nil {
			reason = *rd.Reason
		}
		writeJSON(w, http.StatusServiceUnavailable, Error{Error: "not ready: " + reason})
		return
	}
	name := q.Get("pipeline")
	runs, err := st.Runs(r.Context(), name, limit)
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, Error{Error: "read runs: " + err.Error()})
		return
	}
	out := Runs{Pipelines: []JobStatus{}, Runs: make([]RunInfo, 0, len(runs))}
	var names []string
	for _, js := range sched.Status() {
		names = append(names, js.Pipeline)
		if name == "" || js.Pipeline == name {
			out.Pipelines = append(out.Pipelines, js)
		}
	}
	for _, run := range runs {
		out.Runs = append(out.Runs, NewRunInfo(run))
	}
	if name != "" && len(out.Pipelines) == 0 && len(out.Runs) == 0 {
		writeJSON(w, http.StatusNotFound, Error{Error: fmt.Sprintf("no pipeline or scheduled feed named %s, and no runs of one (configured: %s)",
			textfmt.Quote(name), strings.Join(names, ", "))})
		return
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
