package pipeline

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"sync"
)

// Handoff names a value one stream hands the streams that declared they
// need it (Stream.After or Stream.Awaits): the reference data, the user
// ids. Only the stream From puts it; a stream reads it with Get (the final
// value, once From committed) or Updates (each value as it is put).
type Handoff[T any] struct {
	// From is the stream that puts the value.
	From string
	// What names the value in errors ("user ids").
	What string
}

// Put hands v over. It panics when o's stream is not h.From: a value has
// one producer.
func Put[T any](o *Out, h Handoff[T], v T) {
	if o.stream.Name != h.From {
		panic(fmt.Sprintf("pipeline: stream %s puts %s, which stream %s hands over", o.stream.Name, h.What, h.From))
	}
	o.run.put(h.From+"\x00"+h.What, v)
}

// Get waits until stream h.From has finished and returns the last value it
// put, when it committed. It fails, wrapping ErrDependencyFailed, when
// h.From is not in the run, did not succeed or put nothing, and with ctx's
// error when ctx ends first. It panics when o's stream did not declare
// h.From (After or Awaits): a dependency is declared, never discovered.
func Get[T any](ctx context.Context, o *Out, h Handoff[T]) (T, error) {
	var zero T
	o.mustNeed(h.From, h.What)
	done, ok := o.run.done[h.From]
	if !ok {
		return zero, fmt.Errorf("%s needs the %s of stream %s, which is not in the run: %w", o.stream.Name, h.What, h.From, ErrDependencyFailed)
	}
	select {
	case <-done:
	case <-ctx.Done():
		return zero, ctx.Err()
	}
	if !o.run.succeededOf(h.From) {
		return zero, fmt.Errorf("%s needs the %s of stream %s, which did not succeed: %w", o.stream.Name, h.What, h.From, ErrDependencyFailed)
	}
	vals, _ := o.run.values(h.From + "\x00" + h.What)
	if len(vals) == 0 {
		return zero, fmt.Errorf("%s needs the %s of stream %s, which handed none over: %w", o.stream.Name, h.What, h.From, ErrDependencyFailed)
	}
	return vals[len(vals)-1].(T), nil
}

// Updates yields every value stream h.From puts, as it puts them, until
// h.From has finished (or ctx ends): a stream deciding early from what
// another learns as it goes. It yields nothing when h.From is not in the
// run, and panics, as Get, when o's stream did not declare h.From.
func Updates[T any](ctx context.Context, o *Out, h Handoff[T]) iter.Seq[T] {
	o.mustNeed(h.From, h.What)
	key := h.From + "\x00" + h.What
	return func(yield func(T) bool) {
		done, ok := o.run.done[h.From]
		if !ok {
			return
		}
		for i := 0; ; {
			vals, changed := o.run.values(key)
			for ; i < len(vals); i++ {
				if !yield(vals[i].(T)) {
					return
				}
			}
			select {
			case <-changed:
			case <-done:
				if vals, _ := o.run.values(key); i == len(vals) {
					return
				}
			case <-ctx.Done():
				return
			}
		}
	}
}

func (o *Out) mustNeed(from, what string) {
	if !o.stream.needs(from) {
		panic(fmt.Sprintf("pipeline: stream %s reads the %s of stream %s without declaring it in After or Awaits", o.stream.Name, what, from))
	}
}

// runState is what the streams of one run share: when each finished and
// whether it committed, and the values they handed over.
type runState struct {
	done map[string]chan struct{} // closed when the stream finished, whatever its outcome

	mu        sync.Mutex
	succeeded map[string]bool
	handed    map[string][]any
	changed   map[string]chan struct{} // closed and replaced at each put
}

func newRunState(streams []Stream) *runState {
	r := &runState{done: make(map[string]chan struct{}, len(streams)), succeeded: map[string]bool{},
		handed: map[string][]any{}, changed: map[string]chan struct{}{}}
	for _, s := range streams {
		r.done[s.Name] = make(chan struct{})
	}
	return r
}

func (r *runState) put(key string, v any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handed[key] = append(r.handed[key], v)
	if ch, ok := r.changed[key]; ok {
		close(ch)
	}
	r.changed[key] = make(chan struct{})
}

// values returns the values put under key so far and a channel closed at
// the next put.
func (r *runState) values(key string) ([]any, <-chan struct{}) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ch, ok := r.changed[key]
	if !ok {
		ch = make(chan struct{})
		r.changed[key] = ch
	}
	return r.handed[key], ch
}

func (r *runState) finish(stream string, ok bool) {
	r.mu.Lock()
	r.succeeded[stream] = ok
	r.mu.Unlock()
	close(r.done[stream])
}

func (r *runState) succeededOf(stream string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.succeeded[stream]
}

// handed returns the last value a run's stream put under h, when that
// stream committed: what a finished run learned (the org's sizes, for
// Costs).
func handed[T any](s Summary, h Handoff[T]) (T, bool) {
	var zero T
	if s.run == nil || !s.run.succeededOf(h.From) {
		return zero, false
	}
	vals, _ := s.run.values(h.From + "\x00" + h.What)
	if len(vals) == 0 {
		return zero, false
	}
	return vals[len(vals)-1].(T), true
}

// allHanded returns every value a run's stream put under h, when that
// stream committed.
func allHanded[T any](s Summary, h Handoff[T]) []T {
	if s.run == nil || !s.run.succeededOf(h.From) {
		return nil
	}
	vals, _ := s.run.values(h.From + "\x00" + h.What)
	out := make([]T, len(vals))
	for i, v := range vals {
		out[i] = v.(T)
	}
	return out
}

// ErrDependencyFailed marks a stream skipped, or failed, because one it
// needs did not succeed.
var ErrDependencyFailed = errors.New("a stream it depends on did not succeed")
