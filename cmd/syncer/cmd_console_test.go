package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/usersync/syncer/internal/console"
)

func TestHashPassword(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := runHashPassword(strings.NewReader("correct-horse-battery\n"), &out, &errb, "ana", "approver"); code != exitOK {
		t.Fatalf("hash-password = %d: %s", code, errb.String())
	}
	line := strings.TrimSpace(out.String())
	accounts, err := console.ParseAccounts(strings.NewReader(line), "output")
	if err != nil || len(accounts) != 1 || accounts[0].Name != "ana" || accounts[0].Role != console.RoleApprover {
		t.Fatalf("the printed entry %q does not parse as ana's account: %v", line, err)
	}
	if bcrypt.CompareHashAndPassword(accounts[0].Hash, []byte("correct-horse-battery")) != nil {
		t.Error("the hash does not match the password")
	}
	if cost, _ := bcrypt.Cost(accounts[0].Hash); cost != console.HashCost {
		t.Errorf("cost %d, want %d", cost, console.HashCost)
	}
	if strings.Contains(out.String()+errb.String(), "correct-horse") {
		t.Error("the password was printed")
	}
	out.Reset()
	if code := runHashPassword(strings.NewReader("short\n"), &out, &errb, "", "viewer"); code != exitFailure || out.Len() != 0 {
		t.Errorf("a short password = %d, printed %q", code, out.String())
	}
	for _, args := range [][]string{{"console"}, {"console", "hash"}, {"console", "hash-password", "--role", "admin"}, {"console", "hash-password", "--user", "a b"}} {
		if code := dispatch(context.Background(), args, io.Discard, io.Discard); code != exitUsage {
			t.Errorf("%q = %d, want %d", args, code, exitUsage)
		}
	}
}

// Not parallel: the test sets environment variables.
func TestServeRefusesAConsoleNobodyCanSignInTo(t *testing.T) {
	e := newCLIEnv(t, 10, "  ref:\n    streams: [reference]\n")
	appendFile(t, e.cfg, "serve:\n  console:\n    enabled: true\n")
	t.Setenv(console.DefaultAccountsEnv, "")
	code, _, errOut := e.syncer(t, "serve", "--config", e.cfg)
	if code != exitFailure || !strings.Contains(errOut, "nobody can sign in") || !strings.Contains(errOut, console.DefaultAccountsEnv) {
		t.Errorf("serve with the console on and no account = %d:\n%s", code, errOut)
	}
	t.Setenv(console.DefaultAccountsEnv, "ana:approver:not-a-hash-but-a-password")
	code, _, errOut = e.syncer(t, "serve", "--config", e.cfg)
	if code != exitFailure || !strings.Contains(errOut, "not a bcrypt hash") || strings.Contains(errOut, "not-a-hash-but-a-password") {
		t.Errorf("serve with a plain-text password = %d:\n%s", code, errOut)
	}
}

// The demo ends with the console's address and a login that works.
// Not parallel: the test sets environment variables.
func TestDemoEndsWithTheConsole(t *testing.T) {
	e := newCLIEnv(t, 60, "  nightly:\n    schedule: \"@every 1h\"\n    streams: [reference]\n")
	e.migrate(t)
	cfg, err := loadConfig(e.cfg)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	f, err := newForward(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	out := &syncBuffer{}
	d := &demo{out: out, consoleAddr: "127.0.0.1:0", interactive: true}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.console(ctx, f, log) }()
	loginRE := regexp.MustCompile(`(http://\S+/console/)\n\s+sign in as (\S+), password (\S+) `)
	var m []string
	waitUntil(t, 30*time.Second, "the demo to print the console's address", func() bool {
		m = loginRE.FindStringSubmatch(out.String())
		return m != nil
	})
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(m[1] + "login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindSubmatch(page)
	if token == nil {
		t.Fatalf("no sign-in form at %s:\n%s", m[1], page)
	}
	resp, err = c.PostForm(m[1]+"login", url.Values{"csrf": {string(token[1])}, "name": {m[2]}, "password": {m[3]}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "approver") || !strings.Contains(string(body), "nightly") {
		t.Errorf("signing in with the printed login = %d:\n%s", resp.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("the demo's console step = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the demo's console did not stop with its context")
	}
	if !strings.Contains(out.String(), "until Ctrl-C ends the demo") {
		t.Errorf("the demo did not say how to end it:\n%s", out.String())
	}
}
