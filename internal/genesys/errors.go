package genesys

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/textfmt"
)

// Sentinels matched with errors.Is against the errors the client returns.
var (
	// ErrNotFound: the API answered 404.
	ErrNotFound = errors.New("genesys: not found")
	// ErrConflict: the API answered 409 (a stale version on PATCH, or a
	// duplicate email on create: code general.conflict).
	ErrConflict = errors.New("genesys: conflict")
	// ErrRateLimited: the API answered 429 and the client gave up retrying.
	ErrRateLimited = errors.New("genesys: rate limited")
	// ErrUnauthorized: the API answered 401 after one token refresh, or the
	// login server refused the client credentials.
	ErrUnauthorized = errors.New("genesys: unauthorized")
	// ErrBadRequest: the API answered 400.
	ErrBadRequest = errors.New("genesys: bad request")
	// ErrForbidden: the API answered 403: the OAuth client's role lacks a
	// permission the endpoint needs (APIError.MissingPermissions names it
	// when the answer does).
	ErrForbidden = errors.New("genesys: forbidden")
	// ErrPagingCap: a page-numbered listing reached the API's deep-paging cap
	// (PagingCap results); the caller must split the listing.
	ErrPagingCap = errors.New("genesys: deep-paging cap reached")
	// ErrOutcomeUnknown: a request that must not be repeated blindly (POST
	// /api/v2/users) may or may not have been carried out. Look the entity
	// up before trying again.
	ErrOutcomeUnknown = errors.New("genesys: outcome unknown")
	// ErrOverLimit: the client refused a request over an API limit it knows
	// (too many ids in one call, too long a window) without making the
	// call; the error names the limit.
	ErrOverLimit = errors.New("genesys: over an API limit")
)

// APIError is an error answer of the Genesys Cloud API.
type APIError struct {
	// Method and Path name the endpoint: Path is the template
	// (/api/v2/users/{userId}), never the filled path, so errors group by
	// endpoint and never carry ids from the URL.
	Method string
	Path   string
	// Status is the HTTP status.
	Status int
	// Code is the Genesys error code (not.found, general.conflict,
	// too.many.requests.retry.after, ...), Message its message.
	Code    string
	Message string
	// CorrelationID is the ININ-Correlation-Id of the answer, for support.
	CorrelationID string
	// RetryAfter is the answer's Retry-After (429 and some 503s).
	RetryAfter time.Duration
	// Details and Errors are the body's details and nested errors.
	Details []ErrorDetail
	Errors  []ErrorBody
}

// Error names the endpoint, the status, the code and the message (for a
// 403, the message names the missing permission). Code, message and
// correlation id come from the server and are escaped (textfmt.Safe): the
// error reaches terminals and logs.
func (e *APIError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "genesys: %s %s: %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + textfmt.Safe(e.Code))
	}
	if e.Message != "" {
		b.WriteString(": " + textfmt.Safe(e.Message))
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	if e.CorrelationID != "" {
		b.WriteString(" [correlation id " + textfmt.Safe(e.CorrelationID) + "]")
	}
	return b.String()
}

// Is matches the package sentinels by status (and code for conflicts).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrNotFound:
		return e.Status == http.StatusNotFound
	case ErrConflict:
		return e.Status == http.StatusConflict || e.Code == "general.conflict"
	case ErrRateLimited:
		return e.Status == http.StatusTooManyRequests
	case ErrUnauthorized:
		return e.Status == http.StatusUnauthorized
	case ErrBadRequest:
		return e.Status == http.StatusBadRequest
	case ErrForbidden:
		return e.Status == http.StatusForbidden
	}
	return false
}

// Error codes of a 403 for a missing permission. missing.permissions lists
// every permission missing of those the endpoint needs all of;
// missing.any.permissions lists the permissions any one of which would do.
const (
	CodeMissingPermissions    = "missing.permissions"
	CodeMissingAnyPermissions = "missing.any.permissions"
)

// MissingPermissions returns the permissions a 403 missing.permissions or
// missing.any.permissions answer names ("… following permission(s):
// [routing:queue:view, routing:queue:edit]"), in its order, and whether
// any one of them is enough (missing.any.permissions). It returns nil for
// other answers and for a message that lists none.
func (e *APIError) MissingPermissions() (perms []string, anyOf bool) {
	if e.Status != http.StatusForbidden || (e.Code != CodeMissingPermissions && e.Code != CodeMissingAnyPermissions) {
		return nil, false
	}
	open := strings.LastIndexByte(e.Message, '[')
	end := strings.LastIndexByte(e.Message, ']')
	if open < 0 || end < open {
		return nil, false
	}
	for _, p := range strings.Split(e.Message[open+1:end], ",") {
		if p = strings.TrimSpace(p); p != "" {
			perms = append(perms, p)
		}
	}
	return perms, e.Code == CodeMissingAnyPermissions
}

