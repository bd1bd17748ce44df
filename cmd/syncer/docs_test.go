package main

import (
	"bufio"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

// The command lines the README and docs show must work as written, with
// their flags in any position: each goes through the real command-line
// parser (parsed only, nothing runs), as written and with its flags moved
// before and after its arguments. Synopses (`syncer run PIPELINE
// [--dry-run]`) are filled in with sample values first.

// docFiles are the files whose command lines are checked.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{filepath.Join("..", "..", "README.md")}
	for _, pattern := range []string{"docs/*.md", "configs/*.yaml", "configs/*/*"} {
		m, err := filepath.Glob(filepath.Join("..", "..", pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	return files
}

// docLine is a command line shown in a doc.
type docLine struct {
	where string // file:line
	text  string // from "syncer" on
}

var (
	codeSpan = regexp.MustCompile("`([^`]+)`")
	// envPrefix is a VAR=value before the command.
	envPrefix = regexp.MustCompile(`^([A-Z_]+=\S+\s+)+`)
)

// docCommandLines returns every `syncer …` code span and every line of a
// fenced block that runs syncer.
func docCommandLines(t *testing.T) []docLine {
	t.Helper()
	var lines []docLine
	for _, path := range docFiles(t) {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		fenced := false
		for n := 1; sc.Scan(); n++ {
			text := sc.Text()
			where := filepath.Base(path) + ":" + strconv.Itoa(n)
			if strings.HasPrefix(strings.TrimSpace(text), "```") {
				fenced = !fenced
				continue
			}
			if fenced {
				line := envPrefix.ReplaceAllString(strings.TrimSpace(text), "")
				if strings.HasPrefix(line, "syncer ") {
					lines = append(lines, docLine{where, line})
				}
				continue
			}
			for _, m := range codeSpan.FindAllStringSubmatch(text, -1) {
				span := m[1]
				// A cron line: the schedule comes first.
				if i := strings.Index(span, "syncer "); i > 0 && strings.HasPrefix(span, "0 ") {
					span = span[i:]
				}
				if strings.HasPrefix(span, "syncer ") {
					lines = append(lines, docLine{where, span})
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return lines
}

// placeholders are the sample values synopses are filled in with.
var placeholders = map[string]string{
	"PIPELINE":  "nightly",
	"FEED":      "hr.csv",
	"PLAN.json": "plan.json",
	"PLAN_ID":   "3f2a9c01",
	"HOST:PORT": "127.0.0.1:9090",
	"NAME":      "genesys_test",
	"FILE":      "syncer.yaml",
	"N":         "40",
	"P":         "10",
	"ID":        "client-id",
	"SECRET":    "client-secret",
}

// expand fills in a synopsis: a shell comment is cut, optional parts are
// kept, the first of alternatives taken, "…" dropped, placeholders
// replaced.
func expand(line string) [][]string {
	line = strings.ReplaceAll(line, `\|`, "|")
	// A shell comment, redirection or pipe ends the command.
	for _, end := range []string{" #", " > ", " | "} {
		if i := strings.Index(line, end); i >= 0 {
			line = line[:i]
		}
	}
	line = strings.NewReplacer("[", "", "]", "", "…", "", "...", "").Replace(line)
	var args []string
	for _, w := range strings.Fields(line)[1:] {
		if alt, _, ok := strings.Cut(w, "|"); ok && !strings.HasPrefix(w, "|") {
			w = alt
		}
		if v, ok := placeholders[w]; ok {
			w = v
		}
		args = append(args, w)
	}
	// CMD and COMMAND stand for every command.
	if i := slices.IndexFunc(args, func(a string) bool { return a == "CMD" || a == "COMMAND" }); i >= 0 {
		var all [][]string
		for name := range commands {
			all = append(all, slices.Concat(args[:i], []string{name}, args[i+1:]))
		}
		return all
	}
	return [][]string{args}
}

func TestDocumentedCommandLinesParse(t *testing.T) {
	t.Parallel()
	lines := docCommandLines(t)
	if len(lines) < 40 {
		t.Fatalf("found %d command lines in the docs; the scan is broken", len(lines))
	}
	t.Logf("%d command lines in the docs", len(lines))
	shown := map[string]bool{}
	for _, l := range lines {
		for _, args := range expand(l.text) {
			if len(args) == 0 {
				t.Errorf("%s: %q names no command", l.where, l.text)
				continue
			}
			shown[args[0]] = true
			if len(args) == 1 && !strings.HasPrefix(args[0], "-") {
				// A mention of the command ("`syncer run` exits 0 …"):
				// it exists.
				if _, ok := commands[args[0]]; !ok {
					t.Errorf("%s: %q: syncer has no command %q", l.where, l.text, args[0])
				}
				continue
			}
			cmd, code, stderr := parseOnly(args)
			if code != exitOK {
				t.Errorf("%s: %q (as syncer %s) does not parse: exit %d\n%s", l.where, l.text, strings.Join(args, " "), code, stderr)
				continue
			}
			// The same with its flags first, and with its flags last.
			var flags, pos []string
			fs := cmd.Flags()
			for i := 1; i < len(args); i++ {
				a := args[i]
				name, _, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
				if !strings.HasPrefix(a, "-") {
					pos = append(pos, a)
					continue
				}
				flags = append(flags, a)
				if f := lookup(fs, name); f != nil && f.NoOptDefVal == "" && !hasValue && i+1 < len(args) {
					i++
					flags = append(flags, args[i])
				}
			}
			for _, moved := range [][]string{
				append(append([]string{args[0]}, flags...), pos...),
				append(append([]string{args[0]}, pos...), flags...),
			} {
				mc, code, stderr := parseOnly(moved)
				if code != exitOK {
					t.Errorf("%s: %q with its flags moved (syncer %s) does not parse: exit %d\n%s", l.where, l.text, strings.Join(moved, " "), code, stderr)
					continue
				}
				if !slices.Equal(mc.Flags().Args(), cmd.Flags().Args()) {
					t.Errorf("%s: syncer %s: arguments %q, as written %q", l.where, strings.Join(moved, " "), mc.Flags().Args(), cmd.Flags().Args())
				}
			}
		}
	}
	// Every command is shown somewhere.
	for name := range commands {
		if !shown[name] {
			t.Errorf("no doc shows syncer %s", name)
		}
	}
}

func lookup(fs *pflag.FlagSet, name string) *pflag.Flag {
	if len(name) == 1 {
		return fs.ShorthandLookup(name)
	}
	return fs.Lookup(name)
}

// Every command has a row in the README's commands table, and every
// --flag the README or the docs quote is a flag of some command.
func TestREADMECommandsTable(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	start := strings.Index(readme, "\n## Commands\n")
	end := strings.Index(readme[start+1:], "\n## ")
	if start < 0 || end < 0 {
		t.Fatal("README.md has no ## Commands section")
	}
	section := readme[start : start+1+end]
	for name := range commands {
		if !strings.Contains(section, "| `syncer "+name) {
			t.Errorf("README's commands table has no row for syncer %s", name)
		}
	}
	for _, extra := range []string{"completion", "help"} {
		if !strings.Contains(section, "`syncer "+extra) {
			t.Errorf("README's Commands section does not mention syncer %s", extra)
		}
	}

	known := map[string]bool{}
	root := newRoot(new(strings.Builder), new(strings.Builder), true)
	for _, c := range root.Commands() {
		c.Flags().VisitAll(func(f *pflag.Flag) { known[f.Name] = true })
	}
	flagRef := regexp.MustCompile("`--([a-z][a-z-]*)")
	for _, path := range docFiles(t) {
		if !strings.HasSuffix(path, ".md") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range flagRef.FindAllStringSubmatch(string(b), -1) {
			if !known[m[1]] {
				t.Errorf("%s quotes --%s, which no command has", filepath.Base(path), m[1])
			}
		}
	}
}

// The examples of every command's help parse too.
func TestHelpExamplesParse(t *testing.T) {
	t.Parallel()
	n := 0
	for name, build := range commands {
		c := build()
		if c.Example == "" {
			t.Errorf("syncer %s -h shows no example", name)
		}
		for _, line := range strings.Split(c.Example, "\n") {
			line = strings.TrimSpace(line)
			if !strings.HasPrefix(line, "syncer ") {
				continue
			}
			for _, args := range expand(line) {
				n++
				if _, code, stderr := parseOnly(args); code != exitOK {
					t.Errorf("syncer %s -h: the example %q does not parse: exit %d\n%s", name, line, code, stderr)
				}
			}
		}
	}
	if n < len(commands) {
		t.Errorf("%d examples for %d commands", n, len(commands))
	}
}
