package pipeline_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
)

// Every registered stream has every part, depends only on registered
// streams, without a cycle, and declares tables the migrated schema has.
func TestRegistryIsComplete(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	specs := pipeline.Specs()
	if len(specs) == 0 {
		t.Fatal("no stream is registered")
	}
	byName := map[string]pipeline.Spec{}
	for _, s := range specs {
		byName[s.Name] = s
	}
	for _, s := range specs {
		if len(s.Tables) == 0 || s.Reads == "" || s.Cost == "" {
			t.Errorf("stream %s: no tables, reads or cost (%+v)", s.Name, s)
		}
		for _, d := range append(slices.Clone(s.After), s.Awaits...) {
			if _, ok := byName[d]; !ok {
				t.Errorf("stream %s depends on %s, which is not registered", s.Name, d)
			}
		}
		for _, tb := range s.Tables {
			if e.count(t, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = $2", e.store.Schema(), tb) != 1 {
				t.Errorf("stream %s declares table %s, which the migrations do not create", s.Name, tb)
			}
		}
	}
	// Every stream of the registry builds, and the run accepts the graph:
	// no stream waits for itself through others.
	streams, err := pipeline.ForwardStreams(nil, pipeline.ForwardConfig{Streams: pipeline.StreamNames()})
	if err != nil {
		t.Fatal(err)
	}
	if len(streams) != len(specs) {
		t.Errorf("every stream listed built %d streams of %d", len(streams), len(specs))
	}
	cycle := func(name string) bool {
		seen := map[string]bool{}
		var walk func(string) bool
		walk = func(n string) bool {
			if seen[n] {
				return n == name
			}
			seen[n] = true
			for _, d := range append(slices.Clone(byName[n].After), byName[n].Awaits...) {
				if d == name || walk(d) {
					return true
				}
			}
			return false
		}
		return walk(name)
	}
	for _, s := range specs {
		if cycle(s.Name) {
			t.Errorf("stream %s waits for itself through others", s.Name)
		}
	}
}

