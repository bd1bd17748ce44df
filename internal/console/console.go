package console

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

// Prefix is the path the console is served under, on serve's address.
const Prefix = "/console/"

// maxForm bounds the body of a POST.
const maxForm = 64 << 10

// Defaults of Config.
const (
	DefaultSessionIdle = 30 * time.Minute
	DefaultSessionMax  = 12 * time.Hour
	// DefaultAccountsEnv is the environment variable accounts are read
	// from (serve.console.accounts_env).
	DefaultAccountsEnv = "SYNCER_CONSOLE_ACCOUNTS"
)

// Config configures a Console. The zero value serves every page to nobody:
// it has no accounts and trusts no proxy.
type Config struct {
	// Accounts may sign in with a password.
	Accounts []Account
	// ProxyUserHeader, when set, is the header in which a trusted
	// authenticating proxy (oauth2-proxy, an SSO gateway) names the user it
	// authenticated, e.g. X-Forwarded-User. It is believed only on requests
	// whose peer address is in TrustedProxies; elsewhere it is ignored.
	ProxyUserHeader string
	// TrustedProxies are the addresses of that proxy. Required with
	// ProxyUserHeader. X-Forwarded-Proto from them says whether the browser
	// used TLS (for Secure cookies).
	TrustedProxies []netip.Prefix
	// ProxyApprovers are the proxy's users who get the approver role; the
	// others are viewers. An account of the same name does not change that.
	ProxyApprovers []string
	// SessionIdle ends a session unused this long. Default 30m.
	SessionIdle time.Duration
	// SessionMax ends a session this long after sign-in. Default 12h.
	SessionMax time.Duration
	// Location is the time zone pages show times in. Default UTC.
	Location *time.Location
	// Logger receives sign-ins, refusals, approvals and rejections.
	// Default: discard.
	Logger *slog.Logger
	// Now is the clock of sessions and throttling. Default time.Now.
	Now func() time.Time
}

// Source is what the console reads and acts on, all of it wired by `syncer
// serve`.
type Source struct {
	// Store returns the database; nil while the service is not ready.
	Store func() *store.Store
	// Jobs returns the scheduler's view of its pipelines and scheduled
	// feeds; nil while the service is not ready.
	Jobs func() []schedule.JobStatus
	// Feeds are the configured feeds, by name.
	Feeds []Feed
	// Trigger, when set, asks the scheduler to run a job now (after an
	// approval, the feed's job, which applies the approved plan).
	Trigger func(job string) bool
}

// Feed is a configured HR feed, as the feeds page shows it.
type Feed struct {
	Name     string
	Path     string
	Mode     string
	Schedule string
}

// Console is the web console: an http.Handler for everything under
// Prefix.
type Console struct {
	cfg      Config
	src      Source
	log      *slog.Logger
	accounts map[string]Account
	approver map[string]bool
	sessions *sessions
	throttle *throttle
	pages    *pages
	mux      *http.ServeMux
}

// New checks cfg and returns a Console over src.
func New(cfg Config, src Source) (*Console, error) {
	cfg.SessionIdle = cmp.Or(cfg.SessionIdle, DefaultSessionIdle)
	cfg.SessionMax = cmp.Or(cfg.SessionMax, DefaultSessionMax)
	cfg.Location = cmp.Or(cfg.Location, time.UTC)
	cfg.Logger = cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.SessionIdle < 0 || cfg.SessionMax < 0 {
		return nil, errors.New("console: session durations must be positive")
	}
	if cfg.ProxyUserHeader != "" {
		if len(cfg.TrustedProxies) == 0 {
			return nil, errors.New("console: a proxy user header needs the proxy's addresses (trusted proxies): anyone else could send the header")
		}
		if http.CanonicalHeaderKey(cfg.ProxyUserHeader) == "Cookie" || strings.ContainsAny(cfg.ProxyUserHeader, " :") {
			return nil, errors.New("console: the proxy user header is not a header name")
		}
	}
	c := &Console{
		cfg: cfg, src: src, log: cfg.Logger,
		accounts: map[string]Account{},
		approver: map[string]bool{},
		sessions: newSessions(cfg.SessionIdle, cfg.SessionMax, cfg.Now),
		throttle: &throttle{now: cfg.Now},
	}
	for _, a := range cfg.Accounts {
		if _, dup := c.accounts[a.Name]; dup {
			return nil, fmt.Errorf("console: account %s listed twice", a.Name)
		}
		c.accounts[a.Name] = a
	}
	for _, n := range cfg.ProxyApprovers {
		c.approver[n] = true
	}
	p, err := newPages(cfg.Location)
	if err != nil {
		return nil, err
	}
	c.pages = p
	c.routes()
	return c, nil
}

// ServeHTTP serves the console. Every answer carries headers that forbid
// scripts, framing and caching; every page but the sign-in page and the
// style sheet needs a session; every POST needs the session's CSRF token
// and a same-origin browser request.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No script runs, whatever a page holds: the pages have none, and an
	// injected one is refused by the browser.
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	if r.Method == http.MethodPost {
		// The console's forms are a few short fields.
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
	}
	c.mux.ServeHTTP(w, r)
}

func (c *Console) routes() {
	m := http.NewServeMux()
	m.HandleFunc("GET /console/static/style.css", c.style)
	m.HandleFunc("GET /console/login", c.loginPage)
	m.HandleFunc("POST /console/login", c.sameOrigin(c.login))
	m.Handle("POST /console/logout", c.authed(false, c.logout))
	m.Handle("GET /console/{$}", c.authed(false, c.db(c.pipelinesPage)))
	m.Handle("GET /console/runs", c.authed(false, c.db(c.runsPage)))
	m.Handle("GET /console/runs/{id}", c.authed(false, c.db(c.runPage)))
	m.Handle("GET /console/feeds", c.authed(false, c.db(c.feedsPage)))
	m.Handle("GET /console/plans", c.authed(false, c.db(c.plansPage)))
	m.Handle("GET /console/plans/{id}", c.authed(false, c.db(c.planPage)))
	m.Handle("POST /console/plans/{id}/approve", c.authed(true, c.db(c.decide(true))))
	m.Handle("POST /console/plans/{id}/reject", c.authed(true, c.db(c.decide(false))))
	m.Handle("/console/", c.authed(false, func(w http.ResponseWriter, r *http.Request, s *session) {
		c.errorPage(w, r, s, http.StatusNotFound, "There is no such page.")
	}))
	c.mux = m
}

// secure reports whether the browser reached us over TLS: directly, or
// through a trusted proxy that says so.
func (c *Console) secure(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	return c.fromTrustedProxy(r) && strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

func (c *Console) fromTrustedProxy(r *http.Request) bool {
	if len(c.cfg.TrustedProxies) == 0 {
		return false
	}
	ap, err := netip.ParseAddrPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	addr := ap.Addr().Unmap()
	for _, p := range c.cfg.TrustedProxies {
		if p.Contains(addr) {
			return true
		}
	}
	return false
}
