package console

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"sync"
	"time"
)

// session is one signed-in person, kept in memory: a restart, or another
// replica, asks them to sign in again.
type session struct {
	id      string
	user    string
	role    Role
	csrf    string
	proxied bool // authenticated by the trusted proxy's header
	created time.Time
	seen    time.Time
}

// maxSessions bounds the sessions kept; past it the least recently seen
// one is dropped.
const maxSessions = 10_000

// sessions is the in-memory session table.
type sessions struct {
	idle, max time.Duration
	now       func() time.Time

	mu   sync.Mutex
	byID map[string]*session
}

func newSessions(idle, max time.Duration, now func() time.Time) *sessions {
	return &sessions{idle: idle, max: max, now: now, byID: map[string]*session{}}
}

// token returns 32 random bytes, base64url.
func token() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

// start creates a session for user.
func (ss *sessions) start(user string, role Role, proxied bool) *session {
	now := ss.now()
	s := &session{id: token(), user: user, role: role, csrf: token(), proxied: proxied, created: now, seen: now}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.purgeLocked(now)
	if len(ss.byID) >= maxSessions {
		var oldest *session
		for _, o := range ss.byID {
			if oldest == nil || o.seen.Before(oldest.seen) {
				oldest = o
			}
		}
		delete(ss.byID, oldest.id)
	}
	ss.byID[s.id] = s
	return s
}

// get returns the live session id names, marking it seen; nil when there
// is none or it expired (idle for longer than idle, or older than max).
func (ss *sessions) get(id string) *session {
	if id == "" {
		return nil
	}
	now := ss.now()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.byID[id]
	if s == nil {
		return nil
	}
	if ss.expired(s, now) {
		delete(ss.byID, id)
		return nil
	}
	s.seen = now
	cp := *s
	return &cp
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	return now.Sub(s.seen) > ss.idle || now.Sub(s.created) > ss.max
}

// end forgets a session.
func (ss *sessions) end(id string) {
	ss.mu.Lock()
	delete(ss.byID, id)
	ss.mu.Unlock()
}

func (ss *sessions) purgeLocked(now time.Time) {
	for id, s := range ss.byID {
		if ss.expired(s, now) {
			delete(ss.byID, id)
		}
	}
}

// equalTokens compares two tokens in constant time; an empty one never
// matches.
func equalTokens(a, b string) bool {
	return a != "" && b != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// Cookie names. Over TLS the session cookie takes the __Host- prefix, which
// browsers accept only when Secure, for this host and the whole site.
const (
	cookieName       = "syncer_console"
	secureCookieName = "__Host-syncer_console"
	loginCookieName  = "syncer_console_login"
	secureLoginName  = "__Host-syncer_console_login"
)

// cookie returns a cookie of the console: HttpOnly, SameSite=Strict, and
// Secure (with the __Host- prefix) when the request came over TLS.
func cookie(secure bool, plain, prefixed, value string, maxAge int) *http.Cookie {
	c := &http.Cookie{Name: plain, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode, MaxAge: maxAge}
	if secure {
		c.Name, c.Secure = prefixed, true
	}
	return c
}

// throttle slows password guessing: after maxFailures failed sign-ins of
// one name within failureWindow, that name may try again only lockout
// after its latest failure.
type throttle struct {
	now func() time.Time
	mu  sync.Mutex
	by  map[string]*failures
}

type failures struct {
	n     int
	first time.Time
	last  time.Time
}

const (
	maxFailures   = 5
	failureWindow = 15 * time.Minute
	lockout       = 30 * time.Second
	// maxThrottled bounds the names remembered.
	maxThrottled = 10_000
)

// wait returns how long name must wait before its next attempt.
func (t *throttle) wait(name string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	f := t.by[name]
	now := t.now()
	if f == nil || now.Sub(f.first) > failureWindow || f.n < maxFailures {
		return 0
	}
	return max(0, f.last.Add(lockout).Sub(now))
}

func (t *throttle) failed(name string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.by == nil || len(t.by) >= maxThrottled {
		t.by = map[string]*failures{}
	}
	f := t.by[name]
	if f == nil || now.Sub(f.first) > failureWindow {
		f = &failures{first: now}
		t.by[name] = f
	}
	f.n++
	f.last = now
}

func (t *throttle) succeeded(name string) {
	t.mu.Lock()
	delete(t.by, name)
	t.mu.Unlock()
}
