package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// doubledPrefix matches an error line that says its command twice, as
// "syncer apply: apply: the plan is stale" did.
var doubledPrefix = regexp.MustCompile(`(?m)^syncer (\w+): (\w+)\b`)

// sayOnce fails when a line of out names its command twice.
func sayOnce(t *testing.T, what, out string) {
	t.Helper()
	for _, m := range doubledPrefix.FindAllStringSubmatch(out, -1) {
		if m[1] == m[2] {
			t.Errorf("%s: the command is said twice: %q\n%s", what, m[0], out)
		}
	}
}

func TestDispatch(t *testing.T) {
	t.Parallel()
	const planUsage = "Usage:\n  syncer plan [FEED] [flags]"
	tests := []struct {
		args       []string
		wantCode   int
		wantStdout string
		wantStderr string
		notStderr  string // a value that must not be echoed
	}{
		// syncer alone says what it is and lists the commands, on stderr.
		{args: nil, wantCode: exitUsage, wantStderr: "Usage:\n  syncer COMMAND [flags]\n\nCommands:\n  apply"},
		{args: []string{"version"}, wantCode: exitOK, wantStdout: "syncer dev (commit "},
		{args: []string{"--version"}, wantCode: exitOK, wantStdout: "syncer dev (commit "},

		// Help asked for goes to stdout, in every form.
		{args: []string{"--help"}, wantCode: exitOK, wantStdout: "Commands:\n  apply"},
		{args: []string{"-h"}, wantCode: exitOK, wantStdout: "Commands:\n  apply"},
		{args: []string{"help"}, wantCode: exitOK, wantStdout: "Commands:\n  apply"},
		{args: []string{"help", "plan"}, wantCode: exitOK, wantStdout: planUsage},
		{args: []string{"plan", "-h"}, wantCode: exitOK, wantStdout: planUsage},
		{args: []string{"plan", "--help"}, wantCode: exitOK, wantStdout: planUsage},
		{args: []string{"plan", "feed.csv", "--out", "p.json", "-h"}, wantCode: exitOK, wantStdout: planUsage},
		{args: []string{"help", "completion", "bash"}, wantCode: exitOK, wantStdout: "syncer completion bash"},

		// Unknown commands and flags suggest the nearest.
		{args: []string{"nope"}, wantCode: exitUsage, wantStderr: `syncer: unknown command "nope"` + "\n\nUsage:\n  syncer COMMAND"},
		{args: []string{"pln"}, wantCode: exitUsage, wantStderr: `unknown command "pln" (did you mean plan?)`},
		{args: []string{"stats"}, wantCode: exitUsage, wantStderr: `(did you mean status?)`},
		{args: []string{"help", "aply"}, wantCode: exitUsage, wantStderr: `syncer help: unknown command "aply" (did you mean apply?)`},
		{args: []string{"help", "completion", "zhs"}, wantCode: exitUsage, wantStderr: `syncer help: unknown subcommand "zhs" (did you mean zsh?)`},
		{args: []string{"plan", "feed.csv", "--outt", "p.json"}, wantCode: exitUsage, wantStderr: "syncer plan: unknown flag --outt (did you mean --out?)\n\n" + planUsage},
		{args: []string{"apply", "--resum"}, wantCode: exitUsage, wantStderr: "unknown flag --resum (did you mean --resume?)"},
		{args: []string{"run", "nightly", "--dryrun"}, wantCode: exitUsage, wantStderr: "unknown flag --dryrun (did you mean --dry-run?)"},
		{args: []string{"plan", "-x"}, wantCode: exitUsage, wantStderr: "syncer plan: unknown flag -x\n"},
		{args: []string{"plan", "-conifg", "c.yaml"}, wantCode: exitUsage, wantStderr: "syncer plan: unknown flag -conifg (did you mean --config?)"},
		{args: []string{"emulator", "-clientsecret=hunter2"}, wantCode: exitUsage, wantStderr: "unknown flag -clientsecret (did you mean --client-secret?)", notStderr: "hunter2"},
		{args: []string{"emulator", "--clientsecret=hunter2"}, wantCode: exitUsage, wantStderr: "unknown flag --clientsecret (did you mean --client-secret?)", notStderr: "hunter2"},
		{args: []string{"plan", "-help"}, wantCode: exitOK, wantStdout: planUsage},
		{args: []string{"completion"}, wantCode: exitUsage, wantStderr: "syncer completion: name the shell: bash, zsh, fish or powershell"},
		{args: []string{"completion", "bsh"}, wantCode: exitUsage, wantStderr: `syncer completion: unknown subcommand "bsh" (did you mean bash?)`},

		// Arguments.
		{args: []string{"run"}, wantCode: exitUsage, wantStderr: "syncer run: PIPELINE is required\n\nUsage:\n  syncer run PIPELINE [flags]"},
		{args: []string{"run", "a", "b"}, wantCode: exitUsage, wantStderr: `syncer run: unexpected argument "b": run takes one PIPELINE`},
		{args: []string{"plan", "a.csv", "b.csv"}, wantCode: exitUsage, wantStderr: `unexpected argument "b.csv": plan takes one FEED`},
		{args: []string{"status", "nightly"}, wantCode: exitUsage, wantStderr: `syncer status: unexpected argument "nightly": status takes none`},
		{args: []string{"serve", "now"}, wantCode: exitUsage, wantStderr: `unexpected argument "now"`},
		{args: []string{"apply"}, wantCode: exitUsage, wantStderr: "syncer apply: PLAN.json or FEED is required (or --resume to continue an interrupted apply)"},
		{args: []string{"apply", "--resume", "a", "b"}, wantCode: exitUsage, wantStderr: `unexpected argument "b": apply takes one PLAN_ID`},
		{args: []string{"migrate", "sideways"}, wantCode: exitUsage, wantStderr: `syncer migrate: unknown action "sideways": want up, status or down`},
		{args: []string{"migrate", "stauts"}, wantCode: exitUsage, wantStderr: `(did you mean status?)`},
		{args: []string{"migrate", "up", "down"}, wantCode: exitUsage, wantStderr: `unexpected argument "down"`},
		{args: []string{"demo", "--database", "Not-A-Name"}, wantCode: exitUsage, wantStderr: "syncer demo: --database: a database name is lowercase letters"},

		// Typed flags: the error names the flag, echoes numbers only.
		{args: []string{"plan", "--max-offboard-percent", "150"}, wantCode: exitUsage, wantStderr: "syncer plan: --max-offboard-percent: a percentage is 0 to 100, got 150"},
		{args: []string{"apply", "f.csv", "--max-rejected-percent=-1"}, wantCode: exitUsage, wantStderr: "--max-rejected-percent: a percentage is 0 to 100, got -1"},
		{args: []string{"plan", "--max-offboards", "-1"}, wantCode: exitUsage, wantStderr: "syncer plan: --max-offboards: want 0 or more, got -1"},
		{args: []string{"plan", "--max-changes", "2.5"}, wantCode: exitUsage, wantStderr: "--max-changes: want a whole number, got 2.5"},
		{args: []string{"plan", "--max-changes", "hunter2-secret"}, wantCode: exitUsage, wantStderr: "--max-changes: want a whole number\n", notStderr: "hunter2"},
		{args: []string{"plan", "--max-queue-loss-percent", "lots"}, wantCode: exitUsage, wantStderr: "--max-queue-loss-percent: want a percentage, a number from 0 to 100\n", notStderr: "lots"},
		{args: []string{"plan", "--mode", "delat"}, wantCode: exitUsage, wantStderr: "syncer plan: --mode: want snapshot or delta (did you mean delta?)"},
		{args: []string{"run", "nightly", "--progress", "sometimes"}, wantCode: exitUsage, wantStderr: "--progress: want auto, on or off\n", notStderr: "sometimes"},
		{args: []string{"run", "nightly", "--dry-run=perhaps"}, wantCode: exitUsage, wantStderr: "--dry-run: want true or false", notStderr: "perhaps"},
		{args: []string{"plan", "--config"}, wantCode: exitUsage, wantStderr: "syncer plan: --config needs a value (a string)"},
		{args: []string{"emulator", "--users", "0"}, wantCode: exitUsage, wantStderr: "--users: want 1 or more, got 0"},
		{args: []string{"emulator", "--error-rate", "2"}, wantCode: exitUsage, wantStderr: "--error-rate: a probability is 0 to 1, got 2"},
		{args: []string{"emulator", "--latency", "soon"}, wantCode: exitUsage, wantStderr: "--latency: want a duration such as 250ms, 30s or 5m", notStderr: "soon"},
		{args: []string{"emulator", "--seed", "x7"}, wantCode: exitUsage, wantStderr: "--seed: want a whole number\n", notStderr: "x7"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), tt.args, &out, &errb)
		if code != tt.wantCode {
			t.Errorf("dispatch(%q) = %d, want %d (stderr %q)", tt.args, code, tt.wantCode, errb.String())
		}
		if !strings.Contains(out.String(), tt.wantStdout) {
			t.Errorf("dispatch(%q) stdout = %q, want it to contain %q", tt.args, out.String(), tt.wantStdout)
		}
		if !strings.Contains(errb.String(), tt.wantStderr) {
			t.Errorf("dispatch(%q) stderr = %q, want it to contain %q", tt.args, errb.String(), tt.wantStderr)
		}
		if tt.notStderr != "" && strings.Contains(errb.String(), tt.notStderr) {
			t.Errorf("dispatch(%q) echoes %q: %q", tt.args, tt.notStderr, errb.String())
		}
		if code == exitUsage {
			// Usage errors: usage on stderr, nothing on stdout.
			if out.Len() > 0 {
				t.Errorf("dispatch(%q) printed on stdout: %q", tt.args, out.String())
			}
			if !strings.Contains(errb.String(), "Usage:\n") {
				t.Errorf("dispatch(%q) does not print the usage: %q", tt.args, errb.String())
			}
		}
		sayOnce(t, strings.Join(tt.args, " "), errb.String())
	}
}

