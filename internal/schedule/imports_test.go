package schedule_test

import (
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The scheduler knows jobs only through RunFunc and Result: the forward
// path, the reverse path and the API client are none of its dependencies
// (cmd/syncer wires them in).
func TestScheduleKnowsNeitherPath(t *testing.T) {
	t.Parallel()
	deps := moduleDeps(t, "github.com/usersync/syncer/internal/schedule")
	for _, banned := range []string{"pipeline", "extract", "reverse", "diff", "apply", "feed", "genesys", "emulator"} {
		if deps["github.com/usersync/syncer/internal/"+banned] {
			t.Errorf("internal/schedule depends on internal/%s (go list -deps ./internal/schedule)", banned)
		}
	}
	if !deps["github.com/usersync/syncer/internal/store"] {
		t.Errorf("go list -deps found no internal/store among the scheduler's %d dependencies: the check reads nothing", len(deps))
	}
}

// moduleDeps returns the packages pkg depends on, itself included, as `go
// list -deps` lists them (test files excluded).
func moduleDeps(t *testing.T, pkg string) map[string]bool {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		goBin = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	out, err := exec.Command(goBin, "list", "-deps", pkg).Output()
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("go list -deps %s: %v\n%s", pkg, err, stderr)
	}
	deps := map[string]bool{}
	for _, line := range strings.Fields(string(out)) {
		deps[line] = true
	}
	return deps
}
