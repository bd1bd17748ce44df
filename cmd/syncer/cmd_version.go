package main

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func init() { register("version", newVersionCommand) }

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version (also: syncer --version)",
		Long: `Version prints syncer's version, the commit it was built from and the Go version.

Exit status: 0.`,
		Example: `  syncer version
  syncer --version`,
		Args: rangeArgs(0, 0, ""),
		RunE: runCode(func(_ context.Context, _ []string, stdout, _ io.Writer) int {
			fmt.Fprintln(stdout, versionString())
			return exitOK
		}),
	}
}

// versionString is the version, the commit it was built from and the Go
// version.
func versionString() string {
	rev, dirty := "", false
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	if dirty {
		rev += "-dirty"
	}
	return fmt.Sprintf("syncer %s (commit %s, %s)", version, orUnknown(rev), runtime.Version())
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
