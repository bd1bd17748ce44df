package emulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestTokenGrant(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{ClientID: "cid", ClientSecret: "s3cret", TokenTTL: 90 * time.Minute})
	tests := []struct {
		name       string
		basic      [2]string
		form       url.Values
		wantStatus int
		wantError  string
	}{
		{name: "basic auth", basic: [2]string{"cid", "s3cret"}, form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 200},
		{name: "form fields", form: url.Values{"grant_type": {"client_credentials"}, "client_id": {"cid"}, "client_secret": {"s3cret"}}, wantStatus: 200},
		{name: "wrong secret", basic: [2]string{"cid", "nope"}, form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "unknown client", basic: [2]string{"other", "s3cret"}, form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "no credentials", form: url.Values{"grant_type": {"client_credentials"}}, wantStatus: 401, wantError: "invalid_client"},
		{name: "wrong grant", basic: [2]string{"cid", "s3cret"}, form: url.Values{"grant_type": {"password"}}, wantStatus: 400, wantError: "unsupported_grant_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req, _ := http.NewRequest("POST", e.ts.URL+"/oauth/token", strings.NewReader(tt.form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.basic[0] != "" {
				req.SetBasicAuth(tt.basic[0], tt.basic[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatalf("body: %v", err)
			}
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status = %d, want %d (%v)", resp.StatusCode, tt.wantStatus, body)
			}
			if tt.wantStatus == 200 {
				if body["token_type"] != "bearer" || body["expires_in"] != float64(5400) || body["access_token"] == "" {
					t.Fatalf("token answer = %v", body)
				}
				return
			}
			if body["error"] != tt.wantError {
				t.Fatalf("error = %v, want %s", body["error"], tt.wantError)
			}
			if strings.Contains(resp.Header.Get("Content-Type"), "s3cret") {
				t.Fatal("secret echoed")
			}
		})
	}
}

func TestBearerChecks(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Now: clock.Now, TokenTTL: time.Hour})
	fresh := e.token
	e.get("/api/v2/users", 200, nil)

	tests := []struct {
		name   string
		header string
		want   string // message fragment
	}{
		{"missing", "", "Authentication required"},
		{"not bearer", "Basic abc", "Authentication required"},
		{"unknown token", "Bearer nope", "Invalid login credentials"},
	}
	for _, tt := range tests {
		req, _ := http.NewRequest("GET", e.ts.URL+"/api/v2/users", nil)
		if tt.header != "" {
			req.Header.Set("Authorization", tt.header)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var body map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode != 401 || body["status"] != float64(401) || !strings.Contains(body["message"].(string), tt.want) {
			t.Errorf("%s: %d %v, want 401 saying %q", tt.name, resp.StatusCode, body, tt.want)
		}
	}

	// Expiry: a token is good until its TTL has passed.
	clock.Advance(59 * time.Minute)
	e.get("/api/v2/users", 200, nil)
	clock.Advance(time.Minute)
	r := e.do("GET", "/api/v2/users", nil)
	if r.status != 401 || !strings.Contains(r.errorBody(t)["message"].(string), "expired") {
		t.Fatalf("expired token: %d %s", r.status, r.body)
	}

	// Revocation: every token issued so far stops working; a new login works.
	e.token = e.login()
	e.get("/api/v2/users", 200, nil)
	if n := e.s.RevokeTokens(); n < 2 {
		t.Fatalf("RevokeTokens = %d, want at least 2", n)
	}
	r = e.do("GET", "/api/v2/users", nil)
	if r.status != 401 || !strings.Contains(r.errorBody(t)["message"].(string), "revoked") {
		t.Fatalf("revoked token: %d %s", r.status, r.body)
	}
	if r := e.doToken(fresh, "GET", "/api/v2/users", nil); r.status != 401 {
		t.Fatalf("first token after revoke: %d", r.status)
	}
	e.token = e.login()
	e.get("/api/v2/users", 200, nil)
}

func TestUnknownAPIPathIsAuthenticatedThen404(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{})
	if r := e.doToken("", "GET", "/api/v2/nothing/here", nil); r.status != 401 {
		t.Fatalf("no token: %d", r.status)
	}
	r := e.get("/api/v2/nothing/here", 404, nil)
	if r.errorBody(t)["code"] != "not.found" {
		t.Fatalf("body %s", r.body)
	}
}