// The names a pipeline may list are the registry's, in order, and a
// pipeline that lists none runs all but the optional streams.
func TestStreamNames(t *testing.T) {
	t.Parallel()
	want := []string{"reference", "directory", "users", "skills", "languages", "queues", "roles", "user_details", "user_aggregates",
		"utilization", "development_activities"}
	if got := pipeline.StreamNames(); !slices.Equal(got, want) {
		t.Errorf("StreamNames = %v, want %v", got, want)
	}
	if got, want := pipeline.DefaultExpand(), []string{"skills", "languages", "groups", "locations", "station", "presence", "routingStatus",
		"dateLastLogin", "profileSkills", "certifications", "outOfOffice", "authorization", "employerInfo", "team"}; !slices.Equal(got, want) {
		t.Errorf("DefaultExpand = %v, want %v", got, want)
	}
	for _, n := range pipeline.DefaultStreams() {
		if s, ok := pipeline.Lookup(n); ok && s.Optional {
			t.Errorf("optional stream %s runs by default", n)
		}
	}
	if _, err := pipeline.ForwardStreams(nil, pipeline.ForwardConfig{Streams: []string{"usres"}}); err == nil || !strings.Contains(err.Error(), `"usres"`) {
		t.Errorf("an unknown stream: %v", err)
	}
	// An expand listed as a stream brings the users stream and the streams
	// it runs after, and turns its expand on.
	streams, err := pipeline.ForwardStreams(nil, pipeline.ForwardConfig{Streams: []string{"skills"}, Expand: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, s := range streams {
		names = append(names, s.Name)
	}
	if !slices.Equal(names, []string{"reference", "users"}) {
		t.Errorf("streams [skills] built %v, want reference and users", names)
	}
}

// Register refuses a spec that lacks a part, naming it.
func TestRegisterRefusesHalfDeclaredStreams(t *testing.T) {
	t.Parallel()
	ok := pipeline.Spec{Name: "example_half", Order: 999, Reads: "r", Cost: "c", Tables: []string{"users"},
		Estimate: func(pipeline.Sizes, pipeline.ForwardConfig) (int64, bool) { return 0, false },
		New: func(pipeline.ForwardAPI, pipeline.ForwardConfig) (pipeline.Stream, error) {
			return pipeline.Stream{}, nil
		}}
	for name, tc := range map[string]struct {
		change func(*pipeline.Spec)
		want   string
	}{
		"name":      {func(s *pipeline.Spec) { s.Name = "Half Stream" }, "snake_case"},
		"taken":     {func(s *pipeline.Spec) { s.Name = pipeline.StreamUsers }, "registered twice"},
		"expand":    {func(s *pipeline.Spec) { s.Name = pipeline.StreamSkills }, "registered twice"},
		"order":     {func(s *pipeline.Spec) { s.Order = 0 }, "Order"},
		"docs":      {func(s *pipeline.Spec) { s.Cost = "" }, "Cost"},
		"estimate":  {func(s *pipeline.Spec) { s.Estimate = nil }, "Estimate"},
		"new":       {func(s *pipeline.Spec) { s.New = nil }, "New"},
		"self loop": {func(s *pipeline.Spec) { s.Awaits = []string{s.Name} }, "itself"},
	} {
		s := ok
		tc.change(&s)
		func() {
			defer func() {
				r := recover()
				if msg, _ := r.(string); !strings.Contains(msg, tc.want) {
					t.Errorf("%s: Register panicked with %v, want a message naming %q", name, r, tc.want)
				}
			}()
			pipeline.Register(s)
		}()
	}
}

var (
	countsHandoff = pipeline.Handoff[int]{From: "producer", What: "counts"}
	doneHandoff   = pipeline.Handoff[string]{From: "producer", What: "result"}
)

// Streams hand values over through declared handoffs: Updates sees each
// as it is put, Get the last once the producer committed; a producer that
// failed hands nothing over; the previous watermark reaches Run.
func TestHandoffsAndWatermarks(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	wm := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var prevSeen []time.Time
	producer := func(fail bool) pipeline.Stream {
		return pipeline.Stream{Name: "producer", Tables: []string{"divisions"}, Run: func(ctx context.Context, prev load.Watermark, out *pipeline.Out) (*load.Watermark, error) {
			prevSeen = append(prevSeen, prev.Time)
			for i := range 3 {
				pipeline.Put(out, countsHandoff, i+1)
			}
			pipeline.Put(out, doneHandoff, "done")
			if err := out.Send(ctx, func(ctx context.Context, tx *load.Tx) (int64, error) {
				return 1, tx.Divisions(ctx, []load.DivisionRow{{ID: "d1", Name: "One"}})
			}); err != nil {
				return nil, err
			}
			if fail {
				return nil, errors.New("the org answered 500")
			}
			return &load.Watermark{Time: wm}, nil
		}}
	}
	var updates []int
	var got string
	var getErr error
	consumer := pipeline.Stream{Name: "consumer", Awaits: []string{"producer"}, Run: func(ctx context.Context, _ load.Watermark, out *pipeline.Out) (*load.Watermark, error) {
		updates = nil
		for n := range pipeline.Updates(ctx, out, countsHandoff) {
			updates = append(updates, n)
		}
		got, getErr = pipeline.Get(ctx, out, doneHandoff)
		return nil, nil
	}}
	for _, fail := range []bool{false, true} {
		sum, _ := e.runner.Run(ctx, "nightly", []pipeline.Stream{consumer, producer(fail)}, nil)
		if !slices.Equal(updates, []int{1, 2, 3}) {
			t.Errorf("fail=%t: updates %v, want 1 2 3 in order", fail, updates)
		}
		switch {
		case !fail && (getErr != nil || got != "done"):
			t.Errorf("Get = %q, %v; want the producer's result", got, getErr)
		case fail && !errors.Is(getErr, pipeline.ErrDependencyFailed):
			t.Errorf("Get after the producer failed = %q, %v; want ErrDependencyFailed", got, getErr)
		case !fail && sum.Outcome != pipeline.OutcomeSucceeded:
			t.Errorf("run: %v", sum.Err)
		}
	}
	if len(prevSeen) != 2 || !prevSeen[0].IsZero() || !prevSeen[1].Equal(wm) {
		t.Errorf("Run saw previous watermarks %v; want none, then %s", prevSeen, wm)
	}

	// A soft dependency absent from the run: Get says so, Updates ends.
	alone := consumer
	if _, err := e.runner.Run(ctx, "nightly", []pipeline.Stream{alone}, nil); err != nil || len(updates) != 0 || !errors.Is(getErr, pipeline.ErrDependencyFailed) {
		t.Errorf("without the producer: run %v, updates %v, Get %v", err, updates, getErr)
	}
}

// A stream that writes a table it does not declare fails and commits
// nothing; one that reads another's handoff without declaring it panics.
func TestStreamsKeepToWhatTheyDeclare(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	sneaky := pipeline.Stream{Name: "sneaky", Tables: []string{"divisions"}, Load: func(ctx context.Context, tx *load.Tx, _ *pipeline.StreamProgress) (*load.Watermark, error) {
		return nil, tx.Skills(ctx, []load.SkillRow{{ID: "s1", Name: "Billing"}})
	}}
	if _, err := e.runner.Run(ctx, "nightly", []pipeline.Stream{sneaky}, nil); err == nil || !strings.Contains(err.Error(), "skills, which it does not declare") {
		t.Errorf("a stream writing an undeclared table: %v", err)
	}
	if n := e.count(t, "SELECT count(*) FROM skills"); n != 0 {
		t.Errorf("%d skills committed by a stream that did not declare them", n)
	}
	undeclared := pipeline.Stream{Name: "undeclared", Run: func(ctx context.Context, _ load.Watermark, out *pipeline.Out) (w *load.Watermark, err error) {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "without declaring") {
				err = errors.New("no panic naming the missing declaration")
			}
		}()
		_, _ = pipeline.Get(ctx, out, doneHandoff)
		return nil, nil
	}}
	if _, err := e.runner.Run(ctx, "nightly", []pipeline.Stream{undeclared}, nil); err != nil {
		t.Error(err)
	}
}