// Flags go anywhere, as people type them, and only the first -- ends
// them; the single-dash long flags of Go's flag package still work.
func TestFlagsAnywhere(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args  []string
		pos   []string
		flags map[string]string
	}{
		{[]string{"plan", "FEED.csv", "--out", "p.json"}, []string{"FEED.csv"}, map[string]string{"out": "p.json"}},
		{[]string{"plan", "--config", "c.yaml", "FEED.csv", "--json"}, []string{"FEED.csv"}, map[string]string{"config": "c.yaml", "json": "true"}},
		{[]string{"plan", "--out=p.json", "FEED.csv", "--max-offboards", "40", "--mode", "delta"}, []string{"FEED.csv"}, map[string]string{"out": "p.json", "max-offboards": "40", "mode": "delta"}},
		{[]string{"plan"}, nil, map[string]string{"out": "", "json": "false"}},
		{[]string{"apply", "--resume", "3f2a9c"}, []string{"3f2a9c"}, map[string]string{"resume": "true"}},
		{[]string{"apply", "3f2a9c", "--resume", "--config", "c.yaml"}, []string{"3f2a9c"}, map[string]string{"resume": "true", "config": "c.yaml"}},
		{[]string{"apply", "--resume"}, nil, map[string]string{"resume": "true"}},
		{[]string{"apply", "plan.json", "--force", "--max-offboards", "0"}, []string{"plan.json"}, map[string]string{"force": "true", "max-offboards": "0"}},
		{[]string{"run", "--dry-run", "nightly", "--config", "c.yaml"}, []string{"nightly"}, map[string]string{"dry-run": "true", "config": "c.yaml"}},
		{[]string{"run", "nightly", "--progress", "off"}, []string{"nightly"}, map[string]string{"progress": "off"}},
		{[]string{"check", "nightly", "--config", "c.yaml", "hr"}, []string{"nightly", "hr"}, map[string]string{"config": "c.yaml"}},
		{[]string{"migrate", "--config", "c.yaml", "status"}, []string{"status"}, map[string]string{"config": "c.yaml"}},
		{[]string{"migrate", "up", "-v", "--schema", "s1"}, []string{"up"}, map[string]string{"verbose": "true", "schema": "s1"}},
		{[]string{"serve", "--migrate", "--addr", "0.0.0.0:9090"}, nil, map[string]string{"migrate": "true", "addr": "0.0.0.0:9090"}},
		{[]string{"emulator", "--users", "50", "--deny-permission", "a:b:c", "--deny-permission", "d:e:f"}, nil, map[string]string{"users": "50", "deny-permission": "a:b:c,d:e:f"}},
		// Even before the command's name.
		{[]string{"--config", "c.yaml", "run", "nightly"}, []string{"nightly"}, map[string]string{"config": "c.yaml"}},
		// The form of Go's flag package.
		{[]string{"run", "nightly", "-config", "c.yaml", "-dry-run"}, []string{"nightly"}, map[string]string{"config": "c.yaml", "dry-run": "true"}},
		{[]string{"plan", "-out=p.json", "f.csv"}, []string{"f.csv"}, map[string]string{"out": "p.json"}},
		// After --, a file whose name starts with a dash.
		{[]string{"plan", "--out", "p.json", "--", "-odd.csv"}, []string{"-odd.csv"}, map[string]string{"out": "p.json"}},
	}
	for _, tt := range tests {
		cmd, code, stderr := parseOnly(tt.args)
		if code != exitOK {
			t.Errorf("syncer %s: exit %d\n%s", strings.Join(tt.args, " "), code, stderr)
			continue
		}
		if want := tt.args[slices.IndexFunc(tt.args, func(a string) bool { return commands[a] != nil })]; cmd.Name() != want {
			t.Errorf("syncer %s ran %s", strings.Join(tt.args, " "), cmd.Name())
		}
		if got := cmd.Flags().Args(); strings.Join(got, " ") != strings.Join(tt.pos, " ") {
			t.Errorf("syncer %s: arguments %q, want %q", strings.Join(tt.args, " "), got, tt.pos)
		}
		for name, want := range tt.flags {
			f := cmd.Flags().Lookup(name)
			if f == nil {
				t.Errorf("syncer %s: no flag --%s", tt.args[0], name)
				continue
			}
			if got := f.Value.String(); got != want && !(name == "deny-permission" && got == "["+want+"]") {
				t.Errorf("syncer %s: --%s = %q, want %q", strings.Join(tt.args, " "), name, got, want)
			}
		}
	}
}

