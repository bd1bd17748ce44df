package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestDispatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
	}{
		{args: nil, wantCode: exitUsage, wantStderr: "Usage: syncer <command>"},
		{args: []string{"version"}, wantCode: exitOK, wantStdout: "syncer "},
		{args: []string{"nope"}, wantCode: exitUsage, wantStderr: `unknown command "nope"`},
		{args: []string{"--help"}, wantCode: exitOK, wantStderr: "version"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), tt.args, &out, &errb)
		if code != tt.wantCode {
			t.Errorf("dispatch(%q) = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, errb.String())
		}
		if !strings.Contains(out.String(), tt.wantStdout) {
			t.Errorf("dispatch(%q) stdout = %q, want it to contain %q", tt.args, out.String(), tt.wantStdout)
		}
		if !strings.Contains(errb.String(), tt.wantStderr) {
			t.Errorf("dispatch(%q) stderr = %q, want it to contain %q", tt.args, errb.String(), tt.wantStderr)
		}
	}
}
