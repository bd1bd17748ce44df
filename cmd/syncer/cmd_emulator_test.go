package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the command goroutine and the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestEmulatorCommandServesUntilCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, []string{"emulator", "--users", "50", "--seed", "7", "--addr", "127.0.0.1:0",
			"--client-id", "ID", "--client-secret", "SECRET", "--rate", "0"}, &out, &errb)
	}()
	urlRE := regexp.MustCompile(`base URL:\s+(http://\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			break
		}
	}
	if base == "" {
		cancel()
		t.Fatalf("no base URL printed; stdout %q stderr %q", out.String(), errb.String())
	}
	for _, want := range []string{"client id:     ID", "client secret: SECRET", "rate limit:    off", "50 users, seed 7"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout %q lacks %q", out.String(), want)
		}
	}
	req, _ := http.NewRequest("POST", base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth("ID", "SECRET")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login with the printed credentials: %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != exitOK {
			t.Fatalf("exit code %d, stderr %q", code, errb.String())
		}
		if !strings.Contains(out.String(), "stopped after 1 requests (200: 1)") {
			t.Fatalf("no request summary at shutdown: %q", out.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("emulator did not stop after cancel")
	}
}

func TestEmulatorCommandRejectsBadFlags(t *testing.T) {
	t.Parallel()
	var out, errb bytes.Buffer
	if code := dispatch(context.Background(), []string{"emulator", "--users", "-3"}, &out, &errb); code != exitUsage {
		t.Fatalf("--users -3: exit %d, want %d", code, exitUsage)
	}
	if code := dispatch(context.Background(), []string{"emulator", "--error-rate", "2", "--addr", "127.0.0.1:0"}, &out, &errb); code != exitUsage {
		t.Fatalf("--error-rate 2: exit %d, want %d (stderr %q)", code, exitUsage, errb.String())
	}
}

// --deny-permission (repeatable) takes permissions away from the emulated
// OAuth client: the endpoints that need them answer 403 as Genesys does.
func TestEmulatorCommandDenyPermission(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- dispatch(ctx, []string{"emulator", "--users", "20", "--addr", "127.0.0.1:0", "--client-id", "ID", "--client-secret", "SECRET",
			"--deny-permission", "routing:queue:view", "--deny-permission", "authorization:role:view"}, &out, &errb)
	}()
	urlRE := regexp.MustCompile(`base URL:\s+(http://\S+)`)
	var base string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && base == ""; time.Sleep(20 * time.Millisecond) {
		if m := urlRE.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatalf("no base URL printed; stdout %q stderr %q", out.String(), errb.String())
	}
	if !strings.Contains(out.String(), "denied:        authorization:role:view, routing:queue:view") {
		t.Errorf("stdout does not list the denied permissions: %q", out.String())
	}
	req, _ := http.NewRequest("POST", base+"/oauth/token", strings.NewReader("grant_type=client_credentials"))
	req.SetBasicAuth("ID", "SECRET")
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{"/api/v2/routing/queues": 403, "/api/v2/authorization/roles": 403, "/api/v2/users": 200} {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s = %d %s, want %d", path, resp.StatusCode, body, want)
		}
		if want == 403 && !strings.Contains(string(body), `"code":"missing.any.permissions"`) {
			t.Errorf("GET %s: body %s is not a missing.any.permissions error", path, body)
		}
	}
	cancel()
	if code := <-done; code != exitOK {
		t.Fatalf("exit code %d, stderr %q", code, errb.String())
	}

	// A permission no endpoint needs (routing:queueMember:view does not
	// exist in Genesys Cloud) is a usage error with a suggestion.
	var o, e bytes.Buffer
	if code := dispatch(context.Background(), []string{"emulator", "--addr", "127.0.0.1:0", "--deny-permission", "routing:queueMember:view"}, &o, &e); code != exitUsage ||
		!strings.Contains(e.String(), `did you mean "routing:queueMember:manage"?`) {
		t.Errorf("unknown permission: exit %d, stderr %q", code, e.String())
	}
}
