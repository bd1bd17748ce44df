package docstest_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/docstest"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Errorf(format string, args ...any) { r.failed, r.msg = true, format }
func (r *recorder) Fatalf(format string, args ...any) { r.failed, r.msg = true, format; panic(r) }
func (r *recorder) Helper()                           {}

func check(t *testing.T, path, want string, update bool) (r *recorder, outside string) {
	r = &recorder{TB: t}
	defer func() {
		if v := recover(); v != nil && v != r {
			panic(v)
		}
	}()
	outside = docstest.Section(r, path, "x table", want, update, "go test -update")
	return r, outside
}

func TestSection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.md")
	doc := "intro\n<!-- BEGIN x table (generated) -->\n| a |\n<!-- END x table -->\nafter\n"
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, outside := check(t, path, "| a |\n", false); r.failed || !strings.Contains(outside, "intro") || strings.Contains(outside, "| a |") {
		t.Errorf("the same table: failed %v, outside %q", r.failed, outside)
	}
	if r, _ := check(t, path, "| b |\n", false); !r.failed {
		t.Error("a different table passed")
	}
	if r, _ := check(t, path, "| b |\n", true); r.failed {
		t.Error("update failed")
	}
	if b, _ := os.ReadFile(path); !strings.Contains(string(b), "| b |\n<!-- END x table -->\nafter") {
		t.Errorf("update wrote %q", b)
	}
	if err := os.WriteFile(path, []byte("no markers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r, _ := check(t, path, "| b |\n", false); !r.failed || !strings.Contains(r.msg, "markers") {
		t.Errorf("a file without markers: failed %v %q", r.failed, r.msg)
	}
}