// ErrorBody is the Genesys Cloud error response body.
type ErrorBody struct {
	Message           string            `json:"message,omitempty"`
	Code              string            `json:"code,omitempty"`
	Status            int               `json:"status,omitempty"`
	EntityID          string            `json:"entityId,omitempty"`
	EntityName        string            `json:"entityName,omitempty"`
	MessageWithParams string            `json:"messageWithParams,omitempty"`
	MessageParams     map[string]string `json:"messageParams,omitempty"`
	ContextID         string            `json:"contextId,omitempty"`
	Details           []ErrorDetail     `json:"details,omitempty"`
	Errors            []ErrorBody       `json:"errors,omitempty"`
}

// ErrorDetail is one entry of ErrorBody.Details.
type ErrorDetail struct {
	ErrorCode  string `json:"errorCode,omitempty"`
	FieldName  string `json:"fieldName,omitempty"`
	EntityID   string `json:"entityId,omitempty"`
	EntityName string `json:"entityName,omitempty"`
}

// maxErrorMessage bounds the message kept from a body that is not a Genesys
// error body (a proxy's HTML page, say).
const maxErrorMessage = 512

// parseErrorBody reads an error answer's body. A body that is not a Genesys
// error body still yields something: its first bytes as the message.
func parseErrorBody(body []byte) ErrorBody {
	var eb ErrorBody
	trimmed := strings.TrimSpace(string(body))
	if trimmed == "" {
		return eb
	}
	if err := json.Unmarshal(body, &eb); err == nil && (eb.Message != "" || eb.Code != "") {
		return eb
	}
	eb = ErrorBody{}
	msg := trimmed
	if len(msg) > maxErrorMessage {
		msg = msg[:maxErrorMessage] + "…"
	}
	eb.Message = strings.ToValidUTF8(msg, "\uFFFD")
	return eb
}

// RequestError is a request that got no usable answer: a transport error (a
// refused or reset connection, a timeout) or an unreadable body. It names
// the request it belongs to; it never carries a token or a secret.
type RequestError struct {
	Method   string
	Path     string // the path template
	Attempts int
	Err      error
}

func (e *RequestError) Error() string {
	s := fmt.Sprintf("genesys: %s %s", e.Method, e.Path)
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s + ": " + e.Err.Error()
}

func (e *RequestError) Unwrap() error { return e.Err }

// OutcomeUnknownError is returned when a request that is never retried
// blindly (POST /api/v2/users) failed in a way that does not tell whether
// the server carried it out: a transport error after it was sent, or a 5xx.
// It matches ErrOutcomeUnknown and unwraps to the cause.
type OutcomeUnknownError struct {
	Method string
	Path   string
	Err    error
}

func (e *OutcomeUnknownError) Error() string {
	return fmt.Sprintf("genesys: %s %s: outcome unknown, look the entity up before trying again: %v", e.Method, e.Path, e.Err)
}

func (e *OutcomeUnknownError) Unwrap() error { return e.Err }

// Is matches ErrOutcomeUnknown.
func (e *OutcomeUnknownError) Is(target error) bool { return target == ErrOutcomeUnknown }

// TokenError is a failure to get an access token from the login server.
type TokenError struct {
	// URL is the token endpoint.
	URL string
	// Status is the HTTP status of the answer, 0 when there was none.
	Status int
	// Code is the OAuth error code (invalid_client, ...), when given.
	Code string
	// RetryAfter is the answer's Retry-After (a 429).
	RetryAfter time.Duration
	Err        error
}

func (e *TokenError) Error() string {
	s := "genesys: get token from " + e.URL
	if e.Status != 0 {
		s += fmt.Sprintf(": %d", e.Status)
	}
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Status == 0 && e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *TokenError) Unwrap() error { return e.Err }

// Is matches ErrUnauthorized when the login server refused the credentials.
func (e *TokenError) Is(target error) bool {
	return target == ErrUnauthorized && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden ||
		e.Code == "invalid_client" || e.Code == "unauthorized_client")
}

// PagingCapError is a listing that ran into the deep-paging cap: a later
// page of a listing whose first page was served answered 400, or would
// have reached past the cap the caller set (ListOptions.PagingCap) and was
// not asked for.
type PagingCapError struct {
	Path       string
	PageNumber int
	PageSize   int
	// Total is the listing's total as its first page reported it.
	Total int
	// Cap is the caller's cap the page would have reached past; zero when
	// the API refused the page (Err).
	Cap int
	Err error
}

func (e *PagingCapError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("genesys: %s: page %d of size %d (results from %d) is past the deep-paging cap of %d results (listing total %d), split the listing",
			e.Path, e.PageNumber, e.PageSize, (e.PageNumber-1)*e.PageSize+1, e.Cap, e.Total)
	}
	return fmt.Sprintf("genesys: %s: page %d of size %d (results from %d) is past the API's deep-paging cap (listing total %d), split the listing: %v",
		e.Path, e.PageNumber, e.PageSize, (e.PageNumber-1)*e.PageSize+1, e.Total, e.Err)
}

func (e *PagingCapError) Unwrap() error { return e.Err }

// Is matches ErrPagingCap.
func (e *PagingCapError) Is(target error) bool { return target == ErrPagingCap }
