package wire

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestWriteErrorBody(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	rec.Header().Set(CorrelationHeader, "corr-1")
	WriteError(rec, http.StatusConflict, CodeConflict, "email %s is taken", "a@b.c")
	if rec.Code != http.StatusConflict {
		t.Fatalf("status = %d, want 409", rec.Code)
	}
	var got map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("body is not JSON: %v", err)
	}
	if got["code"] != "general.conflict" || got["status"] != float64(409) || got["contextId"] != "corr-1" || got["message"] != "email a@b.c is taken" {
		t.Fatalf("body = %v", got)
	}
}

func TestDecodeBodyRejectsBadJSON(t *testing.T) {
	t.Parallel()
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPost, "/x", strings.NewReader("{not json"))
	var v struct{ A int }
	if DecodeBody(rec, req, &v) {
		t.Fatal("DecodeBody accepted malformed JSON")
	}
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "bad.request") {
		t.Fatalf("got %d %s", rec.Code, rec.Body.String())
	}
}
