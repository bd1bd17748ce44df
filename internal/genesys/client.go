package genesys

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/usersync/syncer/internal/clock"
	"github.com/usersync/syncer/internal/ratelimit"
)

// DefaultUserAgent is sent when WithUserAgent is not given.
const DefaultUserAgent = "syncer-genesys-client/1"

// tokenEndpoint is the accounting key of token requests.
const tokenEndpoint = "POST /oauth/token"

// maxBody bounds the body read from one answer.
const maxBody = 256 << 20

// Client calls the Genesys Cloud Platform API v2 with OAuth client
// credentials. It is safe for concurrent use; every call goes through its
// rate budget.
type Client struct {
	apiBase   string // scheme://host, no trailing slash
	tokenURL  string
	httpc     *http.Client
	budget    *ratelimit.Budget
	retry     RetryPolicy
	logger    *slog.Logger
	userAgent string
	tokens    *tokenSource
	acct      *Accounting
}

// Option configures NewClient.
type Option func(*options)

type options struct {
	region       string
	baseURL      string
	loginURL     string
	clientID     string
	clientSecret string
	httpc        *http.Client
	transport    http.RoundTripper
	budget       *ratelimit.Budget
	retry        RetryPolicy
	logger       *slog.Logger
	userAgent    string
}

// WithRegion selects a Genesys Cloud region by domain (mypurecloud.ie) or
// name (eu-west-1); see Regions.
func WithRegion(region string) Option { return func(o *options) { o.region = region } }

// WithBaseURL sets one base URL for both the API and the login server, as
// the emulator serves them (http://127.0.0.1:8089). It overrides WithRegion.
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// WithLoginURL sets the login server of a base URL setup when it is not the
// base URL's host (a proxy in front of the API only, for example). It is
// ignored with WithRegion, whose login host is the region's.
func WithLoginURL(u string) Option { return func(o *options) { o.loginURL = u } }

// WithCredentials sets the OAuth client id and secret.
func WithCredentials(clientID, clientSecret string) Option {
	return func(o *options) { o.clientID, o.clientSecret = clientID, clientSecret }
}

// WithHTTPClient sets the HTTP client used for the API and the login server.
// Its Timeout should be zero: the retry policy sets per-attempt deadlines.
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.httpc = c } }

// WithTransport sets the transport of the default HTTP client.
func WithTransport(rt http.RoundTripper) Option { return func(o *options) { o.transport = rt } }

// WithBudget sets the rate budget, to share one between clients of the same
// OAuth client. Default: a budget of ratelimit.Config's defaults (300/min).
func WithBudget(b *ratelimit.Budget) Option { return func(o *options) { o.budget = b } }

// WithRetryPolicy sets the retry policy; zero fields take their defaults.
func WithRetryPolicy(p RetryPolicy) Option { return func(o *options) { o.retry = p } }

// WithLogger sets the logger (Warn per retry, Debug per token). Default
// discards.
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.logger = l } }

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option { return func(o *options) { o.userAgent = ua } }

// NewClient returns a client. It needs credentials and a region or a base
// URL; it makes no request until the first call.
func NewClient(opts ...Option) (*Client, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	var apiBase, loginBase string
	switch {
	case o.baseURL != "":
		u, err := url.Parse(o.baseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("genesys: base URL %q is not an http(s) URL", o.baseURL)
		}
		apiBase = u.Scheme + "://" + u.Host + strings.TrimSuffix(u.Path, "/")
		loginBase = apiBase
		if o.loginURL != "" {
			l, err := url.Parse(o.loginURL)
			if err != nil || (l.Scheme != "http" && l.Scheme != "https") || l.Host == "" {
				return nil, fmt.Errorf("genesys: login URL %q is not an http(s) URL", o.loginURL)
			}
			loginBase = l.Scheme + "://" + l.Host + strings.TrimSuffix(l.Path, "/")
		}
	case o.region != "":
		r, err := LookupRegion(o.region)
		if err != nil {
			return nil, err
		}
		apiBase, loginBase = r.APIBase(), r.LoginBase()
	default:
		return nil, errors.New("genesys: no region or base URL")
	}
	if o.clientID == "" || o.clientSecret == "" {
		return nil, errors.New("genesys: client id and client secret are required")
	}
	httpc := o.httpc
	if httpc == nil {
		rt := o.transport
		if rt == nil {
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = 64
			rt = t
		}
		httpc = &http.Client{Transport: rt}
	}
	budget := o.budget
	if budget == nil {
		budget = ratelimit.New(ratelimit.Config{})
	}
	logger := o.logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		apiBase:   apiBase,
		tokenURL:  loginBase + "/oauth/token",
		httpc:     httpc,
		budget:    budget,
		retry:     o.retry.withDefaults(),
		logger:    logger,
		userAgent: o.userAgent,
		acct:      NewAccounting(),
	}
	if c.userAgent == "" {
		c.userAgent = DefaultUserAgent
	}
	c.tokens = &tokenSource{
		cfg: clientcredentials.Config{
			ClientID:     o.clientID,
			ClientSecret: o.clientSecret,
			TokenURL:     c.tokenURL,
			AuthStyle:    oauth2.AuthStyleInHeader,
		},
		httpc: httpc,
	}
	return c, nil
}

