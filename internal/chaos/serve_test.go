package chaos

import (
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/usersync/syncer/internal/schedule/metricstest"
)

// served is a `syncer serve` process started by a test, listening.
type served struct {
	base    string // http://host:port
	logPath string // its stdout and stderr
	done    chan int
	stop    func() // SIGTERM
}

var servingRE = regexp.MustCompile(`"msg":"serving".*?"addr":"([^"]+)"`)

// serve starts `syncer serve` on e's config (which must set serve.addr to
// port 0) and waits until it listens. The process is killed at cleanup if
// the test has not stopped it.
func (e *env) serve(t *testing.T) *served {
	t.Helper()
	s := &served{logPath: filepath.Join(e.dir, "serve.log"), done: make(chan int, 1)}
	logf, err := os.Create(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := e.command(context.Background(), "serve")
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.stop = func() { _ = cmd.Process.Signal(syscall.SIGTERM) }
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		logf.Close()
		s.done <- cmd.ProcessState.ExitCode()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(s.log(t)); m != nil {
			s.base = "http://" + m[1]
			return s
		}
		select {
		case <-exited:
			t.Fatalf("serve exited before listening:\n%s", lastLines(s.log(t), 20))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("serve did not listen within 60s:\n%s", lastLines(s.log(t), 20))
		}
	}
}

// log returns what the process wrote so far.
func (s *served) log(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(s.logPath)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// get fetches one of serve's endpoints.
func (s *served) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(s.base + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return resp.StatusCode, string(b)
}

// metrics scrapes /metrics.
func (s *served) metrics(t *testing.T) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := s.get(t, "/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics = %d", code)
	}
	return metricstest.Parse(t, body)
}

// shutdown sends SIGTERM and returns the exit code.
func (s *served) shutdown(t *testing.T, within time.Duration) int {
	t.Helper()
	s.stop()
	select {
	case code := <-s.done:
		return code
	case <-time.After(within):
		t.Fatalf("serve did not stop within %s of SIGTERM:\n%s", within, lastLines(s.log(t), 20))
		return -1
	}
}

// sum adds the values of the series of family name whose labels include
// these (see metricstest.Sum).
func sum(mfs map[string]*dto.MetricFamily, name string, labels ...string) (float64, bool) {
	return metricstest.Sum(mfs[name], labels...)
}