// The help of every command reads right: an argument name is a type or a
// NAME, never a phrase (Go's flag package took a backquoted phrase as
// one: "-out syncer apply FILE"); every flag says what it does; every
// command documents its exit status.
func TestHelpReadsRight(t *testing.T) {
	t.Parallel()
	argName := regexp.MustCompile(`^(int|percent|probability|duration|string|[a-z]+(\|[a-z]+)+|[A-Z][A-Z_:.]*)$`)
	root := newRoot(new(bytes.Buffer), new(bytes.Buffer), false)
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		var out, errb bytes.Buffer
		args := append(strings.Fields(path)[1:], "-h")
		if code := dispatch(context.Background(), args, &out, &errb); code != exitOK || errb.Len() > 0 {
			t.Errorf("%s -h = %d, stderr %q", path, code, errb.String())
		}
		help := out.String()
		if strings.Contains(help, "`") {
			t.Errorf("%s -h shows a backquote:\n%s", path, help)
		}
		if !strings.Contains(help, "Usage:\n  "+path) {
			t.Errorf("%s -h lacks its usage line:\n%s", path, help)
		}
		if c.Short == "" {
			t.Errorf("%s has no summary", path)
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			name, usage := pflag.UnquoteUsage(f)
			if usage == "" {
				t.Errorf("%s --%s has no usage text", path, f.Name)
			}
			if f.Value.Type() != "bool" && !argName.MatchString(name) {
				t.Errorf("%s --%s shows its argument as %q", path, f.Name, name)
			}
			if !strings.Contains(help, "--"+f.Name) {
				t.Errorf("%s -h does not list --%s", path, f.Name)
			}
		})
		if _, ok := commands[c.Name()]; ok && c.Parent() == root && c.Name() != "version" {
			if long := strings.Join(strings.Fields(c.Long), " "); !strings.Contains(long, "Exit status: 0") || !strings.Contains(long, "64 a bad command line") {
				t.Errorf("%s -h does not document its exit status:\n%s", path, c.Long)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	root.InitDefaultHelpCmd()
	walk(root)
	// The guard flags are numbers: a count or a percentage.
	var out bytes.Buffer
	dispatch(context.Background(), []string{"plan", "-h"}, &out, new(bytes.Buffer))
	for _, want := range []string{"--max-offboards int ", "--max-changes int ", "--max-offboard-percent percent ", "--max-queue-loss-percent percent ", "--max-rejected-percent percent ", "--out FILE ", "--mode snapshot|delta "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("plan -h lacks %q:\n%s", want, out.String())
		}
	}
}

