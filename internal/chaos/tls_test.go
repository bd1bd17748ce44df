package chaos

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// `syncer run` against an API with a self-signed certificate fails with a
// certificate error naming the host, without the secret and without any
// request reaching the server; trusting the certificate through
// SSL_CERT_FILE (the config has no TLS option, and no way to skip
// verification) makes the same run succeed.
func TestTLSVerifiedByDefault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, 40, 91, "")
	var reached atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reached.Add(1)
		e.srv.ServeHTTP(w, r)
	}))
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	ts.StartTLS()
	t.Cleanup(ts.Close)
	e.writeConfig(t, ts.URL, "")
	host := ts.Listener.Addr().String()

	code, out, stderr := e.syncer(t, context.Background(), "run", "nightly")
	noPanic(t, "untrusted certificate", stderr)
	switch {
	case code == 0:
		t.Fatal("the run succeeded against an untrusted certificate")
	case !strings.Contains(stderr, "certificate") || !strings.Contains(stderr, host):
		t.Errorf("stderr does not name the certificate failure and the host %s:\n%s", host, lastLines(stderr, 5))
	}
	if strings.Contains(out+stderr, clientSecret) {
		t.Error("the client secret appears in the output")
	}
	if n := reached.Load(); n != 0 {
		t.Errorf("%d requests reached the server over an untrusted connection", n)
	}
	addCount(&tally.inputs, 1)
	t.Logf("untrusted certificate: exit %d: %s", code, lastLines(stderr, 1))

	ca := filepath.Join(e.dir, "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ts.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := e.command(context.Background(), "run", "nightly")
	cmd.Env = append(cmd.Env, "SSL_CERT_FILE="+ca)
	var outb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &outb, &outb
	if err := cmd.Run(); err != nil {
		t.Fatalf("run with SSL_CERT_FILE trusting the certificate: %v\n%s", err, lastLines(outb.String(), 5))
	}
	if reached.Load() == 0 {
		t.Error("the trusted run made no request")
	}
}
