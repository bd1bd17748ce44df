package diff

import (
	"fmt"
	"os"
	"strings"
	"testing"
)

const (
	kindsTableBegin = "<!-- BEGIN kinds table"
	kindsTableEnd   = "<!-- END kinds table -->"
)

// renderKindsTable is the table of the built-in kinds in docs/extending.md.
func renderKindsTable() string {
	var b strings.Builder
	b.WriteString("| kind | phase | endpoint | users in | payload | verification compares | when |\n")
	b.WriteString("|---|---|---|---|---|---|---|\n")
	for _, s := range Kinds() {
		method, path := s.Kind.Endpoint()
		payload := "none"
		if s.Payload.Field != "" {
			payload = "`" + s.Payload.Field + "`"
			if s.Payload.MayBeEmpty {
				payload += " (may be empty)"
			}
		}
		parts := make([]string, len(s.Verify.Replan))
		for i, p := range s.Verify.Replan {
			parts[i] = string(p)
		}
		fmt.Fprintf(&b, "| `%s` | %d | `%s %s` | %s | %s | %s | %s |\n",
			s.Kind, s.Phase, method, path, s.Target, payload, strings.Join(parts, ", "), s.When)
	}
	return b.String()
}

// The table of the built-in kinds in docs/extending.md is the registry's.
func TestDocsKindsTable(t *testing.T) {
	t.Parallel()
	const path = "../../docs/extending.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, kindsTableBegin)
	j := strings.Index(doc, kindsTableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no kinds table markers", path)
	}
	start := i + strings.Index(doc[i:], "\n") + 1
	got, want := doc[start:j], renderKindsTable()
	if *update {
		if err := os.WriteFile(path, []byte(doc[:start]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		got = want
	}
	if got != want {
		t.Errorf("the kinds table of %s is not the registry's; run go test ./internal/diff -run TestDocsKindsTable -update\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
