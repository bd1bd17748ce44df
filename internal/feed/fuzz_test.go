package feed

import (
	"bytes"
	"errors"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// addCorpus seeds a fuzz target with the feeds under testdata/good and
// testdata/bad whose extension is ext (the checked-in corpus under
// testdata/fuzz adds the inputs fuzzing found interesting).
func addCorpus(f *testing.F, ext string) {
	for _, dir := range []string{"testdata/good", "testdata/bad"} {
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

// checkFeed asserts what must hold for any input.
func checkFeed(t *testing.T, in []byte, cfg Config) {
	f, err := Read(bytes.NewReader(in), cfg)
	var fe *Error
	if errors.As(err, &fe) {
		if len(fe.Problems) == 0 {
			t.Fatal("a file-level error without problems")
		}
		return
	}
	if err != nil {
		t.Fatalf("I/O error from a bytes.Reader: %v", err)
	}
	if got := len(f.Employees) + len(f.Rejected); got != f.Rows {
		t.Fatalf("%d employees + %d rejected != %d rows", len(f.Employees), len(f.Rejected), f.Rows)
	}
	lines := bytes.Count(in, []byte("\n")) + 1
	errLines := map[int]bool{}
	capped := false
	for _, p := range f.Problems {
		if p.Line < 0 || p.Line > lines || p.Column < 0 || p.Reason == "" || p.Code == "" {
			t.Fatalf("badly placed problem %+v (file has %d lines)", p, lines)
		}
		if p.Severity == SeverityError {
			errLines[p.Line] = true
		}
		capped = capped || p.Code == CodeTooManyProblems
	}
	for _, e := range f.Employees {
		if !capped && errLines[e.Line] {
			t.Fatalf("line %d has an error but produced an employee", e.Line)
		}
		if e.Email != "" && !validEmail(e.Email) {
			t.Fatalf("invalid email %q accepted", e.Email)
		}
		if e.Action == ActionUpsert && (e.Name == "" || e.Email == "") {
			t.Fatalf("upsert without name or email: %+v", e)
		}
		for _, list := range [][]Proficiency{e.Skills, e.Languages} {
			for _, p := range list {
				if p.Level < 0 || p.Level > 5 || math.IsNaN(p.Level) || p.Name == "" {
					t.Fatalf("bad proficiency accepted: %+v", p)
				}
			}
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	addCorpus(f, ".csv")
	f.Fuzz(func(t *testing.T, in []byte) {
		checkFeed(t, in, Config{File: "fuzz.csv", Format: FormatCSV, MaxRecordBytes: 4096})
		checkFeed(t, in, Config{File: "fuzz.csv", Format: FormatCSV, Mode: ModeDelta, Refs: testRefs(), Directory: testDirectory{}})
	})
}

func FuzzReadJSONL(f *testing.F) {
	addCorpus(f, ".jsonl")
	f.Fuzz(func(t *testing.T, in []byte) {
		checkFeed(t, in, Config{File: "fuzz.jsonl", Format: FormatJSONL, MaxRecordBytes: 4096})
		checkFeed(t, in, Config{File: "fuzz.jsonl", Format: FormatJSONL, Mode: ModeDelta, Refs: testRefs(), Directory: testDirectory{}})
	})
}
