package genesys_test

import (
	"context"
	"errors"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
)

// A 403 reaches the caller as an *APIError that matches ErrForbidden and
// names the missing permission, in its message (what a failed run prints)
// and through MissingPermissions.
func TestForbiddenNamesTheMissingPermission(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 20, DeniedPermissions: []string{"authorization:role:view"}})
	c := e.client(t)
	_, err := c.ListRoles(context.Background(), &genesys.ReferenceOptions{ListOptions: genesys.ListOptions{PageSize: 1}})
	if !errors.Is(err, genesys.ErrForbidden) {
		t.Fatalf("ListRoles without authorization:role:view: %v, want ErrForbidden", err)
	}
	if !strings.Contains(err.Error(), "authorization:role:view") || !strings.Contains(err.Error(), "GET /api/v2/authorization/roles: 403") {
		t.Errorf("error %q does not name the endpoint and the permission", err)
	}
	var apiErr *genesys.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("%T is not an *APIError", err)
	}
	perms, anyOf := apiErr.MissingPermissions()
	if !slices.Equal(perms, []string{"authorization:role:view"}) || !anyOf {
		t.Errorf("MissingPermissions = %v, %v; want [authorization:role:view], true", perms, anyOf)
	}
	if st := c.Stats(); st.Calls["GET /api/v2/authorization/roles"][403] != 1 {
		t.Errorf("a 403 was retried or not counted: %+v", st.Calls)
	}
}

func TestMissingPermissionsParse(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status    int
		code, msg string
		want      []string
		wantAnyOf bool
	}{
		{403, "missing.permissions", "Unable to perform the requested action. You are missing the following permission(s): [authorization:grant:add, authorization:grant:delete]",
			[]string{"authorization:grant:add", "authorization:grant:delete"}, false},
		{403, "missing.any.permissions", "Unable to perform the requested action. You must have at least one of the following permissions assigned: [journey:actionmap:view]",
			[]string{"journey:actionmap:view"}, true},
		{403, "not.authorized", "You are not authorized to perform the requested action.", nil, false},
		{403, "missing.permissions", "no list", nil, false},
		{404, "missing.permissions", "[a:b:c]", nil, false},
	} {
		e := &genesys.APIError{Status: tc.status, Code: tc.code, Message: tc.msg}
		got, anyOf := e.MissingPermissions()
		if !slices.Equal(got, tc.want) || anyOf != tc.wantAnyOf {
			t.Errorf("%d %s %q: MissingPermissions = %v, %v; want %v, %v", tc.status, tc.code, tc.msg, got, anyOf, tc.want, tc.wantAnyOf)
		}
	}
}

// Login makes one token request: a wrong secret is a *TokenError with 401
// invalid_client that names the token URL and never the id or the secret;
// a host that does not resolve is a *TokenError without a status whose
// cause is a *net.DNSError.
func TestLogin(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 5, ClientID: "login-id-1234", ClientSecret: "login-secret-5678"})
	ctx := context.Background()
	if err := e.client(t).Login(ctx); err != nil {
		t.Fatalf("Login: %v", err)
	}
	bad, err := genesys.NewClient(genesys.WithBaseURL(e.ts.URL), genesys.WithCredentials("login-id-1234", "wrong-secret-9999"))
	if err != nil {
		t.Fatal(err)
	}
	if bad.TokenURL() != e.ts.URL+"/oauth/token" {
		t.Errorf("TokenURL = %q", bad.TokenURL())
	}
	err = bad.Login(ctx)
	var te *genesys.TokenError
	if !errors.As(err, &te) || te.Status != 401 || te.Code != "invalid_client" || !errors.Is(err, genesys.ErrUnauthorized) {
		t.Fatalf("Login with a wrong secret: %#v", err)
	}
	for _, secret := range []string{"login-id-1234", "wrong-secret-9999", "login-secret-5678"} {
		if strings.Contains(err.Error(), secret) {
			t.Errorf("error %q contains %q", err, secret)
		}
	}
	if n := e.Stats().Routes["POST /oauth/token"]["200"] + e.Stats().Routes["POST /oauth/token"]["401"]; n != 2 {
		t.Errorf("token requests = %d, want 2 (one per Login, no retry)", n)
	}

	nowhere, err := genesys.NewClient(genesys.WithBaseURL("https://login.nowhere.invalid"), genesys.WithCredentials("id", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	err = nowhere.Login(ctx)
	var dns *net.DNSError
	if !errors.As(err, &te) || te.Status != 0 || !errors.As(err, &dns) {
		t.Fatalf("Login to a host that does not resolve: %#v", err)
	}
}

// The server's words reach terminals and logs through Error: escaped.
func TestAPIErrorEscapesServerText(t *testing.T) {
	t.Parallel()
	e := &genesys.APIError{Method: "GET", Path: "/api/v2/routing/queues", Status: 403, Code: "missing.permissions\r",
		Message: "You are missing the following permission(s): [routing:queue:view]\x1b[2K\rall good", CorrelationID: "c\u202e1"}
	got := e.Error()
	if strings.ContainsAny(got, "\x1b\r\u202e") {
		t.Errorf("Error() = %q holds control or format characters", got)
	}
	if !strings.Contains(got, "[routing:queue:view]") || !strings.Contains(got, `\x1b[2K\rall good`) {
		t.Errorf("Error() = %q", got)
	}
}
