package feed

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// addCorpus seeds a fuzz target with the feeds under testdata/good and
// testdata/bad whose extension is one of exts (the checked-in corpus under
// testdata/fuzz adds the inputs fuzzing found interesting).
func addCorpus(f *testing.F, exts ...string) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
		for _, ext := range exts {
			files, _ := filepath.Glob(filepath.Join(dir, "*"+ext))
			for _, path := range files {
				b, err := os.ReadFile(path)
				if err != nil {
					f.Fatal(err)
				}
				f.Add(b)
			}
		}
	}
}

// checkParse asserts what must hold for any input, through Parse and then
// Resolve: a file-level error has problems; rows are all accounted for;
// problems are placed inside the file; no row with an error becomes an
// employee; Resolve only adds to what Parse rejected; and nothing rendered
// holds a character that could act on a terminal.
func checkParse(t *testing.T, in []byte, cfg Config) {
	t.Helper()
	p, err := Parse(bytes.NewReader(in), cfg)
	var fe *Error
	if errors.As(err, &fe) {
		if len(fe.Problems) == 0 {
			t.Fatal("a file-level error without problems")
		}
		assertPrintable(t, fe.Error())
		for _, pr := range fe.Problems {
			assertPrintable(t, pr.Error())
			assertPrintable(t, pr.Reason)
		}
		return
	}
	if err != nil {
		t.Fatalf("I/O error from a bytes.Reader: %v", err)
	}
	if p.Rows == 0 {
		t.Fatal("a feed without rows was not a file-level error")
	}
	parsedRejects := map[int]bool{}
	for _, r := range p.Rejected {
		parsedRejects[r.Line] = true
	}
	f := p.Resolve(cfg.Refs, cfg.Directory)
	if got := len(f.Employees) + len(f.Rejected); got != f.Rows || f.Rows != p.Rows {
		t.Fatalf("%d employees + %d rejected != %d rows (parsed %d)", len(f.Employees), len(f.Rejected), f.Rows, p.Rows)
	}
	if len(f.Rejected) < len(p.Rejected) {
		t.Fatalf("Resolve un-rejected rows: %d after, %d before", len(f.Rejected), len(p.Rejected))
	}
	lines := bytes.Count(in, []byte("\n")) + 1
	errLines := map[int]bool{}
	capped := false
	for _, pr := range f.Problems {
		if pr.Line < 0 || pr.Line > lines || pr.Column < 0 || pr.Reason == "" || pr.Code == "" {
			t.Fatalf("badly placed problem %+v (file has %d lines)", pr, lines)
		}
		if pr.Severity == SeverityError {
			errLines[pr.Line] = true
		}
		capped = capped || pr.Code == CodeTooManyProblems
		assertPrintable(t, pr.Error())
		assertPrintable(t, pr.Reason)
	}
	for _, r := range f.Rejected {
		assertPrintable(t, r.Reason)
	}
	for _, e := range f.Employees {
		if parsedRejects[e.Line] {
			t.Fatalf("line %d was rejected by Parse but became an employee", e.Line)
		}
		if !capped && errLines[e.Line] {
			t.Fatalf("line %d has an error but produced an employee", e.Line)
		}
		if e.Email != "" && !validEmail(e.Email) {
			t.Fatalf("invalid email %q accepted", e.Email)
		}
		if e.Action == ActionUpsert && (e.Name == "" || e.Email == "") {
			t.Fatalf("upsert without name or email: %+v", e)
		}
		for _, v := range []string{e.EmployeeID, e.Email, e.Name, e.Title, e.Department, e.ManagerEmployeeID, e.ManagerEmail, e.Division} {
			if pos, r, _ := controlAt(v, true); pos > 0 {
				t.Fatalf("a value with %U accepted: %q", r, v)
			}
		}
		for _, list := range [][]Proficiency{e.Skills, e.Languages} {
			for _, p := range list {
				if p.Level < 0 || p.Level > 5 || math.IsNaN(p.Level) || p.Name == "" {
					t.Fatalf("bad proficiency accepted: %+v", p)
				}
				if _, long := tooLong(p.Name, MaxTextLength); long {
					t.Fatalf("a name over %d characters accepted: %q", MaxTextLength, p.Name)
				}
			}
		}
	}
}

// assertPrintable fails when s holds a character that a terminal or a
// log viewer could act on (see unprintable).
func assertPrintable(t *testing.T, s string) {
	t.Helper()
	if i := strings.IndexFunc(s, unprintable); i >= 0 {
		t.Fatalf("rendered text holds %U at byte %d: %q", []rune(s[i:])[0], i, s)
	}
}

func FuzzParseCSV(f *testing.F) {
	addCorpus(f, ".csv", ".tsv")
	f.Fuzz(func(t *testing.T, in []byte) {
		checkParse(t, in, Config{File: "fuzz.csv", Format: FormatCSV, MaxRecordBytes: 4096})
		checkParse(t, in, Config{File: "fuzz.csv", Format: FormatCSV, Mode: ModeDelta, Refs: testRefs(), Directory: testDirectory{}})
		checkParse(t, in, Config{File: "fuzz.csv", Format: FormatCSV, Delimiter: '|', IgnoreColumns: []string{"notes"}, Refs: testRefs()})
	})
}

func FuzzParseJSONL(f *testing.F) {
	addCorpus(f, ".jsonl")
	f.Fuzz(func(t *testing.T, in []byte) {
		checkParse(t, in, Config{File: "fuzz.jsonl", Format: FormatJSONL, MaxRecordBytes: 4096})
		checkParse(t, in, Config{File: "fuzz.jsonl", Format: FormatJSONL, Mode: ModeDelta, Refs: testRefs(), Directory: testDirectory{}})
	})
}
