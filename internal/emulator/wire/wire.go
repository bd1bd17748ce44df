// Package wire holds the emulator's JSON plumbing shared by its handlers: the
// Genesys Cloud error body and response writers.
//
// The emulator keeps its own wire types on purpose and imports nothing from
// the syncer's client, so a wrong field name on either side fails a test
// instead of being shared by both.
package wire

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// ErrorBody is the Genesys Cloud error response body.
type ErrorBody struct {
	Message           string            `json:"message"`
	Code              string            `json:"code"`
	Status            int               `json:"status"`
	EntityID          string            `json:"entityId,omitempty"`
	EntityName        string            `json:"entityName,omitempty"`
	MessageWithParams string            `json:"messageWithParams,omitempty"`
	MessageParams     map[string]string `json:"messageParams,omitempty"`
	ContextID         string            `json:"contextId,omitempty"`
	Details           []Detail          `json:"details"`
	Errors            []ErrorBody       `json:"errors"`
}

// Detail is one entry of ErrorBody.Details.
type Detail struct {
	ErrorCode  string `json:"errorCode,omitempty"`
	FieldName  string `json:"fieldName,omitempty"`
	EntityID   string `json:"entityId,omitempty"`
	EntityName string `json:"entityName,omitempty"`
}

// Error codes the emulator answers with, as Genesys Cloud spells them.
const (
	CodeBadRequest      = "bad.request"
	CodeNotFound        = "not.found"
	CodeConflict        = "general.conflict"
	CodeUnauthorized    = "unauthorized"
	CodeBadCredentials  = "bad.credentials"
	CodeTooManyRequests = "too.many.requests.retry.after"
	CodeInternal        = "internal.server.error"
	CodeUnavailable     = "service.unavailable"
	// CodeMissingPermissions: a 403 for a route that needs all of its
	// permissions; the message lists the missing ones.
	CodeMissingPermissions = "missing.permissions"
	// CodeMissingAnyPermissions: a 403 for a route that any one of several
	// permissions opens; the message lists them all.
	CodeMissingAnyPermissions = "missing.any.permissions"
)

// CorrelationHeader is set on every response.
const CorrelationHeader = "ININ-Correlation-Id"

// WriteJSON writes v as the JSON body with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// WriteError writes a Genesys error body. The contextId is the response's
// correlation id when one has been set.
func WriteError(w http.ResponseWriter, status int, code, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	WriteJSON(w, status, ErrorBody{
		Message:   msg,
		Code:      code,
		Status:    status,
		ContextID: w.Header().Get(CorrelationHeader),
		Details:   []Detail{},
		Errors:    []ErrorBody{},
	})
}

// BadRequest writes a 400 bad.request error.
func BadRequest(w http.ResponseWriter, format string, args ...any) {
	WriteError(w, http.StatusBadRequest, CodeBadRequest, format, args...)
}

// NotFound writes a 404 not.found error.
func NotFound(w http.ResponseWriter, format string, args ...any) {
	WriteError(w, http.StatusNotFound, CodeNotFound, format, args...)
}

// Forbidden writes a 403 error with the given code (missing.permissions,
// missing.any.permissions).
func Forbidden(w http.ResponseWriter, code, format string, args ...any) {
	WriteError(w, http.StatusForbidden, code, format, args...)
}

// DecodeBody decodes a JSON request body into v, answering 400 and returning
// false when it is not valid JSON of the right shape.
func DecodeBody(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20))
	if err := dec.Decode(v); err != nil {
		BadRequest(w, "The request could not be understood by the server due to malformed syntax: %v", err)
		return false
	}
	return true
}
