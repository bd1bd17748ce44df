package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/usersync/syncer/internal/store"
)

func TestRunRecords(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	id, err := s.StartRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.StartStreamRun(ctx, id, "users"); err != nil {
		t.Fatal(err)
	}
	if err := s.StartStreamRun(ctx, id, "users"); !errors.Is(err, store.ErrConflict) {
		t.Errorf("starting a stream twice: err = %v, want ErrConflict", err)
	}
	if err := s.FinishStreamRun(ctx, id, "users", store.RunResult{Status: store.StatusSucceeded, Counts: map[string]int{"users": 3}}); err != nil {
		t.Fatal(err)
	}
	calls := map[string]any{"GET /api/v2/users": map[string]int{"200": 7}, "429s": 1}
	if err := s.FinishRun(ctx, id, store.RunResult{Status: store.StatusSucceeded, Counts: map[string]int{"users": 3}, Calls: calls}); err != nil {
		t.Fatal(err)
	}
	if err := s.FinishRun(ctx, id, store.RunResult{Status: store.StatusFailed}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("finishing a run twice: err = %v, want ErrConflict", err)
	}
	if err := s.FinishRun(ctx, id+100, store.RunResult{Status: store.StatusFailed}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("finishing an unknown run: err = %v, want ErrNotFound", err)
	}
	if err := s.FinishRun(ctx, id, store.RunResult{Status: "bogus"}); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bogus status: err = %v, want ErrInvalid", err)
	}
	r, err := s.Run(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var counts map[string]int
	if err := json.Unmarshal(r.Counts, &counts); err != nil || counts["users"] != 3 || r.Status != store.StatusSucceeded || r.FinishedAt.IsZero() {
		t.Errorf("run = %+v (counts %v, %v)", r, counts, err)
	}
	streams, err := s.StreamRuns(ctx, id)
	if err != nil || len(streams) != 1 || streams[0].Status != store.StatusSucceeded {
		t.Errorf("stream runs = %+v, %v", streams, err)
	}

	// A crashed run is found running and marked interrupted.
	crashed, _ := s.StartRun(ctx, "nightly")
	_ = s.StartStreamRun(ctx, crashed, "users")
	n, err := s.InterruptRuns(ctx, "nightly", "process restarted")
	if err != nil || n != 1 {
		t.Fatalf("InterruptRuns = %d, %v; want 1", n, err)
	}
	runs, err := s.Runs(ctx, "nightly", 10)
	if err != nil || len(runs) != 2 || runs[0].ID != crashed || runs[0].Status != store.StatusInterrupted || runs[0].Error != "process restarted" {
		t.Errorf("runs = %+v, %v", runs, err)
	}
	if _, err := s.Run(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown run: err = %v, want ErrNotFound", err)
	}
}

func TestPlanJournal(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	ops := []store.Operation{
		{Seq: 0, Kind: "create_user", UserKey: "ada@example.com", Payload: json.RawMessage(`{"name":"Ada"}`)},
		{Seq: 1, Kind: "set_skills", UserKey: "ada@example.com"},
		{Seq: 2, Kind: "deactivate", UserKey: "bob@example.com"},
	}
	plan := store.Plan{ID: "p-1", Fingerprint: "sha256:abc", Body: json.RawMessage(`{"ops":3}`)}
	if err := s.CreatePlan(ctx, plan, ops); err != nil {
		t.Fatal(err)
	}
	if err := s.CreatePlan(ctx, plan, ops); !errors.Is(err, store.ErrConflict) {
		t.Errorf("same plan twice: err = %v, want ErrConflict", err)
	}
	op, err := s.BeginOperation(ctx, "p-1", 0)
	if err != nil || op.Status != store.OpRunning || op.Attempts != 1 || op.StartedAt.IsZero() {
		t.Fatalf("BeginOperation = %+v, %v", op, err)
	}
	if err := s.FinishOperation(ctx, "p-1", 0, store.OpResult{Status: store.OpDone, HTTPStatus: 200, CorrelationID: "c-1", Result: json.RawMessage(`{"id":"u-9"}`)}); err != nil {
		t.Fatal(err)
	}
	// A done operation never begins again: a resume skips it.
	if _, err := s.BeginOperation(ctx, "p-1", 0); !errors.Is(err, store.ErrConflict) {
		t.Errorf("begin a done operation: err = %v, want ErrConflict", err)
	}
	// Operation 1 "crashes" while running; a resume begins it again.
	if _, err := s.BeginOperation(ctx, "p-1", 1); err != nil {
		t.Fatal(err)
	}
	op, err = s.BeginOperation(ctx, "p-1", 1)
	if err != nil || op.Attempts != 2 {
		t.Errorf("resume of a running operation = %+v, %v; want attempts 2", op, err)
	}
	if err := s.FinishOperation(ctx, "p-1", 1, store.OpResult{Status: store.OpFailed, HTTPStatus: 409, ErrorCode: "version.mismatch", Error: "conflict"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.BeginOperation(ctx, "p-1", 7); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown operation: err = %v, want ErrNotFound", err)
	}
	if err := s.SetPlanStatus(ctx, "p-1", store.PlanApplied); err != nil {
		t.Fatal(err)
	}
	if err := s.SetPlanStatus(ctx, "p-1", "sideways"); !errors.Is(err, store.ErrInvalid) {
		t.Errorf("bad plan status: err = %v, want ErrInvalid", err)
	}
	got, err := s.Operations(ctx, "p-1")
	if err != nil || len(got) != 3 {
		t.Fatalf("Operations = %d, %v", len(got), err)
	}
	if got[0].Status != store.OpDone || got[0].CorrelationID != "c-1" || string(got[0].Result) != `{"id": "u-9"}` {
		t.Errorf("op 0 = %+v", got[0])
	}
	if got[1].Status != store.OpFailed || got[1].HTTPStatus != 409 || got[1].ErrorCode != "version.mismatch" {
		t.Errorf("op 1 = %+v", got[1])
	}
	if got[2].Status != store.OpPending || got[2].Attempts != 0 || string(got[2].Payload) != `{}` {
		t.Errorf("op 2 = %+v", got[2])
	}
	p, err := s.Plan(ctx, "p-1")
	if err != nil || p.Status != store.PlanApplied || p.Fingerprint != "sha256:abc" {
		t.Errorf("plan = %+v, %v", p, err)
	}
}
