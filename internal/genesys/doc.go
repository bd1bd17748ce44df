// Package genesys is the syncer's client for the Genesys Cloud Platform API
// v2: OAuth client credentials, regions, one typed method per endpoint,
// page and cursor iterators, typed errors and retries, all under one shared
// rate budget (package ratelimit).
//
// Model. A Client is made once per OAuth client with NewClient and shared by
// every goroutine of a process. Each call:
//
//  1. takes the cached access token (fetched with
//     golang.org/x/oauth2/clientcredentials, Basic auth in the header,
//     refetched shortly before it expires);
//  2. takes a permit from the rate budget (ratelimit.Budget) at the
//     context's priority (WithPriority; apply traffic is ratelimit.High) and
//     reports the answer's status and inin-ratelimit-* headers back to it;
//  3. is retried by the RetryPolicy: 429 after its Retry-After (giving up
//     when Retry-After exceeds RetryPolicy.MaxRetryAfter), 5xx other than
//     501 and transport errors with jittered exponential backoff, each
//     attempt under RetryPolicy.AttemptTimeout; a 401 once, after dropping
//     the token. POST /api/v2/users is never retried blindly: a failure that
//     leaves the outcome open returns *OutcomeUnknownError (ErrOutcomeUnknown)
//     and the caller looks the user up first;
//  4. is counted in the client's Stats and in the Accounting of the context
//     (WithAccounting), by endpoint template and status, with retries, 429s
//     and time waited, so each run reports its own calls.
//
// Errors. An error answer is an *APIError naming the method and the path
// TEMPLATE (/api/v2/users/{userId}), the status, Genesys code and message,
// the correlation id and Retry-After; errors.Is matches ErrNotFound,
// ErrConflict, ErrRateLimited, ErrUnauthorized and ErrBadRequest. Options
// over a limit the client knows (more than MaxDevelopmentActivityUsers
// ids, a window over MaxDevelopmentActivityWindow) are refused before any
// call with an error naming the limit that matches ErrOverLimit. A request
// without a usable answer is a *RequestError naming its endpoint and
// wrapping the cause (context.DeadlineExceeded for timeouts). A login
// failure is a *TokenError. No error or log line carries a token or the
// client secret.
//
// TLS. Server certificates are always verified against the system roots
// (on Linux SSL_CERT_FILE and SSL_CERT_DIR add a private CA); there is no
// option to skip verification. A certificate that fails verification stops
// the handshake before the client credentials or a token are sent, is
// never retried, and the error names the host (the token URL, or the API
// host in a *RequestError). A caller trusting another CA passes its own
// transport (WithTransport) or HTTP client (WithHTTPClient).
//
// Paging. Page-numbered listings have a one-page method (ListUsers), a
// page iterator (UserPages, for callers that load in batches) and an item
// iterator (Users), all iter.Seq2[T, error]. Iterators copy the caller's
// options before paging and stop at the first error. Reaching the API's
// deep-paging cap (PagingCap results) ends a listing with a *PagingCapError
// (ErrPagingCap): the caller must split the listing (by state, by division
// through SearchUsers, or by id). A caller that knows the cap sets
// ListOptions.PagingCap, and the iterator ends before asking for a page
// past it instead of spending a call on the 400. These iterators are the
// one paging implementation: package extract reads through them. Analytics
// job results are cursor listings
// with the same three shapes. The page-size constants (MaxUsersPageSize, ...)
// and Pages let planners know a call's cost before making it.
//
// Models carry the API's JSON names; unknown fields are tolerated, and a
// User keeps the JSON it was decoded from in User.Raw.
//
// The package never touches SQL (no store or load imports) and never
// imports the emulator; the emulator is used only by its tests.
package genesys
