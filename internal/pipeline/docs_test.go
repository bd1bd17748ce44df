package pipeline_test

import (
	"flag"
	"fmt"
	"os"
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

// README names every expand the users listing asks for by default, besides
// the lists that are streams or tables of their own.
func TestDocsDefaultExpands(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "by default it asks for")
	sentence, _, _ := strings.Cut(rest, "besides the lists")
	if !ok {
		t.Fatal(`README.md no longer says which expands the users listing asks for "by default"`)
	}
	for _, e := range pipeline.DefaultExpand() {
		switch e {
		case "skills", "languages", "groups", "locations", "authorization":
			continue // the lists and the grants, documented with their tables
		}
		if !strings.Contains(sentence, "`"+e+"`") {
			t.Errorf("README.md's default expands %q do not name %s", sentence, e)
		}
	}
}