// The registry: each command file registers a constructor whose command
// has the registered name, and every run gives fresh flag variables.
func TestRegistry(t *testing.T) {
	t.Parallel()
	if len(commands) < 10 {
		t.Errorf("%d commands registered", len(commands))
	}
	for name, build := range commands {
		a, b := build(), build()
		if a.Name() != name {
			t.Errorf("command %q builds %q", name, a.Name())
		}
		if a.RunE == nil {
			t.Errorf("command %q has no RunE", name)
		}
		a.Flags().VisitAll(func(f *pflag.Flag) {
			if g := b.Flags().Lookup(f.Name); g != nil && f.Value == g.Value {
				t.Errorf("command %q shares the value of --%s between runs", name, f.Name)
			}
		})
	}
}

// syncer completion SHELL prints a script that loads in that shell, and
// the completions it asks for come from the commands, the flags and the
// configuration.
func TestCompletion(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ shell, want string }{
		{"bash", "__start_syncer"},
		{"zsh", "#compdef syncer"},
		{"fish", "complete -c syncer"},
		{"powershell", "Register-ArgumentCompleter"},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), []string{"completion", tt.shell}, &out, &errb); code != exitOK {
			t.Fatalf("completion %s = %d: %s", tt.shell, code, errb.String())
		}
		if !strings.Contains(out.String(), tt.want) {
			t.Errorf("completion %s lacks %q:\n%.300s", tt.shell, tt.want, out.String())
		}
		// The script parses in its shell, where the shell is installed.
		if sh, err := exec.LookPath(tt.shell); err == nil && tt.shell != "powershell" {
			script := filepath.Join(t.TempDir(), "syncer."+tt.shell)
			if err := os.WriteFile(script, out.Bytes(), 0o600); err != nil {
				t.Fatal(err)
			}
			flag := "-n"
			if tt.shell == "fish" {
				flag = "--no-execute"
			}
			if b, err := exec.Command(sh, flag, script).CombinedOutput(); err != nil {
				t.Errorf("%s %s: %v\n%s", tt.shell, flag, err, b)
			}
		}
	}

	cfg := filepath.Join(t.TempDir(), "syncer.yaml")
	body := "pipelines:\n  nightly: {}\n  hourly: {}\nfeeds:\n  hr:\n    path: hr.csv\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"pl"}, []string{"plan\t"}},
		{[]string{"run", "--config", cfg, ""}, []string{"hourly\tpipeline", "nightly\tpipeline"}},
		{[]string{"check", "--config", cfg, "nightly", ""}, []string{"hourly\tpipeline", "hr\tfeed"}},
		{[]string{"plan", "--config", cfg, "--feed", ""}, []string{"hr\tfeed"}},
		{[]string{"plan", "--mode", ""}, []string{"snapshot", "delta"}},
		{[]string{"run", "x", "--progress", ""}, []string{"auto", "on", "off"}},
		{[]string{"migrate", ""}, []string{"up", "status", "down"}},
		{[]string{"plan", "--max-"}, []string{"--max-offboards\t", "--max-rejected-percent\t"}},
	} {
		var out, errb bytes.Buffer
		if code := dispatch(context.Background(), append([]string{cobra.ShellCompRequestCmd}, tt.args...), &out, &errb); code != exitOK {
			t.Errorf("__complete %q = %d: %s", tt.args, code, errb.String())
		}
		for _, want := range tt.want {
			if !strings.Contains(out.String(), want) {
				t.Errorf("__complete %q lacks %q:\n%s", tt.args, want, out.String())
			}
		}
		if strings.Contains(out.String(), "nightly\t") && tt.args[0] == "check" {
			t.Errorf("__complete %q offers nightly again:\n%s", tt.args, out.String())
		}
	}
}

