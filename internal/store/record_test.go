package store_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

func TestBeginExclusiveRunInterruptsOnlyItsPipeline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, true)
	orphan, err := s.StartRun(ctx, "feed:hr")
	if err != nil {
		t.Fatal(err)
	}
	other, err := s.StartRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	id, err := s.BeginExclusiveRun(ctx, "feed:hr")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		id               int64
		status, errorMsg string
	}{
		{orphan, store.StatusInterrupted, "the process running it stopped before it finished"},
		{other, store.StatusRunning, ""},
		{id, store.StatusRunning, ""},
	} {
		r, err := s.Run(ctx, tt.id)
		if err != nil || r.Status != tt.status || r.Error != tt.errorMsg {
			t.Errorf("run %d = %s %q (%v), want %s %q", tt.id, r.Status, r.Error, err, tt.status, tt.errorMsg)
		}
	}
}

func TestStatusOf(t *testing.T) {
	t.Parallel()
	live := context.Background()
	done, cancel := context.WithCancel(context.Background())
	cancel()
	boom := errors.New("boom")
	for _, tt := range []struct {
		name string
		ctx  context.Context
		err  error
		want string
	}{
		{"no error", live, nil, store.StatusSucceeded},
		{"no error, ctx ended after", done, nil, store.StatusSucceeded},
		{"error", live, boom, store.StatusFailed},
		{"error once ctx ended", done, boom, store.StatusInterrupted},
		{"cancellation", live, errors.Join(boom, context.Canceled), store.StatusInterrupted},
	} {
		if got := store.StatusOf(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: StatusOf = %s, want %s", tt.name, got, tt.want)
		}
	}
}

// EndRun records the end of a run whose context is over, and waits out a
// database that does not answer; it does not hide a run that had ended.
func TestEndRunOutlivesTheRunAndTheOutage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(t)
	direct := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema})
	if _, err := direct.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	px := newProxy(t, dbURL)
	pool := px.pool(t, schema)
	s := store.New(pool, store.Config{Schema: schema})

	// Cancelled: recorded all the same.
	id, err := s.BeginExclusiveRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := s.EndRun(cctx, id, store.RunResult{Status: store.StatusInterrupted, Error: "stopped"}); err != nil {
		t.Fatalf("EndRun with a cancelled context: %v", err)
	}
	if r, err := direct.Run(ctx, id); err != nil || r.Status != store.StatusInterrupted || r.Error != "stopped" {
		t.Errorf("run %d = %+v, %v", id, r, err)
	}
	// Ended already: a conflict at the first attempt is the caller's to see.
	if err := s.EndRun(ctx, id, store.RunResult{Status: store.StatusSucceeded}); !errors.Is(err, store.ErrConflict) {
		t.Errorf("EndRun of an ended run: %v, want ErrConflict", err)
	}

	// The database goes away for a while: EndRun retries until it is back.
	id, err = s.BeginExclusiveRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	px.setDown(true)
	pool.Reset() // no connection survives the outage
	back := make(chan struct{})
	go func() {
		defer close(back)
		for px.refused.Load() < 2 {
			time.Sleep(10 * time.Millisecond)
		}
		px.setDown(false)
	}()
	if err := s.EndRun(ctx, id, store.RunResult{Status: store.StatusFailed, Error: "database went away"}); err != nil {
		t.Fatalf("EndRun across an outage: %v", err)
	}
	<-back
	if r, err := direct.Run(ctx, id); err != nil || r.Status != store.StatusFailed || r.Error != "database went away" {
		t.Errorf("run %d after the outage = %+v, %v", id, r, err)
	}
	if n := px.refused.Load(); n < 2 {
		t.Errorf("the proxy refused %d connections: EndRun did not meet the outage", n)
	}
	// Stream runs get the same.
	if err := direct.StartStreamRun(ctx, id, "users"); err != nil {
		t.Fatal(err)
	}
	if err := s.EndStreamRun(cctx, id, "users", store.RunResult{Status: store.StatusFailed, Error: "x"}); err != nil {
		t.Fatalf("EndStreamRun with a cancelled context: %v", err)
	}
	if sr, err := direct.StreamRuns(ctx, id); err != nil || len(sr) != 1 || sr[0].Status != store.StatusFailed {
		t.Errorf("stream runs = %+v, %v", sr, err)
	}
}

// proxy forwards TCP to the test database; while down it closes every
// connection and refuses new ones, as a database restarting does.
type proxy struct {
	ln       net.Listener
	upstream string
	mu       sync.Mutex
	down     bool
	conns    map[net.Conn]struct{}
	refused  atomic.Int64
}

func newProxy(t *testing.T, dbURL string) *proxy {
	t.Helper()
	cfg, err := pgx.ParseConfig(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, upstream: net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port))), conns: map[net.Conn]struct{}{}}
	t.Cleanup(func() { ln.Close(); p.setDown(true) })
	go p.serve()
	return p
}

// pool is a pool on schema through the proxy.
func (p *proxy) pool(t *testing.T, schema string) *pgxpool.Pool {
	t.Helper()
	cfg, err := pgxpool.ParseConfig(pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	addr := p.ln.Addr().(*net.TCPAddr)
	cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Fallbacks = addr.IP.String(), uint16(addr.Port), nil
	cfg.ConnConfig.RuntimeParams["search_path"] = pgx.Identifier{schema}.Sanitize()
	cfg.ConnConfig.ConnectTimeout = 2 * time.Second
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}

func (p *proxy) setDown(down bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = down
	if down {
		for c := range p.conns {
			c.Close()
		}
	}
}

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down {
			p.mu.Unlock()
			p.refused.Add(1)
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", p.upstream)
		if err != nil {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.conns[c], p.conns[up] = struct{}{}, struct{}{}
		p.mu.Unlock()
		go p.pipe(c, up)
		go p.pipe(up, c)
	}
}

func (p *proxy) pipe(dst, src net.Conn) {
	_, _ = io.Copy(dst, src)
	dst.Close()
	src.Close()
	p.mu.Lock()
	delete(p.conns, dst)
	delete(p.conns, src)
	p.mu.Unlock()
}
