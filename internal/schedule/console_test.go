package schedule_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

// ServiceConfig.Console is served under /console/, / leads to it, and the
// other endpoints are as before; without it, neither path exists.
func TestConsoleMount(t *testing.T) {
	t.Parallel()
	open := func(context.Context) (*store.Store, error) { return nil, errors.New("no database in this test") }
	con := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("console at " + r.URL.Path)) })
	with := httptest.NewServer(schedule.NewService(schedule.ServiceConfig{Open: open, Console: con}).Handler())
	defer with.Close()
	if code, body := httpGet(t, with.URL+"/console/runs/7"); code != http.StatusOK || body != "console at /console/runs/7" {
		t.Errorf("GET /console/runs/7 = %d %q, want the console", code, body)
	}
	if code, body := httpGet(t, with.URL+"/"); code != http.StatusOK || body != "console at /console/" {
		t.Errorf("GET / = %d %q, want to be led to the console", code, body)
	}
	if code, _ := httpGet(t, with.URL+"/healthz"); code != http.StatusOK {
		t.Errorf("GET /healthz with the console = %d", code)
	}
	if code, body := httpGet(t, with.URL+"/nowhere"); code != http.StatusNotFound || !strings.Contains(body, "/console/") {
		t.Errorf("GET /nowhere = %d %s, want a 404 listing /console/", code, body)
	}
	without := httptest.NewServer(schedule.NewService(schedule.ServiceConfig{Open: open}).Handler())
	defer without.Close()
	for _, p := range []string{"/", "/console/"} {
		if code, body := httpGet(t, without.URL+p); code != http.StatusNotFound || strings.Contains(body, "endpoints are /healthz, /readyz, /metrics, /runs, /console/") {
			t.Errorf("GET %s without a console = %d %s, want a 404 not listing it", p, code, body)
		}
	}
}