// Login fetches an access token with the client credentials, as the first
// call would, once and without retrying, and keeps it for the calls that
// follow. A refused or failed login returns a *TokenError: Status 401 with
// Code invalid_client for a wrong id or secret, Status 0 with the transport
// error (a DNS failure, a refused connection, an untrusted certificate)
// when the login server gave no answer. Neither names the id or the secret.
func (c *Client) Login(ctx context.Context) error {
	_, err := c.tokens.token(ctx, c)
	return err
}

// TokenURL returns the OAuth token endpoint the client logs in at
// (https://login.{region}/oauth/token, or the base URL's host).
func (c *Client) TokenURL() string { return c.tokenURL }

// Budget returns the client's rate budget.
func (c *Client) Budget() *ratelimit.Budget { return c.budget }

// Stats returns the client's counters since it was made. For one run's
// counters use WithAccounting, or Sub two snapshots.
func (c *Client) Stats() Stats { return c.acct.Snapshot() }

type priorityKey struct{}

// WithPriority returns a context whose calls take the budget at prio (apply
// traffic uses ratelimit.High). Default ratelimit.Low.
func WithPriority(ctx context.Context, prio ratelimit.Priority) context.Context {
	return context.WithValue(ctx, priorityKey{}, prio)
}

func priority(ctx context.Context) ratelimit.Priority {
	p, _ := ctx.Value(priorityKey{}).(ratelimit.Priority)
	return p
}

// tokenSource caches the access token, fetches a new one when it is about to
// expire, and drops it when the API refuses it.
type tokenSource struct {
	cfg   clientcredentials.Config
	httpc *http.Client

	mu  sync.Mutex
	tok *oauth2.Token
}

func (ts *tokenSource) token(ctx context.Context, c *Client) (*oauth2.Token, error) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok.Valid() {
		return ts.tok, nil
	}
	tctx, cancel := context.WithTimeout(context.WithValue(ctx, oauth2.HTTPClient, ts.httpc), c.retry.AttemptTimeout)
	defer cancel()
	tok, err := ts.cfg.Token(tctx)
	status := http.StatusOK
	var re *oauth2.RetrieveError
	switch {
	case errors.As(err, &re) && re.Response != nil:
		status = re.Response.StatusCode
	case err != nil:
		status = 0
	}
	for _, a := range c.accountings(ctx) {
		a.call(tokenEndpoint, status)
		if err == nil {
			a.token()
		}
	}
	if err != nil {
		te := &TokenError{URL: ts.cfg.TokenURL, Err: err}
		if re != nil {
			te.Code = re.ErrorCode
			if re.Response != nil {
				te.Status = re.Response.StatusCode
				te.RetryAfter, _ = ratelimit.ParseRetryAfter(re.Response.Header.Get(ratelimit.HeaderRetryAfter), time.Now())
			}
			// RetrieveError's text quotes the whole body; keep only the code.
			te.Err = fmt.Errorf("oauth2: %s %s", http.StatusText(te.Status), re.ErrorCode)
		}
		return nil, te
	}
	c.logger.Debug("genesys token fetched", "expires_in_s", int(time.Until(tok.Expiry).Seconds()))
	ts.tok = tok
	return tok, nil
}

// invalidate drops tok if it is still the cached token, so that the next
// call fetches a new one; a token another goroutine already replaced stays.
func (ts *tokenSource) invalidate(tok *oauth2.Token) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.tok != nil && tok != nil && ts.tok.AccessToken == tok.AccessToken {
		ts.tok = nil
	}
}