// Every command's failures say "syncer CMD:" once, with the documented
// exit code, on the paths that need neither the API nor a database.
//
// Not parallel: it sets the environment.
func TestErrorsSayTheirCommandOnce(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.yaml")
	cfg := filepath.Join(dir, "syncer.yaml")
	feedPath := filepath.Join(dir, "hr.csv")
	for path, body := range map[string]string{
		cfg:      "genesys:\n  base_url: http://127.0.0.1:1\npipelines:\n  nightly:\n    streams: [reference]\n",
		feedPath: "employee_id,email,name\n1,a@example.com,A\n",
	} {
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("SYNCER_CONFIG", "")
	t.Setenv("GENESYS_CLIENT_ID", "id")
	t.Setenv("GENESYS_CLIENT_SECRET", "secret")
	// Nothing listens on port 1: every database command fails at once.
	t.Setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nowhere?connect_timeout=5")
	for _, args := range [][]string{
		{"run", "nightly", "--config", missing},
		{"plan", feedPath, "--config", missing},
		{"apply", feedPath, "--config", missing},
		{"status", "--config", missing},
		{"migrate", "--config", missing},
		{"serve", "--config", missing},
		{"check", "--config", missing},
		{"run", "nightly", "--config", cfg},
		{"run", "weekly", "--config", cfg},
		{"plan", feedPath, "--config", cfg},
		{"plan", feedPath, "--config", cfg, "--feed", "hr"},
		{"apply", feedPath, "--config", cfg},
		{"apply", "--resume", "--config", cfg},
		{"status", "--config", cfg},
		{"migrate", "--config", cfg},
		{"migrate", "status", "--config", cfg},
		{"migrate", "down", "--config", cfg},
		{"check", "--config", cfg},
	} {
		var out, errb bytes.Buffer
		code := dispatch(context.Background(), args, &out, &errb)
		if code != exitFailure {
			t.Errorf("syncer %s = %d, want %d\n%s%s", strings.Join(args, " "), code, exitFailure, out.String(), errb.String())
		}
		if args[0] != "check" && !strings.HasPrefix(errb.String(), "syncer "+args[0]+": ") {
			t.Errorf("syncer %s: stderr does not start with %q:\n%s", strings.Join(args, " "), "syncer "+args[0]+": ", errb.String())
		}
		sayOnce(t, strings.Join(args, " "), out.String()+errb.String())
	}
}

// The command lines a few callers outside cmd/syncer build (internal/chaos,
// cmd/benchreport, internal/pipeline's benchmark, scripts/sdk-check.sh)
// keep parsing.
func TestCallersCommandLines(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"apply", "hr.csv", "--max-offboards", "100", "--max-offboard-percent", "100", "--config", "c.yaml"},
		{"apply", "--resume", "--config", "c.yaml"},
		{"plan", "bad.csv", "--mode", "snapshot", "--out", "p.json", "--max-offboards", "1000", "--max-offboard-percent", "100", "--max-queue-loss-percent", "100", "--max-changes", "0", "--no-refresh", "--config", "c.yaml"},
		{"run", "full", "--dry-run", "--config", "c.yaml"},
		{"run", "bench", "--config", "c.yaml", "--progress", "off"},
		{"migrate", "--config", "c.yaml"},
		{"serve", "--config", "c.yaml"},
		{"status", "--config", "c.yaml"},
		{"emulator", "--users", "500", "--seed", "11", "--addr", "127.0.0.1:0", "--rate", "300", "--client-id", "id", "--client-secret", "s"},
		{"emulator", "--users", "500", "--seed", "7", "--addr", "127.0.0.1:0", "--client-id", "sdk-check", "--client-secret", "sdk-check-secret", "--rate", "0"},
	} {
		if _, code, stderr := parseOnly(args); code != exitOK {
			t.Errorf("syncer %s: exit %d\n%s", strings.Join(args, " "), code, stderr)
		}
	}
}

func Example_unknownFlag() {
	var errb bytes.Buffer
	code := dispatch(context.Background(), []string{"plan", "hr.csv", "--max-offbaords", "3"}, new(bytes.Buffer), &errb)
	first, _, _ := strings.Cut(errb.String(), "\n")
	fmt.Println(code, first)
	// Output: 64 syncer plan: unknown flag --max-offbaords (did you mean --max-offboards?)
}
