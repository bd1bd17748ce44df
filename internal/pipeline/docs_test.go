package pipeline_test

import (
	"flag"
	"fmt"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/docstest"
	"github.com/usersync/syncer/internal/pipeline"
)

var update = flag.Bool("update", false, "rewrite the stream table of README.md from the registry")

// renderStreamsTable is the table of the forward streams in README.md.
func renderStreamsTable() string {
	var b strings.Builder
	b.WriteString("| stream | reads | cost | loads |\n")
	b.WriteString("|---|---|---|---|\n")
	for _, s := range pipeline.Specs() {
		name := "`" + s.Name + "`"
		if s.Name == pipeline.StreamUsers {
			var parts []string
			for _, e := range pipeline.Expands() {
				if e.Stream {
					parts = append(parts, "`"+e.Name+"`")
				}
			}
			if len(parts) > 0 {
				name += " (+ " + strings.Join(parts, ", ") + ")"
			}
		}
		if s.Optional {
			name += " (optional: only when listed)"
		}
		tables := make([]string, len(s.Tables))
		for i, t := range s.Tables {
			tables[i] = "`" + t + "`"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, s.Reads, s.Cost, strings.Join(tables, ", "))
	}
	return b.String()
}

// The stream table of README.md is the registry's.
func TestDocsStreamsTable(t *testing.T) {
	t.Parallel()
	docstest.Section(t, "../../README.md", "streams table", renderStreamsTable(), *update,
		"go test ./internal/pipeline -run TestDocsStreamsTable -update")
}
