package emulator

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/usersync/syncer/internal/emulator/analytics"
	"github.com/usersync/syncer/internal/emulator/wire"
)

// Server is an emulated Genesys Cloud org served over HTTP. It is an
// http.Handler; Start serves it on a listener. All methods are safe for
// concurrent use.
type Server struct {
	cfg Config
	mux *http.ServeMux

	// mu guards org: handlers that read take RLock, every change Lock.
	mu  sync.RWMutex
	org *org

	tokens    *tokenStore
	limiter   *rateLimiter
	faults    *faultInjector
	stats     *statsRecorder
	analytics *analytics.Service

	// denied holds the permissions the emulated OAuth client lacks
	// (permissions.go); never nil.
	denied atomic.Pointer[map[string]bool]
	// apiPatterns are the /api/v2 route patterns registered, in order.
	apiPatterns []string

	corrPrefix [24]byte
	corrSeq    atomic.Uint64
}

// New generates the org described by cfg and returns a Server for it.
func New(cfg Config) (*Server, error) {
	cfg = cfg.withDefaults()
	if cfg.Users < 0 {
		return nil, fmt.Errorf("emulator: users must be positive, got %d", cfg.Users)
	}
	if err := cfg.Faults.validate(); err != nil {
		return nil, fmt.Errorf("emulator: faults: %w", err)
	}
	s := &Server{
		cfg:     cfg,
		mux:     http.NewServeMux(),
		org:     newOrg(cfg),
		tokens:  newTokenStore(cfg.Now, cfg.TokenTTL),
		limiter: newRateLimiter(cfg.Now, cfg.RatePerMinute),
		faults:  newFaultInjector(cfg.Seed, cfg.Now),
		stats:   newStatsRecorder(),
	}
	s.denied.Store(&map[string]bool{})
	if err := s.DenyPermissions(cfg.DeniedPermissions...); err != nil {
		return nil, err
	}
	s.mountAnalytics()
	s.faults.set(cfg.Faults)
	var p [12]byte
	_, _ = rand.Read(p[:])
	hex.Encode(s.corrPrefix[:], p[:])
	s.routes()
	return s, nil
}

// newOrg generates the org cfg describes, on cfg's clock.
func newOrg(cfg Config) *org {
	o := generateAt(cfg.Seed, cfg.Users, cfg.Epoch)
	o.now = cfg.Now
	return o
}

// Config returns the server's configuration with defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// ServeHTTP serves one request: it sets ININ-Correlation-Id, routes the
// request and counts it by route template and status.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w}
	sw.Header().Set(wire.CorrelationHeader, s.correlationID())
	s.mux.ServeHTTP(sw, r)
	status := sw.status
	if sw.hijacked {
		status = 0
	} else if status == 0 {
		status = http.StatusOK
	}
	s.stats.record(r.Pattern, status)
}

// correlationID returns a UUID-shaped id unique within the process.
func (s *Server) correlationID() string {
	n := s.corrSeq.Add(1)
	var b [36]byte
	p := s.corrPrefix
	copy(b[0:8], p[0:8])
	b[8] = '-'
	copy(b[9:13], p[8:12])
	b[13] = '-'
	copy(b[14:18], p[12:16])
	b[18] = '-'
	copy(b[19:23], p[16:20])
	b[23] = '-'
	copy(b[24:28], p[20:24])
	for k := 35; k >= 28; k-- {
		b[k] = hexDigits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// api wraps a /api/v2 handler in the request pipeline, outermost first:
// faults (latency, connection reset, 5xx, 429 storm), bearer token check,
// per-token rate limit, permission check (403, permissions.go), handler. A
// fault or a refusal therefore always answers before the handler runs: a
// faulted or forbidden write is never applied, never half applied. The one
// exception, a corrupted page, only ever strikes a GET.
func (s *Server) api(rule permRule, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.faults.inject(w, r) {
			return
		}
		token, ok := s.authenticate(w, r)
		if !ok {
			return
		}
		if !s.limiter.allow(w, token) {
			return
		}
		if s.forbidden(w, rule) {
			return
		}
		if c := s.faults.corruption(r); c != nil {
			serveCorrupted(w, r, h, c)
			return
		}
		h(w, r)
	})
}

// read runs f under the org read lock.
func (s *Server) read(f func(o *org)) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	f(s.org)
}

// write runs f under the org write lock. Every change to the org must go
// through it: it moves the org's write sequence on, which invalidates the
// rendered-user cache.
func (s *Server) write(f func(o *org)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.org.seq++
	f(s.org)
}

// statusWriter records the status of a response for the stats.
type statusWriter struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach the connection (hijack, flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// ListenAndServe serves s on addr (host:port; port 0 picks a free one)
// until ctx is cancelled, then shuts down gracefully. ready, when not nil,
// is called with the base URL (http://host:port) once the listener is open.
func (s *Server) ListenAndServe(ctx context.Context, addr string, ready func(baseURL string)) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("emulator: listen on %s: %w", addr, err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	base := "http://" + ln.Addr().String()
	s.cfg.Logger.Info("emulator listening", "url", base, "users", s.cfg.Users, "seed", s.cfg.Seed)
	if ready != nil {
		ready(base)
	}
	select {
	case err := <-done:
		return fmt.Errorf("emulator: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("emulator: shutdown: %w", err)
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("emulator: serve: %w", err)
	}
	return nil
}