// call describes one API request.
type call struct {
	method string
	// tmpl is the path template, e.g. /api/v2/users/{userId}.
	tmpl string
	// path is the template with its parameters filled and escaped.
	path  string
	query url.Values
	body  any
	// create marks POST /api/v2/users: never retried blindly.
	create bool
}

// newCall fills the template's {params}, in order, with escaped args.
func newCall(method, tmpl string, args ...string) call {
	var b strings.Builder
	rest := tmpl
	for _, a := range args {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			panic("genesys: too many arguments for " + tmpl)
		}
		b.WriteString(rest[:i])
		b.WriteString(url.PathEscape(a))
		rest = rest[j+1:]
	}
	if strings.IndexByte(rest, '{') >= 0 {
		panic("genesys: too few arguments for " + tmpl)
	}
	b.WriteString(rest)
	return call{method: method, tmpl: tmpl, path: b.String()}
}

func (cl call) key() string { return cl.method + " " + cl.tmpl }

// answer is one attempt's HTTP answer.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// do runs a call with the retry policy and decodes a 2xx body into out
// (when out is not nil and the body is not empty).
func (c *Client) do(ctx context.Context, cl call, out any) error {
	if c.retry.CallTimeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.retry.CallTimeout)
		defer cancel()
	}
	var payload []byte
	if cl.body != nil {
		var err error
		if payload, err = json.Marshal(cl.body); err != nil {
			return fmt.Errorf("genesys: %s %s: encode body: %w", cl.method, cl.tmpl, err)
		}
	}
	accts := c.accountings(ctx)
	var (
		refreshed     bool
		retries       int
		limitRetries  int
		attempt       int
		lastTransport error
	)
	for {
		attempt++
		if attempt > 1 {
			for _, a := range accts {
				a.retry()
			}
		}
		ans, tok, err := c.attempt(ctx, cl, payload, accts)
		if err != nil {
			var te *TokenError
			if errors.As(err, &te) {
				if te.Status == http.StatusTooManyRequests && te.RetryAfter <= c.retry.MaxRetryAfter &&
					limitRetries < c.retry.MaxRateLimitRetries {
					limitRetries++
					if werr := c.retryAfterWait(ctx, cl, attempt, max(te.RetryAfter, ratelimit.DefaultRetryAfter), err, accts); werr != nil {
						return werr
					}
					continue
				}
				// The login server's 5xx and transport errors are transient;
				// an untrusted certificate is not.
				if (te.Status == 0 && !untrusted(err) || retryableStatus(te.Status)) && ctx.Err() == nil && retries < c.retry.MaxRetries {
					retries++
					if werr := c.backoffWait(ctx, cl, retries, err, accts); werr != nil {
						return werr
					}
					continue
				}
				return fmt.Errorf("genesys: %s %s: %w", cl.method, cl.tmpl, err)
			}
			if ctx.Err() != nil {
				// The caller's deadline or cancellation: never retried.
				return &RequestError{Method: cl.method, Path: cl.tmpl, Attempts: attempt, Err: errors.Join(ctx.Err(), err)}
			}
			lastTransport = err
			if cl.create && !notSent(err) {
				return &OutcomeUnknownError{Method: cl.method, Path: cl.tmpl, Err: err}
			}
			if retries < c.retry.MaxRetries && !untrusted(err) {
				retries++
				if werr := c.backoffWait(ctx, cl, retries, err, accts); werr != nil {
					return werr
				}
				continue
			}
			return &RequestError{Method: cl.method, Path: cl.tmpl, Attempts: attempt, Err: lastTransport}
		}

		switch {
		case ans.status >= 200 && ans.status < 300:
			if out == nil || len(bytes.TrimSpace(ans.body)) == 0 {
				return nil
			}
			if err := json.Unmarshal(ans.body, out); err != nil {
				return &RequestError{Method: cl.method, Path: cl.tmpl, Attempts: attempt, Err: fmt.Errorf("decode answer: %w", err)}
			}
			return nil

		case ans.status == http.StatusUnauthorized && !refreshed:
			refreshed = true
			c.tokens.invalidate(tok)
			c.logger.Warn("genesys token refused, refreshing", "endpoint", cl.key())
			continue

		case ans.status == http.StatusTooManyRequests:
			apiErr := c.apiError(cl, ans)
			if apiErr.RetryAfter > c.retry.MaxRetryAfter || limitRetries >= c.retry.MaxRateLimitRetries {
				return apiErr
			}
			limitRetries++
			if err := c.retryAfterWait(ctx, cl, attempt, max(apiErr.RetryAfter, ratelimit.DefaultRetryAfter), apiErr, accts); err != nil {
				return err
			}
			continue

		case retryableStatus(ans.status):
			apiErr := c.apiError(cl, ans)
			if cl.create {
				return &OutcomeUnknownError{Method: cl.method, Path: cl.tmpl, Err: apiErr}
			}
			if retries >= c.retry.MaxRetries {
				return apiErr
			}
			retries++
			if err := c.backoffWait(ctx, cl, retries, apiErr, accts); err != nil {
				return err
			}
			continue

		default:
			return c.apiError(cl, ans)
		}
	}
}

