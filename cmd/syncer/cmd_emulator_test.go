package main

import (
	"bytes"
	"context"
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
