package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/internal/textfmt"
)

// Exit codes shared by every subcommand.
const (
	exitOK      = 0
	exitFailure = 1
	// exitChanges is returned by plan when the plan has changes.
	exitChanges = 2
	exitUsage   = 64
)

// commands holds each subcommand's constructor by name. Each lives in its
// own cmd_*.go file and registers itself from init, so adding one touches
// no shared file. A constructor returns a new command (with its own flag
// variables) for every dispatch: tests dispatch concurrently.
var commands = map[string]func() *cobra.Command{}

func register(name string, build func() *cobra.Command) {
	if _, dup := commands[name]; dup {
		panic("duplicate command " + name)
	}
	commands[name] = build
}

func run(ctx context.Context, args []string) int {
	return dispatch(ctx, args, os.Stdout, os.Stderr)
}

// dispatch runs the command line args (without the program name) and
// returns the exit code: the command's own, or exitUsage with the
// command's usage on stderr for a command line it cannot parse. Help asked
// for (-h, --help, help CMD) goes to stdout and exits 0.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	root := newRoot(stdout, stderr, false)
	return execute(ctx, root, args, stderr)
}

// parseOnly parses args as dispatch does, flags, arguments and their
// values checked, but runs nothing: the tests use it to prove that every
// command line the docs show is accepted.
func parseOnly(args []string) (cmd *cobra.Command, code int, stderr string) {
	var out, errb strings.Builder
	root := newRoot(&out, &errb, true)
	code = execute(context.Background(), root, args, &errb)
	cmd, _, _ = root.Find(args)
	return cmd, code, errb.String()
}

func execute(ctx context.Context, root *cobra.Command, args []string, stderr io.Writer) int {
	// Never nil: cobra reads os.Args when the arguments are nil.
	root.SetArgs(append([]string{}, oneDashLongFlags(root, args)...))
	cmd, err := root.ExecuteContextC(ctx)
	var st exitStatus
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &st):
		return int(st)
	}
	// Everything else cobra returns is about the command line: an unknown
	// command or flag, a bad flag value, wrong arguments.
	if cmd == nil {
		cmd = root
	}
	if msg := err.Error(); msg != "" {
		fmt.Fprintf(stderr, "%s: %s\n\n", cmd.CommandPath(), msg)
	}
	fmt.Fprint(stderr, cmd.UsageString())
	return exitUsage
}

// exitStatus is the error a command's RunE returns for a non-zero exit
// code; the command has already said why.
type exitStatus int

func (e exitStatus) Error() string { return fmt.Sprintf("exit status %d", int(e)) }

// runCode adapts a function returning an exit code to cobra's RunE.
func runCode(f func(ctx context.Context, args []string, stdout, stderr io.Writer) int) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		if code := f(c.Context(), args, c.OutOrStdout(), c.ErrOrStderr()); code != exitOK {
			return exitStatus(code)
		}
		return nil
	}
}

// newRoot builds the command tree: every registered command, help and
// shell completion. With parseOnly, the commands check their command line
// and stop there.
func newRoot(stdout, stderr io.Writer, parseOnly bool) *cobra.Command {
	root := &cobra.Command{
		Use:   "syncer",
		Short: "Genesys Cloud people data <-> PostgreSQL",
		Long: `syncer keeps a PostgreSQL copy of a Genesys Cloud organisation's people data
and applies HR-driven changes back to it. See README.md.

Flags go before or after the arguments. Exit status: 0 success, 1 failure,
2 a plan with changes (plan), 64 a command line syncer cannot parse.`,
		Version:       versionString(),
		Args:          cobra.ArbitraryArgs,
		SilenceErrors: true,
		SilenceUsage:  true,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				// syncer alone: what it is and its commands, on stderr.
				c.SetOut(c.ErrOrStderr())
				_ = c.Help()
				return exitStatus(exitUsage)
			}
			return unknownCommand(c, args[0])
		},
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.Flags().Bool("version", false, "print the version")
	root.SetUsageFunc(usage)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(flagError)
	for _, name := range slices.Sorted(maps.Keys(commands)) {
		c := commands[name]()
		if parseOnly && c.RunE != nil {
			c.RunE = func(*cobra.Command, []string) error { return nil }
		}
		root.AddCommand(c)
	}
	root.SetHelpCommand(&cobra.Command{
		Use:   "help [COMMAND]",
		Short: "show the help of syncer or of a command",
		Args:  cobra.ArbitraryArgs,
		ValidArgsFunction: func(c *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var names []cobra.Completion
			for _, sub := range root.Commands() {
				if sub.IsAvailableCommand() {
					names = append(names, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return names, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			target, rest, err := root.Find(args)
			switch {
			case err != nil || target == root:
				return unknownCommand(root, args[0])
			case len(rest) > 0:
				return unknownCommand(target, rest[0])
			}
			return target.Help()
		},
	})
	// Shell completion (syncer completion bash|zsh|fish|powershell) asks
	// the commands for their flags, pipelines and feeds. Made here rather
	// than by Execute, so that `syncer completion` with no shell or an
	// unknown one is a usage error like any other.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Short = "print the shell completion script: bash, zsh, fish or powershell"
			for _, sh := range c.Commands() {
				sh.Short = "print the " + sh.Name() + " completion script (-h: how to load it)"
			}
			c.Args = func(c *cobra.Command, args []string) error {
				if len(args) == 0 {
					return errors.New("name the shell: bash, zsh, fish or powershell")
				}
				return unknownCommand(c, args[0])
			}
			c.RunE = func(*cobra.Command, []string) error { return nil }
		}
	}
	return root
}

// unknownCommand is the error for a command name c does not have, with
// the nearest names.
func unknownCommand(c *cobra.Command, name string) error {
	msg := "unknown command " + textfmt.Quote(name)
	if c.HasParent() {
		msg = "unknown subcommand " + textfmt.Quote(name)
	}
	var names []string
	for _, sub := range c.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	if near := nearest(name, names); near != "" {
		msg += " (did you mean " + near + "?)"
	}
	return errors.New(msg)
}

// rangeArgs accepts between min and max positional arguments (max < 0: no
// limit), named what in the messages.
func rangeArgs(min, max int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) < min:
			return fmt.Errorf("%s is required", what)
		case max == 0 && len(args) > 0:
			return fmt.Errorf("unexpected argument %s: %s takes none (flags start with --)", textfmt.Quote(args[0]), c.Name())
		case max >= 0 && len(args) > max:
			return fmt.Errorf("unexpected argument %s: %s takes one %s", textfmt.Quote(args[max]), c.Name(), what)
		}
		return nil
	}
}

// oneDashLongFlags rewrites -name to --name where name is a long flag of
// the command args run: Go's flag package, which syncer used before,
// accepted both, and scripts written then keep working.
func oneDashLongFlags(root *cobra.Command, args []string) []string {
	c, _, err := root.Find(args)
	if err != nil || c == nil {
		return args
	}
	out := slices.Clone(args)
	for i, a := range out {
		if a == "--" {
			break
		}
		if len(a) < 3 || a[0] != '-' || a[1] == '-' {
			continue
		}
		name, _, _ := strings.Cut(a[1:], "=")
		if len(name) > 1 && (c.Flags().Lookup(name) != nil || name == "help") {
			out[i] = "-" + a
		}
	}
	return out
}

// envOr returns the environment variable's value, or def when it is unset.
func envOr(key, def string) string {
	if v := strings.TrimSpace(os.Getenv(key)); v != "" {
		return v
	}
	return def
}