// retryAfterWait sleeps for a 429's Retry-After, counting the wait. The
// budget pauses every other caller until the same deadline.
func (c *Client) retryAfterWait(ctx context.Context, cl call, attempt int, wait time.Duration, cause error, accts []*Accounting) error {
	c.logger.Warn("genesys rate limited, waiting", "endpoint", cl.key(), "retry_after_ms", wait.Milliseconds(), "attempt", attempt)
	start := time.Now()
	if err := clock.Sleep(ctx, wait); err != nil {
		return &RequestError{Method: cl.method, Path: cl.tmpl, Attempts: attempt, Err: errors.Join(err, cause)}
	}
	for _, a := range accts {
		a.wait(time.Since(start))
	}
	return nil
}

// backoffWait sleeps before retry n, counting the wait.
func (c *Client) backoffWait(ctx context.Context, cl call, n int, cause error, accts []*Accounting) error {
	d := c.retry.backoff(n)
	c.logger.Warn("genesys call failed, retrying", "endpoint", cl.key(), "retry", n, "backoff_ms", d.Milliseconds(), "err", cause)
	start := time.Now()
	if err := clock.Sleep(ctx, d); err != nil {
		return &RequestError{Method: cl.method, Path: cl.tmpl, Attempts: n, Err: errors.Join(err, cause)}
	}
	for _, a := range accts {
		a.wait(time.Since(start))
	}
	return nil
}

// attempt makes one HTTP exchange under the budget.
func (c *Client) attempt(ctx context.Context, cl call, payload []byte, accts []*Accounting) (answer, *oauth2.Token, error) {
	tok, err := c.tokens.token(ctx, c)
	if err != nil {
		return answer{}, nil, err
	}
	permit, err := c.budget.Acquire(ctx, priority(ctx))
	if err != nil {
		return answer{}, tok, err
	}
	for _, a := range accts {
		a.wait(permit.Waited())
	}
	actx, cancel := context.WithTimeout(ctx, c.retry.AttemptTimeout)
	defer cancel()
	u := c.apiBase + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, cl.method, u, body)
	if err != nil {
		permit.Done(0, nil)
		return answer{}, tok, err
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.httpc.Do(req)
	if err != nil {
		permit.Done(0, nil)
		for _, a := range accts {
			a.call(cl.key(), 0)
		}
		return answer{}, tok, stripURL(err)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	resp.Body.Close()
	permit.Done(resp.StatusCode, resp.Header)
	for _, a := range accts {
		a.call(cl.key(), resp.StatusCode)
	}
	if err != nil {
		return answer{}, tok, fmt.Errorf("read answer (status %d): %w", resp.StatusCode, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: data}, tok, nil
}

// stripURL unwraps a *url.Error so that errors name the path template (the
// RequestError does) and not a URL full of ids and query values. A
// certificate failure keeps the host: it is the host that is not trusted.
func stripURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	if u, perr := url.Parse(ue.URL); perr == nil && untrusted(ue.Err) {
		return fmt.Errorf("%s: %w", u.Host, ue.Err)
	}
	return ue.Err
}

func (c *Client) apiError(cl call, ans answer) *APIError {
	eb := parseErrorBody(ans.body)
	e := &APIError{
		Method:        cl.method,
		Path:          cl.tmpl,
		Status:        ans.status,
		Code:          eb.Code,
		Message:       eb.Message,
		CorrelationID: ans.header.Get("ININ-Correlation-Id"),
		Details:       eb.Details,
		Errors:        eb.Errors,
	}
	if e.CorrelationID == "" {
		e.CorrelationID = eb.ContextID
	}
	if ra, ok := ratelimit.ParseRetryAfter(ans.header.Get(ratelimit.HeaderRetryAfter), time.Now()); ok {
		e.RetryAfter = ra
	}
	return e
}
