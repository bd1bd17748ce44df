package config

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestConsoleKeys(t *testing.T) {
	t.Parallel()
	yml := `serve:
  console:
    enabled: true
    accounts_env: MY_ACCOUNTS
    accounts_file: /run/secrets/console
    session_idle: 10m
    session_max: 8h
    proxy_user_header: X-Forwarded-User
    trusted_proxies: [10.0.0.5, 10.0.1.0/24, "::1"]
    proxy_approvers: [alice@example.com]
`
	cfg, err := Parse("c.yaml", []byte(yml), env())
	if err != nil {
		t.Fatal(err)
	}
	c := cfg.Serve.Console
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.5/32"), netip.MustParsePrefix("10.0.1.0/24"), netip.MustParsePrefix("::1/128")}
	if !c.Enabled || c.AccountsEnv != "MY_ACCOUNTS" || c.AccountsFile != "/run/secrets/console" || c.SessionIdle != 10*time.Minute ||
		c.SessionMax != 8*time.Hour || c.ProxyUserHeader != "X-Forwarded-User" || !slices.Equal(c.Proxies, want) || c.ProxyApprovers[0] != "alice@example.com" {
		t.Errorf("serve.console = %+v", c)
	}
	// Off by default, and the defaults are the console package's (zero here).
	def, err := Parse("c.yaml", []byte("{}"), env())
	if err != nil {
		t.Fatal(err)
	}
	if d := def.Serve.Console; d.Enabled || d.AccountsEnv != "" || d.SessionIdle != 0 || d.ProxyUserHeader != "" {
		t.Errorf("serve.console without keys = %+v, want off and zero", d)
	}
}

func TestConsoleKeysRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ yml, want string }{
		{"serve:\n  console:\n    accounts_env: alice:approver:$2a$12$abcdefghijklmnopqrstuv\n", "serve.console.accounts_env: not an environment variable name"},
		{"serve:\n  console:\n    session_idle: -5m\n", "serve.console.session_idle: must be a positive duration"},
		{"serve:\n  console:\n    proxy_user_header: X-Forwarded-User\n", "serve.console.trusted_proxies: needed with proxy_user_header"},
		{"serve:\n  console:\n    proxy_user_header: \"X User: 1\"\n    trusted_proxies: [127.0.0.1]\n", "serve.console.proxy_user_header: not a header name"},
		{"serve:\n  console:\n    trusted_proxies: [proxy.example.com]\n", "c.yaml:3: serve.console.trusted_proxies[0]: not an IP address or network"},
		{"serve:\n  console:\n    proxy_approvers: [\"<b>x</b>\"]\n", "serve.console.proxy_approvers[0]: not a user name"},
		{"serve:\n  console:\n    password: hunter2hunter2\n", "serve.console"},
	} {
		_, err := Parse("c.yaml", []byte(tc.yml), env())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: err = %v, want %q", tc.yml, err, tc.want)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") || strings.Contains(err.Error(), "$2a$") || strings.Contains(err.Error(), "proxy.example.com") {
			t.Errorf("%q: the error repeats the value: %v", tc.yml, err)
		}
	}
}
