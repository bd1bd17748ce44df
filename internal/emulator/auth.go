package emulator

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/usersync/syncer/internal/emulator/wire"
)

// tokenStore holds the issued access tokens and their expiry.
type tokenStore struct {
	now func() time.Time
	ttl time.Duration

	mu      sync.Mutex
	tokens  map[string]time.Time
	revoked map[string]bool // tokens revoked, so a 401 can say why
}

func newTokenStore(now func() time.Time, ttl time.Duration) *tokenStore {
	return &tokenStore{now: now, ttl: ttl, tokens: map[string]time.Time{}, revoked: map[string]bool{}}
}

func (ts *tokenStore) issue() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	ts.mu.Lock()
	defer ts.mu.Unlock()
	now := ts.now()
	if len(ts.tokens) > 10000 {
		for t, exp := range ts.tokens {
			if now.After(exp) {
				delete(ts.tokens, t)
			}
		}
	}
	ts.tokens[tok] = now.Add(ts.ttl)
	return tok
}

// check reports whether tok is valid, and if not why.
func (ts *tokenStore) check(tok string) (ok bool, reason string) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	exp, found := ts.tokens[tok]
	switch {
	case !found && ts.revoked[tok]:
		return false, "The access token has been revoked"
	case !found:
		return false, "Invalid login credentials"
	case !ts.now().Before(exp):
		return false, "The access token has expired"
	}
	return true, ""
}

// revokeAll invalidates every token issued so far and returns how many.
func (ts *tokenStore) revokeAll() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	n := len(ts.tokens)
	if len(ts.revoked) > 100000 {
		clear(ts.revoked)
	}
	for t := range ts.tokens {
		ts.revoked[t] = true
	}
	clear(ts.tokens)
	return n
}

// RevokeTokens invalidates every access token issued so far: the next API
// call with one answers 401 and the client must log in again. It returns
// the number of tokens revoked.
func (s *Server) RevokeTokens() int { return s.tokens.revokeAll() }

// oauthError is the body of a failed token request (RFC 6749 §5.2, with the
// "description" Genesys Cloud adds).
type oauthError struct {
	Error            string `json:"error"`
	Description      string `json:"description"`
	ErrorDescription string `json:"error_description"`
}

type tokenResponse struct {
	AccessToken string `json:"access_token"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// handleToken serves POST /oauth/token: the client-credentials grant, with
// the client authenticated by HTTP Basic auth or by client_id/client_secret
// form fields.
func (s *Server) handleToken(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Content-Type") == "" {
		// Some clients post the form without a Content-Type; read it anyway.
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if err := r.ParseForm(); err != nil {
		wire.WriteJSON(w, http.StatusBadRequest, oauthError{"invalid_request", err.Error(), err.Error()})
		return
	}
	id, secret, basic := r.BasicAuth()
	if !basic {
		id, secret = r.PostForm.Get("client_id"), r.PostForm.Get("client_secret")
	}
	if id == "" {
		const msg = "client authentication is required (HTTP Basic or client_id/client_secret)"
		wire.WriteJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", msg, msg})
		return
	}
	if subtle.ConstantTimeCompare([]byte(id), []byte(s.cfg.ClientID)) != 1 ||
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.ClientSecret)) != 1 {
		const msg = "client not found or bad client secret"
		wire.WriteJSON(w, http.StatusUnauthorized, oauthError{"invalid_client", msg, msg})
		return
	}
	if gt := r.PostForm.Get("grant_type"); gt != "client_credentials" {
		msg := "unsupported grant_type " + quoteOrEmpty(gt) + "; only client_credentials is supported"
		wire.WriteJSON(w, http.StatusBadRequest, oauthError{"unsupported_grant_type", msg, msg})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	wire.WriteJSON(w, http.StatusOK, tokenResponse{
		AccessToken: s.tokens.issue(),
		TokenType:   "bearer",
		ExpiresIn:   int(s.cfg.TokenTTL / time.Second),
	})
}

func quoteOrEmpty(s string) string {
	if s == "" {
		return "(none)"
	}
	return `"` + s + `"`
}

// authenticate checks the bearer token of an API request, answering 401
// when it is missing, unknown, expired or revoked.
func (s *Server) authenticate(w http.ResponseWriter, r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	scheme, tok, _ := strings.Cut(h, " ")
	if !strings.EqualFold(scheme, "bearer") || strings.TrimSpace(tok) == "" {
		wire.WriteError(w, http.StatusUnauthorized, wire.CodeUnauthorized, "Authentication required: send an Authorization: Bearer token")
		return "", false
	}
	tok = strings.TrimSpace(tok)
	if ok, reason := s.tokens.check(tok); !ok {
		wire.WriteError(w, http.StatusUnauthorized, wire.CodeBadCredentials, "%s", reason)
		return "", false
	}
	return tok, true
}
