package preflight

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"

	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/textfmt"
)

// Login is what the login check calls; *genesys.Client has it.
type Login interface {
	Login(ctx context.Context) error
	TokenURL() string
}

// LoginTarget names what the login uses, for the messages: never the
// client id or the secret, only the variables that hold them.
type LoginTarget struct {
	// Region is genesys.region ("" when genesys.base_url is set).
	Region string
	// IDEnv and SecretEnv name the environment variables of the client id
	// and secret.
	IDEnv, SecretEnv string
}

// CheckLogin gets a token with the client credentials (one request) and
// says, on failure, where it tried (the region and the login host) and
// why: the host does not resolve, the connection was refused or timed
// out, the certificate is not trusted, or the login server refused the
// credentials (401 invalid_client) or the grant.
func CheckLogin(ctx context.Context, api Login, t LoginTarget) Check {
	host := api.TokenURL()
	if u, err := url.Parse(host); err == nil && u.Host != "" {
		host = u.Host
	}
	where := "login host " + host
	if t.Region != "" {
		where = "region " + t.Region + ", " + where
	}
	err := api.Login(ctx)
	if err == nil {
		return Check{Status: OK, Name: "genesys login", Detail: where + ": token granted (client credentials)"}
	}
	return Check{Status: Fail, Name: "genesys login", Detail: where + ": " + loginFailure(err, t)}
}

func loginFailure(err error, t LoginTarget) string {
	var te *genesys.TokenError
	if !errors.As(err, &te) {
		return textfmt.Safe(err.Error())
	}
	creds := fmt.Sprintf("check $%s and $%s: they must be an OAuth client of this region's org", t.IDEnv, t.SecretEnv)
	switch {
	case te.Code == "invalid_client" || te.Status == 401:
		code := te.Code
		if code == "" {
			code = "unauthorized"
		}
		return fmt.Sprintf("the login server refused the client id or secret (%d %s): %s", te.Status, textfmt.Safe(code), creds)
	case te.Code == "unauthorized_client" || te.Code == "unsupported_grant_type" || te.Code == "invalid_grant":
		return fmt.Sprintf("the login server refused the grant (%d %s): the OAuth client must use the Client Credentials grant", te.Status, textfmt.Safe(te.Code))
	case te.Status == 429:
		return fmt.Sprintf("the login server answered 429 (rate limited; retry after %v)", te.RetryAfter)
	case te.Status >= 500:
		return fmt.Sprintf("the login server answered %d: try again later", te.Status)
	case te.Status != 0:
		return fmt.Sprintf("the login server answered %d %s", te.Status, textfmt.Safe(te.Code))
	}
	return "no answer: " + transportFailure(te.Err, "genesys.region (or genesys.base_url)")
}

// transportFailure names a connection failure: DNS, refused, timeout,
// certificate. key is the setting that chose the host.
func transportFailure(err error, key string) string {
	var dns *net.DNSError
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var certErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &dns):
		return fmt.Sprintf("DNS: %s does not resolve (check %s)", textfmt.Safe(dns.Name), key)
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connect: connection refused (nothing listens there; check " + key + ")"
	case errors.Is(err, context.DeadlineExceeded) || isTimeout(err):
		return "timed out (a firewall or proxy may be dropping the connection)"
	case errors.As(err, &unknownCA), errors.As(err, &hostname), errors.As(err, &certErr):
		return "TLS: the server's certificate is not trusted (" + textfmt.Safe(err.Error()) + ")"
	case errors.Is(err, syscall.ECONNRESET):
		return "connect: connection reset"
	}
	return textfmt.Safe(err.Error())
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}
