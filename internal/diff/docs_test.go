package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/docstest"
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
	docstest.Section(t, "../../docs/extending.md", "kinds table", renderKindsTable(), *update,
		"go test ./internal/diff -run TestDocsKindsTable -update")
}
