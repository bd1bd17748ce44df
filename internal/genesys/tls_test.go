package genesys_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
)

// tlsEmu is an emulator behind a TLS server with httptest's self-signed
// certificate, recording every request that reached HTTP.
type tlsEmu struct {
	*emulator.Server
	ts *httptest.Server
	// other, when set, is presented instead of httptest's certificate.
	other atomic.Pointer[tls.Certificate]
	mu    sync.Mutex
	auth  []string // Authorization headers received
}

func newTLSEmu(t *testing.T) *tlsEmu {
	t.Helper()
	s, err := emulator.New(emulator.Config{Users: 50, RatePerMinute: -1})
	if err != nil {
		t.Fatal(err)
	}
	e := &tlsEmu{Server: s}
	e.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		e.mu.Lock()
		e.auth = append(e.auth, r.Header.Get("Authorization"))
		e.mu.Unlock()
		s.ServeHTTP(w, r)
	}))
	e.ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	e.ts.TLS = &tls.Config{GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		if c := e.other.Load(); c != nil {
			return &tls.Config{Certificates: []tls.Certificate{*c}}, nil
		}
		return nil, nil
	}}
	e.ts.StartTLS()
	t.Cleanup(e.ts.Close)
	return e
}

func (e *tlsEmu) received() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return append([]string(nil), e.auth...)
}

// trusting returns a transport whose only root is cert: a CA given
// explicitly.
func trusting(cert *x509.Certificate) *http.Transport {
	roots := x509.NewCertPool()
	roots.AddCert(cert)
	return &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
}

// checkUntrusted fails unless err is a certificate verification error
// naming host, without the secret, made of one attempt at endpoint.
func checkUntrusted(t *testing.T, c *genesys.Client, err error, host, secret, endpoint string) {
	t.Helper()
	var cv *tls.CertificateVerificationError
	switch {
	case err == nil:
		t.Fatal("the call succeeded against an untrusted certificate")
	case !errors.As(err, &cv):
		t.Errorf("err = %v (%T); want a *tls.CertificateVerificationError", err, err)
	case !strings.Contains(err.Error(), "certificate"):
		t.Errorf("err = %v; want it to say certificate", err)
	}
	if !strings.Contains(err.Error(), host) {
		t.Errorf("err = %v; want it to name the host %s", err, host)
	}
	if strings.Contains(err.Error(), secret) {
		t.Error("the error shows the client secret")
	}
	if n := c.Stats().Calls[endpoint][0]; n != 1 {
		t.Errorf("%s: %d attempts without an answer, want 1: a certificate failure is not retried", endpoint, n)
	}
}

// TLS verification is on by default: against a self-signed certificate
// the first call fails with a certificate error naming the host, sends no
// credentials, and is not retried; with the certificate's CA given
// explicitly the same server is fine.
func TestTLSVerifiedByDefault(t *testing.T) {
	t.Parallel()
	e := newTLSEmu(t)
	cfg := e.Config()
	host := e.ts.Listener.Addr().String()
	opts := []genesys.Option{genesys.WithBaseURL(e.ts.URL), genesys.WithCredentials(cfg.ClientID, cfg.ClientSecret), genesys.WithRetryPolicy(fastRetry)}

	c, err := genesys.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListUsers(context.Background(), nil)
	var te *genesys.TokenError
	if !errors.As(err, &te) {
		t.Errorf("err = %v; want a *TokenError (the login is the first request)", err)
	}
	checkUntrusted(t, c, err, host, cfg.ClientSecret, "POST /oauth/token")
	if got := e.received(); len(got) != 0 {
		t.Fatalf("the server received %d requests (Authorization %q) over an untrusted connection", len(got), got)
	}

	trusted, err := genesys.NewClient(append(opts, genesys.WithTransport(trusting(e.ts.Certificate())))...)
	if err != nil {
		t.Fatal(err)
	}
	users, err := trusted.ListUsers(context.Background(), nil)
	if err != nil || len(users.Entities) == 0 {
		t.Fatalf("with the CA given: %d users, err %v", len(users.Entities), err)
	}
	if got := e.received(); len(got) < 2 || !strings.HasPrefix(got[0], "Basic ") || !strings.HasPrefix(got[1], "Bearer ") {
		t.Errorf("with the CA given, the server received Authorization %q; want Basic then Bearer", got)
	}
}

// A server whose certificate stops being trusted after the login (a
// TLS-inspecting proxy put in between): the API call fails with a
// certificate error naming the API host and the token is not sent.
func TestTLSUntrustedAPIHostAfterLogin(t *testing.T) {
	t.Parallel()
	e := newTLSEmu(t)
	cfg := e.Config()
	host := e.ts.Listener.Addr().String()
	tr := trusting(e.ts.Certificate())
	c, err := genesys.NewClient(genesys.WithBaseURL(e.ts.URL), genesys.WithCredentials(cfg.ClientID, cfg.ClientSecret),
		genesys.WithRetryPolicy(fastRetry), genesys.WithTransport(tr))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ListUsers(context.Background(), nil); err != nil {
		t.Fatal(err)
	}
	before := len(e.received())
	other := selfSigned(t)
	e.other.Store(&other)
	tr.CloseIdleConnections() // the next call shakes hands again

	_, err = c.GetUser(context.Background(), "any-user-id", nil)
	var re *genesys.RequestError
	if !errors.As(err, &re) || re.Path != "/api/v2/users/{userId}" {
		t.Errorf("err = %v; want a *RequestError of GET /api/v2/users/{userId}", err)
	}
	checkUntrusted(t, c, err, host, cfg.ClientSecret, "GET /api/v2/users/{userId}")
	if got := e.received(); len(got) != before {
		t.Errorf("the server received %d more requests over an untrusted connection", len(got)-before)
	}
}

// selfSigned returns a certificate for 127.0.0.1 signed by its own key.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2),
		Subject:      pkix.Name{CommonName: "interceptor"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
