package pipeline_test

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/pipeline"
)

var update = flag.Bool("update", false, "rewrite the stream table of README.md from the registry")

const (
	streamsTableBegin = "<!-- BEGIN streams table"
	streamsTableEnd   = "<!-- END streams table -->"
)

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
	const path = "../../README.md"
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, streamsTableBegin)
	j := strings.Index(doc, streamsTableEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no streams table markers (%s ... %s)", path, streamsTableBegin, streamsTableEnd)
	}
	start := i + strings.Index(doc[i:], "\n") + 1
	got, want := doc[start:j], renderStreamsTable()
	if *update {
		if err := os.WriteFile(path, []byte(doc[:start]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		got = want
	}
	if got != want {
		t.Errorf("the streams table of %s is not the registry's; run go test ./internal/pipeline -run TestDocsStreamsTable -update\ngot:\n%s\nwant:\n%s", path, got, want)
	}
}
