package pipeline

import (
	"context"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/load"
)

// Stream is one unit of a run, loaded in one transaction. The forward
// streams are built from the registry (ForwardStreams); a caller with a
// one-off read (the reverse path's refreshes) may build one by hand.
type Stream struct {
	// Name identifies the stream and its watermark (e.g. "users").
	Name string
	// Tables are the tables the stream loads. When set, a stream that
	// writes another fails before it commits, so a table missed in the
	// declaration (and in the docs, which are made from it) cannot go
	// unnoticed.
	Tables []string
	// After names streams that must have committed before this one starts
	// (hard dependencies): the stream is skipped when one of them did not
	// succeed.
	After []string
	// Awaits names streams whose results this one may wait for mid-run
	// (soft dependencies: Get, Updates), without waiting to start. A
	// stream awaited need not be in the run; Get then says so.
	Awaits []string
	// Snapshot declares that the stream delivers the complete current state
	// of what it loads, so rows it did not see are marked deleted at commit.
	// Unless Run returns a watermark, the stream's watermark is then the
	// time its read began.
	Snapshot bool
	// Run reads the stream, sends its batches on out and closes out when it
	// has sent the last (the runner closes it when Run returns, in case).
	// prev is the watermark the stream last committed in this pipeline
	// (the zero Watermark when it never has): an incremental stream plans
	// its reads from it. Run returns the watermark to commit with the
	// batches (nil for none). It must return promptly with an error when
	// ctx is cancelled.
	Run func(ctx context.Context, prev load.Watermark, out *Out) (*load.Watermark, error)
	// Load is the form of a one-off stream that writes into its
	// transaction itself: exactly one of Run and Load is set.
	Load func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error)
}

// needs reports whether the stream declared name as a dependency.
func (s *Stream) needs(name string) bool {
	for _, lists := range [][]string{s.After, s.Awaits} {
		for _, n := range lists {
			if n == name {
				return true
			}
		}
	}
	return false
}

// Batch is one batch of a stream: it writes its rows into the stream's
// transaction and returns how many rows it delivered. The runner loads a
// stream's batches one at a time, in the order they were sent, while the
// stream reads on.
type Batch func(ctx context.Context, tx *load.Tx) (rows int64, err error)

// Out is where a stream's Run sends its batches, and its view of the run:
// its progress and what other streams hand it (Put, Get, Updates).
type Out struct {
	ch     chan Batch
	ready  chan struct{} // holds a token while the loader waits for a batch
	close  sync.Once
	prog   *StreamProgress
	stream *Stream
	run    *runState
}

func newOut(s *Stream, p *StreamProgress, run *runState) *Out {
	return &Out{ch: make(chan Batch), ready: make(chan struct{}, 1), prog: p, stream: s, run: run}
}

// Send hands b to the loader, waiting while it loads the previous batch,
// unless ctx ends first.
func (o *Out) Send(ctx context.Context, b Batch) error {
	select {
	case o.ch <- b:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitReady waits until the loader waits for the next batch, so that a
// relay takes an item from its producer only then: the producer's buffer
// bounds what is read ahead, as if it sent to the loader itself.
func (o *Out) waitReady(ctx context.Context) error {
	select {
	case <-o.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// giveBack returns the token waitReady took, for a relay that took it and
// had nothing left to send.
func (o *Out) giveBack() {
	select {
	case o.ready <- struct{}{}:
	default:
	}
}

// next returns the next batch for the loader, false when the stream closed
// its output.
func (o *Out) next() (Batch, bool) {
	o.giveBack() // the loader waits: a relay may take its next item
	b, ok := <-o.ch
	return b, ok
}

// Close says the stream has sent its last batch. It may be called more
// than once.
func (o *Out) Close() { o.close.Do(func() { close(o.ch) }) }

// Progress is the stream's progress, for the extract producers it runs.
func (o *Out) Progress() *StreamProgress { return o.prog }

// InRun reports whether the stream named is part of the run.
func (o *Out) InRun(stream string) bool {
	_, ok := o.run.done[stream]
	return ok
}

// Relay runs produce, which sends on the channel it is given and closes it
// when it returns (as every producer of package extract does), and turns
// each item into a batch with batch, sending it on out: a stream's Run over
// an extract producer, without a goroutine or a close of its own. room is
// the channel's buffer: how far the reads may run ahead of the loader (an
// item is taken from it only when the loader waits for a batch, so no more
// is held).
func Relay[T any](ctx context.Context, out *Out, room int, produce func(ctx context.Context, items chan<- T) error, batch func(T) Batch) error {
	return consume(ctx, room, produce, func(ctx context.Context, items <-chan T) error {
		for {
			if err := out.waitReady(ctx); err != nil {
				return err
			}
			it, ok := <-items
			if !ok {
				out.giveBack() // another relay of the stream may wait for it
				return nil
			}
			if err := out.Send(ctx, batch(it)); err != nil {
				return err
			}
		}
	})
}

// RelayBatches is Relay for a producer that makes the batches itself.
func RelayBatches(ctx context.Context, out *Out, room int, produce func(ctx context.Context, batches chan<- Batch) error) error {
	return Relay(ctx, out, room, produce, func(b Batch) Batch { return b })
}

// consume runs produce and use side by side over a channel of room
// items, which produce closes, and returns the first error of either.
func consume[T any](ctx context.Context, room int, produce func(ctx context.Context, items chan<- T) error, use func(ctx context.Context, items <-chan T) error) error {
	items := make(chan T, room)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error { return produce(gctx, items) })
	g.Go(func() error { return use(gctx, items) })
	return g.Wait()
}
