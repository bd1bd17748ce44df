package console

import (
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/crypto/bcrypt"

	"github.com/usersync/syncer/internal/textfmt"
)

// handlerFunc is a page or action that needs a signed-in person.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session)

// crossOrigin refuses state-changing requests that a browser says come
// from another site (Sec-Fetch-Site, Origin): a second wall behind the
// CSRF token.
var crossOrigin = http.NewCrossOriginProtection()

// sameOrigin refuses a cross-origin POST before h runs.
func (c *Console) sameOrigin(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := crossOrigin.Check(r); err != nil {
			c.log.Warn("console request refused: cross-origin", "path", r.URL.Path, "remote", r.RemoteAddr)
			c.errorPage(w, r, nil, http.StatusForbidden, "This request came from another site, and was refused.")
			return
		}
		h(w, r)
	}
}

// authed wraps h: no session, no page (a GET is sent to the sign-in page,
// anything else refused); a POST needs the session's CSRF token and a
// same-origin request; approver limits h to approvers.
func (c *Console) authed(approver bool, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.session(w, r)
		post := r.Method != http.MethodGet && r.Method != http.MethodHead
		if s == nil {
			if post {
				c.errorPage(w, r, nil, http.StatusUnauthorized, "You are not signed in, or your session ended: sign in again.")
				return
			}
			http.Redirect(w, r, "/console/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if post {
			if err := crossOrigin.Check(r); err != nil {
				c.log.Warn("console request refused: cross-origin", "path", r.URL.Path, "user", s.user, "remote", r.RemoteAddr)
				c.errorPage(w, r, s, http.StatusForbidden, "This request came from another site, and was refused.")
				return
			}
			// A form of ours always carries the token; nothing else can
			// read it (the page is same-origin, the cookie HttpOnly).
			if !equalTokens(r.PostFormValue("csrf"), s.csrf) {
				c.log.Warn("console request refused: CSRF token missing or wrong", "path", r.URL.Path, "user", s.user, "remote", r.RemoteAddr)
				c.errorPage(w, r, s, http.StatusForbidden, "This form was not sent by a page of this session (its CSRF token is missing or wrong), so nothing was done. Reload the page and try again.")
				return
			}
		}
		if approver && s.role != RoleApprover {
			c.log.Warn("console request refused: not an approver", "path", r.URL.Path, "user", s.user, "role", string(s.role))
			c.errorPage(w, r, s, http.StatusForbidden, "Only an approver can do this; you are signed in as a viewer.")
			return
		}
		h(w, r, s)
	})
}

// session returns the request's session: the trusted proxy's user (a
// session is made for them on their first request), else the one the
// cookie names; nil when there is none.
func (c *Console) session(w http.ResponseWriter, r *http.Request) *session {
	var cur *session
	if ck, err := r.Cookie(c.cookieName(r)); err == nil {
		cur = c.sessions.get(ck.Value)
	}
	user := c.proxyUser(r)
	if user == "" {
		if cur != nil && cur.proxied {
			return nil // the proxy no longer vouches for them
		}
		return cur
	}
	if cur != nil && cur.proxied && cur.user == user {
		return cur
	}
	role := RoleViewer
	if c.approver[user] {
		role = RoleApprover
	}
	s := c.sessions.start(user, role, true)
	http.SetCookie(w, cookie(c.secure(r), cookieName, secureCookieName, s.id, 0))
	c.log.Info("console sign-in through the proxy", "user", user, "role", string(role))
	return s
}

// proxyUser is the user a trusted proxy vouches for, or "".
func (c *Console) proxyUser(r *http.Request) string {
	if c.cfg.ProxyUserHeader == "" {
		return ""
	}
	v := r.Header.Get(c.cfg.ProxyUserHeader)
	if v == "" || !c.fromTrustedProxy(r) {
		return ""
	}
	if !ValidName(v) {
		c.log.Warn("console: the proxy's user header holds no valid name; ignored", "header", c.cfg.ProxyUserHeader, "value", textfmt.Safe(v))
		return ""
	}
	return v
}

func (c *Console) cookieName(r *http.Request) string {
	if c.secure(r) {
		return secureCookieName
	}
	return cookieName
}

