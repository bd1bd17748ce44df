package pipeline

import (
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// Progress tracks every stream of a run for the terminal display and the
// final summary. It is safe for concurrent use.
type Progress struct {
	calls   atomic.Value // CallSource of the run
	mu      sync.Mutex
	streams []*StreamProgress
	byName  map[string]*StreamProgress
}

// NewProgress returns an empty Progress.
func NewProgress() *Progress {
	return &Progress{byName: map[string]*StreamProgress{}}
}

func (p *Progress) setCalls(c CallSource) { p.calls.Store(&c) }

// Calls returns the run's call counters, nil before the run starts.
func (p *Progress) Calls() CallSource {
	if c, ok := p.calls.Load().(*CallSource); ok {
		return *c
	}
	return nil
}

// Stream returns the named stream's progress, creating it on first use.
func (p *Progress) Stream(name string) *StreamProgress {
	p.mu.Lock()
	defer p.mu.Unlock()
	if sp, ok := p.byName[name]; ok {
		return sp
	}
	sp := &StreamProgress{name: name}
	p.byName[name] = sp
	p.streams = append(p.streams, sp)
	return sp
}

// Snapshot returns every stream's progress, in the order they were added.
func (p *Progress) Snapshot() []ProgressSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]ProgressSnapshot, len(p.streams))
	for i, sp := range p.streams {
		out[i] = sp.Snapshot()
	}
	return out
}

// StreamProgress counts one stream's work. Units are what the stream pages
// through (pages, queues, windows); Total is 0 until known.
type StreamProgress struct {
	name    string
	done    atomic.Int64
	total   atomic.Int64
	rows    atomic.Int64
	minCall atomic.Int64
	started atomic.Int64 // unix nanos
	ended   atomic.Int64
	outcome atomic.Value // string

	mu       sync.Mutex
	warnings []string
}

// Warn records something the stream could not do in full although it
// succeeds (a listing read only up to the API's paging cap): the run's
// summary prints it and the runner logs it.
func (sp *StreamProgress) Warn(msg string) {
	sp.mu.Lock()
	defer sp.mu.Unlock()
	sp.warnings = append(sp.warnings, msg)
}

// AddTotal raises the number of units the stream expects.
func (sp *StreamProgress) AddTotal(n int64) { sp.total.Add(n) }

// Done records n finished units.
func (sp *StreamProgress) Done(n int64) { sp.done.Add(n) }

// Rows records n rows delivered to the loader.
func (sp *StreamProgress) Rows(n int64) { sp.rows.Add(n) }

// MinCalls records n API calls the data needed at the least (e.g. one per
// page of 500 users), for the "calls used vs minimum" figure.
func (sp *StreamProgress) MinCalls(n int64) { sp.minCall.Add(n) }

func (sp *StreamProgress) start() { sp.started.Store(time.Now().UnixNano()) }

func (sp *StreamProgress) finish(outcome string) {
	sp.ended.Store(time.Now().UnixNano())
	sp.outcome.Store(outcome)
}

// ProgressSnapshot is a reading of a StreamProgress.
type ProgressSnapshot struct {
	Name  string
	Done  int64
	Total int64
	Rows  int64
	// MinCalls is the least number of API calls the stream's data needed.
	MinCalls int64
	Elapsed  time.Duration
	Outcome  string // "" while running or waiting
	Started  bool
	// Warnings are what the stream could not do in full (Warn).
	Warnings []string
}

// ETA estimates the time left from the pace so far; 0 when unknown.
func (s ProgressSnapshot) ETA() time.Duration {
	if s.Done <= 0 || s.Total <= s.Done || s.Outcome != "" {
		return 0
	}
	per := s.Elapsed / time.Duration(s.Done)
	return per * time.Duration(s.Total-s.Done)
}

// Snapshot reads the stream's counters.
func (sp *StreamProgress) Snapshot() ProgressSnapshot {
	s := ProgressSnapshot{Name: sp.name, Done: sp.done.Load(), Total: sp.total.Load(), Rows: sp.rows.Load(), MinCalls: sp.minCall.Load()}
	sp.mu.Lock()
	s.Warnings = slices.Clone(sp.warnings)
	sp.mu.Unlock()
	if o, ok := sp.outcome.Load().(string); ok {
		s.Outcome = o
	}
	if st := sp.started.Load(); st != 0 {
		s.Started = true
		end := time.Now().UnixNano()
		if e := sp.ended.Load(); e != 0 {
			end = e
		}
		s.Elapsed = time.Duration(end - st)
	}
	return s
}
