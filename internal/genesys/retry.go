package genesys

import (
	"cmp"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"syscall"
	"time"
)

// RetryPolicy says which failed attempts are tried again and how long to
// wait. Its zero value is the default policy; every field states its
// default.
//
// What is retried:
//   - 429 on every request (the server did not carry it out), waiting its
//     Retry-After, unless Retry-After exceeds MaxRetryAfter: then the call
//     fails at once with ErrRateLimited (as the Go SDK gives up past 180 s);
//   - 5xx except 501, network errors and attempt timeouts, on every request
//     except POST /api/v2/users. GET, PUT, PATCH and DELETE are idempotent;
//     so are the POSTs this client sends other than create (users search and
//     bulk grant, membership and external-id writes, whose repetition has
//     the effect of one). An analytics job submit is retried too: a duplicate
//     job is harmless (nobody reads it and it expires) but holds one of the
//     org's concurrent-job slots until it completes; losing the submit to a
//     network blip would cost a whole window instead.
//   - POST /api/v2/users is retried only when the server certainly did not
//     carry it out (a 429, a refused connection); any other failure returns
//     an *OutcomeUnknownError so the caller looks the user up first.
//   - A 401 is retried once with a fresh token.
//   - A server certificate that fails verification is never retried (see
//     untrusted): the error names the host.
type RetryPolicy struct {
	// MaxRetries caps retries after 5xx, network errors and timeouts.
	// Default 4; negative means none.
	MaxRetries int
	// MaxRateLimitRetries caps retries after 429. Default 10; negative
	// means none.
	MaxRateLimitRetries int
	// BaseDelay is the first backoff; each retry doubles it, with jitter.
	// Default 500 ms.
	BaseDelay time.Duration
	// MaxDelay caps one backoff. Default 30 s.
	MaxDelay time.Duration
	// MaxRetryAfter is the longest Retry-After the client waits for.
	// Default 180 s.
	MaxRetryAfter time.Duration
	// AttemptTimeout is the deadline of one HTTP attempt, body included.
	// Default 60 s.
	AttemptTimeout time.Duration
	// CallTimeout is the deadline of a whole call, retries and waits
	// included; 0 means only the caller's context bounds it. Default 0.
	CallTimeout time.Duration
}

// Default retry policy values.
const (
	DefaultMaxRetries          = 4
	DefaultMaxRateLimitRetries = 10
	DefaultBaseDelay           = 500 * time.Millisecond
	DefaultMaxDelay            = 30 * time.Second
	DefaultMaxRetryAfter       = 180 * time.Second
	DefaultAttemptTimeout      = 60 * time.Second
)

func (p RetryPolicy) withDefaults() RetryPolicy {
	p.MaxRetries = cmp.Or(p.MaxRetries, DefaultMaxRetries)
	p.MaxRateLimitRetries = cmp.Or(p.MaxRateLimitRetries, DefaultMaxRateLimitRetries)
	p.BaseDelay = cmp.Or(p.BaseDelay, DefaultBaseDelay)
	p.MaxDelay = cmp.Or(p.MaxDelay, DefaultMaxDelay)
	p.MaxRetryAfter = cmp.Or(p.MaxRetryAfter, DefaultMaxRetryAfter)
	p.AttemptTimeout = cmp.Or(p.AttemptTimeout, DefaultAttemptTimeout)
	p.MaxRetries = max(p.MaxRetries, 0)
	p.MaxRateLimitRetries = max(p.MaxRateLimitRetries, 0)
	return p
}

// backoff is the wait before retry n (1-based): exponential with equal
// jitter, so waits spread out but never collapse to zero.
func (p RetryPolicy) backoff(n int) time.Duration {
	d := p.BaseDelay
	for i := 1; i < n && d < p.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, p.MaxDelay)
	half := d / 2
	return half + rand.N(half+1)
}

// retryableStatus reports a status worth another attempt of an idempotent
// request.
func retryableStatus(status int) bool {
	return status >= 500 && status != http.StatusNotImplemented
}

// notSent reports a transport error that certainly happened before the
// request reached the server, so even a non-idempotent request may be sent
// again.
func notSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	return errors.Is(err, syscall.ECONNREFUSED) || untrusted(err)
}

// untrusted reports a server certificate that failed verification (unknown
// authority, wrong host name, expired): the TLS handshake stopped before
// the request, its credentials or token were sent, and trying again cannot
// help, so it is never retried.
func untrusted(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		hn x509.HostnameError
		ci x509.CertificateInvalidError
	)
	return errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &hn) || errors.As(err, &ci)
}
