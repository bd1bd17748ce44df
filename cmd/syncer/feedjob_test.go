package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/schedule"
)

// Not parallel: the tests set environment variables.
func TestServeAppliesScheduledFeeds(t *testing.T) {
	dir := t.TempDir()
	joiner := filepath.Join(dir, "joiner.csv")
	if err := os.WriteFile(joiner, []byte("employee_id,email,name,title,action\nJ9001,new.starter@example.com,New Starter,Agent,upsert\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A snapshot naming one person would offboard everyone else: the guard
	// must stop it before any write, and park it for approval.
	mass := filepath.Join(dir, "mass.csv")
	if err := os.WriteFile(mass, []byte("employee_id,email,name\nJ9002,only.one@example.com,Only One\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// An export cut short: its one whole row is a joiner, the rest are
	// rejected. The rejected-rows guard must fail the run before any write.
	broken := filepath.Join(dir, "broken.csv")
	if err := os.WriteFile(broken, []byte("employee_id,email,name,title,action\nJ9003,whole.row@example.com,Whole Row,Agent,upsert\nJ9004,cut@example.com\nJ9005,cut.too@example.com\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// An export that has not landed: reported at start, a failed run
	// when it fires, and no API call spent on it.
	absent := filepath.Join(dir, "exports", "absent.csv")
	e := newCLIEnv(t, 80, fmt.Sprintf(`  ref:
    streams: [reference]
feeds:
  absent:
    path: %s
    mode: delta
    schedule: "@every 1h"
  joiners:
    path: %s
    mode: delta
    schedule: "@every 1h"
  mass:
    path: %s
    mode: snapshot
    schedule: "@every 1h"
  broken:
    path: %s
    mode: delta
    schedule: "@every 1h"
serve:
  addr: 127.0.0.1:0
  run_on_start: true
  shutdown_grace: 5s
  lease_ttl: 2s
`, absent, joiner, mass, broken))
	usersBefore := len(e.srv.Users())
	srv := startServe(t, e.cfg)
	defer srv.cancel()
	base := srv.base
	type run struct {
		Pipeline string `json:"pipeline"`
		Status   string `json:"status"`
		Error    string `json:"error"`
	}
	status := map[string]run{}
	waitUntil(t, 90*time.Second, "the three feeds to run", func() bool {
		code, body := get(t, base+"/runs")
		if code != http.StatusOK {
			t.Fatalf("/runs = %d %s", code, body)
		}
		var res struct{ Runs []run }
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatalf("/runs: %v", err)
		}
		for _, r := range res.Runs {
			if r.Status != "running" {
				status[r.Pipeline] = r
			}
		}
		_, a := status["feed:joiners"]
		_, b := status["feed:mass"]
		_, c := status["feed:broken"]
		_, d := status["feed:absent"]
		return a && b && c && d
	})
	log := srv.errb.String()
	warned := false
	for _, line := range logLines(log, "scheduled feed's file is missing or unreadable: its runs fail until it is there") {
		warned = warned || strings.Contains(line, `"feed":"absent"`) && strings.Contains(line, `"path":"`+absent+`"`)
	}
	if !warned {
		t.Errorf("no warning at start naming the feed absent and %s:\n%s", absent, log)
	}
	var doc schedule.Runs
	getDoc(t, base+"/runs?pipeline=feed:absent", http.StatusOK, "runs.schema.json", &doc)
	if len(doc.Runs) != 1 || doc.Runs[0].Status != "failed" || doc.Runs[0].Error == nil ||
		*doc.Runs[0].Error != `feed absent: file "`+absent+`" does not exist (feeds.absent.path)` || doc.Runs[0].Calls.Total != 0 {
		t.Errorf("/runs?pipeline=feed:absent = %+v; want one failed run naming the file, with no API call", doc.Runs)
	}
	getDoc(t, base+"/runs", http.StatusOK, "runs.schema.json", nil)
	srv.cancel()
	<-srv.done
	var recorded string
	queryRow(t, e, "SELECT status || ': ' || error FROM sync_runs WHERE pipeline = 'feed:absent'", &recorded)
	if !strings.HasPrefix(recorded, "failed: feed absent: file") || !strings.Contains(recorded, "does not exist") {
		t.Errorf("sync_runs has feed:absent as %q", recorded)
	}
	if r := status["feed:joiners"]; r.Status != "succeeded" {
		t.Errorf("feed:joiners run = %+v", r)
	}
	if r := status["feed:mass"]; r.Status != "awaiting_approval" || r.Error != "" {
		t.Errorf("feed:mass run = %+v, want awaiting approval", r)
	}
	if r := status["feed:broken"]; r.Status != "failed" || !strings.Contains(r.Error, "max_rejected_percent") || !strings.Contains(r.Error, "2 of 3 rows rejected") {
		t.Errorf("feed:broken run = %+v, want failed by the rejected-rows guard", r)
	}
	found := false
	for _, u := range e.srv.Users() {
		if strings.EqualFold(u.Email, "new.starter@example.com") {
			found = u.Title == "Agent" && u.State == "active"
		}
	}
	if !found {
		t.Error("the scheduled delta feed did not create its joiner")
	}
	// The guarded snapshot changed nobody: only the joiner is new.
	if n := len(e.srv.Users()); n != usersBefore+1 {
		t.Errorf("users = %d, want %d", n, usersBefore+1)
	}
	for _, u := range e.srv.Users() {
		if strings.EqualFold(u.Email, "only.one@example.com") {
			t.Error("the guarded snapshot feed was applied")
		}
		if strings.EqualFold(u.Email, "whole.row@example.com") {
			t.Error("the broken feed's whole row was applied")
		}
	}
}

// queryRow scans the one row of q, run in e's schema, into dest.
func queryRow(t *testing.T, e *cliEnv, q string, dest ...any) {
	t.Helper()
	cfg, err := pgx.ParseConfig(e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	cfg.RuntimeParams["search_path"] = e.schema
	conn, err := pgx.ConnectConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if err := conn.QueryRow(context.Background(), q).Scan(dest...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