// Two producers relayed into one stream's output both get their batches
// loaded, whichever ends first (MembersOfStream reads queues and grants so).
func TestTwoRelaysShareAnOutput(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	row := func(id string) pipeline.Batch {
		return func(ctx context.Context, tx *load.Tx) (int64, error) {
			return 1, tx.Divisions(ctx, []load.DivisionRow{{ID: id, Name: id}})
		}
	}
	both := pipeline.Stream{Name: "both", Run: func(ctx context.Context, _ load.Watermark, out *pipeline.Out) (*load.Watermark, error) {
		empty := func(ctx context.Context, items chan<- string) error { close(items); return nil }
		some := func(ctx context.Context, items chan<- string) error {
			defer close(items)
			time.Sleep(50 * time.Millisecond) // let the empty one end first
			for _, id := range []string{"d1", "d2", "d3"} {
				items <- id
			}
			return nil
		}
		errs := make(chan error, 2)
		for _, produce := range []func(context.Context, chan<- string) error{empty, some} {
			go func() { errs <- pipeline.Relay(ctx, out, 0, produce, row) }()
		}
		return nil, errors.Join(<-errs, <-errs)
	}}
	sum, err := e.runner.Run(context.Background(), "nightly", []pipeline.Stream{both}, nil)
	if err != nil || sum.Rows() != 3 {
		t.Fatalf("run: %d rows, %v; want the 3 of the producer that ended last", sum.Rows(), err)
	}
}