// loginView is the sign-in page.
type loginView struct {
	Token   string
	Next    string
	Name    string
	Message string
	Error   string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	if c.session(w, r) != nil {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	v := loginView{Next: safeNext(r.URL.Query().Get("next"))}
	if r.URL.Query().Get("signed_out") != "" {
		v.Message = "You are signed out."
	}
	c.renderLogin(w, r, http.StatusOK, v)
}

// renderLogin shows the sign-in form with a fresh token, the double-submit
// pair of a cookie and a hidden field: a sign-in form posted from another
// site has no way to know it.
func (c *Console) renderLogin(w http.ResponseWriter, r *http.Request, code int, v loginView) {
	v.Token = token()
	http.SetCookie(w, cookie(c.secure(r), loginCookieName, secureLoginName, v.Token, 3600))
	c.pages.render(w, code, "login", page{Title: "Sign in", Body: v})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	next := safeNext(r.PostFormValue("next"))
	name := strings.TrimSpace(r.PostFormValue("name"))
	ck, err := r.Cookie(map[bool]string{false: loginCookieName, true: secureLoginName}[c.secure(r)])
	if err != nil || !equalTokens(ck.Value, r.PostFormValue("csrf")) {
		c.log.Warn("console sign-in refused: CSRF token missing or wrong", "remote", r.RemoteAddr)
		c.renderLogin(w, r, http.StatusForbidden, loginView{Next: next, Name: name,
			Error: "This form was not sent by the sign-in page (its CSRF token is missing or wrong). Please sign in again."})
		return
	}
	if !ValidName(name) {
		c.renderLogin(w, r, http.StatusUnauthorized, loginView{Next: next, Error: "The name or the password is wrong."})
		return
	}
	if d := c.throttle.wait(name); d > 0 {
		c.log.Warn("console sign-in refused: too many failures", "user", name, "remote", r.RemoteAddr)
		c.renderLogin(w, r, http.StatusTooManyRequests, loginView{Next: next, Name: name,
			Error: "Too many wrong passwords for this name: wait half a minute and try again."})
		return
	}
	a, ok := c.accounts[name]
	hash := a.Hash
	if !ok {
		hash = dummyHash()
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) != nil || !ok {
		c.throttle.failed(name)
		c.log.Warn("console sign-in failed", "user", name, "known", ok, "remote", r.RemoteAddr)
		c.renderLogin(w, r, http.StatusUnauthorized, loginView{Next: next, Name: name, Error: "The name or the password is wrong."})
		return
	}
	c.throttle.succeeded(name)
	// A new session id at each sign-in: an id planted before cannot be
	// ridden (session fixation).
	if old, err := r.Cookie(c.cookieName(r)); err == nil {
		c.sessions.end(old.Value)
	}
	s := c.sessions.start(a.Name, a.Role, false)
	http.SetCookie(w, cookie(c.secure(r), cookieName, secureCookieName, s.id, 0))
	http.SetCookie(w, cookie(c.secure(r), loginCookieName, secureLoginName, "", -1))
	c.log.Info("console sign-in", "user", a.Name, "role", string(a.Role), "remote", r.RemoteAddr)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request, s *session) {
	c.sessions.end(s.id)
	http.SetCookie(w, cookie(c.secure(r), cookieName, secureCookieName, "", -1))
	c.log.Info("console sign-out", "user", s.user)
	http.Redirect(w, r, "/console/login?signed_out=1", http.StatusSeeOther)
}

// safeNext keeps a post-sign-in destination inside the console: anything
// else (another host, a scheme, a protocol-relative path) goes home.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix) || strings.ContainsAny(next, "\\\r\n\t") || strings.HasPrefix(next, "//") {
		return Prefix
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return Prefix
	}
	return next
}

// dummyHash is a bcrypt hash of a random password at HashCost, made once:
// an unknown name is checked against it, so that it takes as long to
// refuse as a known name with a wrong password.
var dummyHash = sync.OnceValue(func() []byte {
	h, err := bcrypt.GenerateFromPassword([]byte(token()[:32]), HashCost)
	if err != nil {
		panic(err)
	}
	return h
})
