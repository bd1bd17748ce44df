package main

import (
	"bufio"
	"cmp"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/console"
	"github.com/usersync/syncer/internal/schedule"
	"github.com/usersync/syncer/internal/store"
)

func init() { register("console", newConsoleCommand) }

func newConsoleCommand() *cobra.Command {
	var user, role string
	c := &cobra.Command{
		Use:   "console hash-password [--user NAME --role viewer|approver]",
		Short: "make a password hash for an account of the web console",
		Long: `Console hash-password reads a password and prints its bcrypt hash, for an account
of the web console of syncer serve (serve.console). On a terminal it asks twice,
without echo; otherwise it reads the first line of standard input. With --user
it prints the whole account entry, NAME:ROLE:HASH, to put in the variable
SYNCER_CONSOLE_ACCOUNTS (one entry per line, or separated by spaces or commas)
or in serve.console.accounts_file. The password is never printed or stored.

Exit status: 0 success, 1 a password too short or long, 64 a bad command line.`,
		Example: `  syncer console hash-password
  syncer console hash-password --user ana --role approver
  printf '%s\n' "$PASSWORD" | syncer console hash-password --user ops --role viewer`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) != 1 || args[0] != "hash-password" {
				return errors.New("the action is hash-password: syncer console hash-password [--user NAME --role viewer|approver]")
			}
			if user != "" && !console.ValidName(user) {
				return errors.New("--user: a name is letters, digits and . _ @ + -, starting with a letter or digit, at most 128")
			}
			if r := console.Role(role); r != console.RoleViewer && r != console.RoleApprover {
				return errors.New("--role: viewer or approver")
			}
			return nil
		},
		ValidArgs: []cobra.Completion{"hash-password"},
		RunE: func(c *cobra.Command, _ []string) error {
			if code := runHashPassword(c.InOrStdin(), c.OutOrStdout(), c.ErrOrStderr(), user, role); code != exitOK {
				return exitStatus(code)
			}
			return nil
		},
	}
	c.Flags().StringVar(&user, "user", "", "print the account entry NAME:ROLE:HASH for `NAME`")
	c.Flags().StringVar(&role, "role", string(console.RoleViewer), "the account's `ROLE` with --user: viewer or approver")
	_ = c.RegisterFlagCompletionFunc("role", cobra.FixedCompletions([]cobra.Completion{"viewer", "approver"}, cobra.ShellCompDirectiveNoFileComp))
	return c
}

func runHashPassword(stdin io.Reader, stdout, stderr io.Writer, user, role string) int {
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return fail(stderr, "console hash-password", err)
	}
	hash, err := console.HashPassword(password)
	if err != nil {
		return fail(stderr, "console hash-password", err)
	}
	if user != "" {
		fmt.Fprintf(stdout, "%s:%s:%s\n", user, role, hash)
		return exitOK
	}
	fmt.Fprintln(stdout, hash)
	return exitOK
}

// readPassword asks twice without echo on a terminal, else reads one line.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		ask := func(prompt string) (string, error) {
			fmt.Fprint(stderr, prompt)
			b, err := term.ReadPassword(int(f.Fd()))
			fmt.Fprintln(stderr)
			return string(b), err
		}
		p1, err := ask("Password: ")
		if err != nil {
			return "", err
		}
		p2, err := ask("Again: ")
		if err != nil {
			return "", err
		}
		if p1 != p2 {
			return "", errors.New("the two passwords differ")
		}
		return p1, nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// consoleHandler builds the web console `syncer serve` mounts, or returns
// nil when serve.console.enabled is off. svc returns the service once it
// exists: the console reads its store and scheduler at each request.
func consoleHandler(cfg *config.Config, loc *time.Location, log *slog.Logger, getenv func(string) string, svc func() *schedule.Service) (http.Handler, error) {
	cc := cfg.Serve.Console
	if !cc.Enabled {
		return nil, nil
	}
	env := cmp.Or(cc.AccountsEnv, console.DefaultAccountsEnv)
	accounts, err := console.LoadAccounts(env, getenv(env), cc.AccountsFile)
	if err != nil {
		return nil, err
	}
	if len(accounts) == 0 && cc.ProxyUserHeader == "" {
		return nil, fmt.Errorf("serve.console.enabled is on but nobody can sign in: put accounts (NAME:ROLE:HASH; `syncer console hash-password --user NAME --role approver` makes one) in the environment variable %s or in serve.console.accounts_file, or set serve.console.proxy_user_header",
			env)
	}
	var feeds []console.Feed
	for _, name := range slices.Sorted(maps.Keys(cfg.Feeds)) {
		f := cfg.Feeds[name]
		feeds = append(feeds, console.Feed{Name: name, Path: f.Path, Mode: f.Mode, Schedule: f.Schedule})
	}
	con, err := console.New(console.Config{
		Accounts: accounts, ProxyUserHeader: cc.ProxyUserHeader, TrustedProxies: cc.Proxies, ProxyApprovers: cc.ProxyApprovers,
		SessionIdle: cc.SessionIdle, SessionMax: cc.SessionMax, Location: loc, Logger: log.With("component", "console"),
	}, console.Source{
		Store: func() *store.Store {
			if s := svc(); s != nil {
				return s.Store()
			}
			return nil
		},
		Jobs: func() []schedule.JobStatus {
			if s := svc(); s != nil {
				if sc := s.Scheduler(); sc != nil {
					return sc.Status()
				}
			}
			return nil
		},
		Trigger: func(job string) bool {
			if s := svc(); s != nil {
				if sc := s.Scheduler(); sc != nil {
					return sc.Trigger(job)
				}
			}
			return false
		},
		Feeds: feeds,
	})
	if err != nil {
		return nil, err
	}
	return con, nil
}

// consoleURL is the console's address for people, from the address serve
// listens on: a wildcard host is shown as 127.0.0.1.
func consoleURL(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://" + addr + console.Prefix
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + console.Prefix
}

// demoConsoleAddr is where `syncer demo` serves the console at its end.
const demoConsoleAddr = "127.0.0.1:9090"

// demoConsoleUser is the demo console's one account, an approver.
const demoConsoleUser = "demo"

// console is the demo's last step: `syncer serve` with the console on,
// over the demo's database and emulator, the demo pipeline on its
// schedule, and one account whose password is made now and printed. On a
// terminal it serves until Ctrl-C; otherwise the demo ends with the
// address and the login, and the console with it.
func (d *demo) console(ctx context.Context, f *forward, log *slog.Logger) error {
	if d.consoleAddr == "off" || d.consoleAddr == "" {
		return nil
	}
	d.say("the web console (syncer serve with serve.console.enabled)")
	password := demoPassword()
	hash, err := console.HashPassword(password)
	if err != nil {
		return err
	}
	cfg := *f.cfg
	cfg.Serve.RunOnStart = false
	cfg.Serve.Console = config.Console{Enabled: true}
	getenv := func(k string) string {
		if k == console.DefaultAccountsEnv {
			return demoConsoleUser + ":" + string(console.RoleApprover) + ":" + hash
		}
		return ""
	}
	var svc *schedule.Service
	con, err := consoleHandler(&cfg, time.UTC, log, getenv, func() *schedule.Service { return svc })
	if err != nil {
		return err
	}
	svc = schedule.NewService(schedule.ServiceConfig{
		Open:      func(ctx context.Context) (*store.Store, error) { return openStore(ctx, &cfg) },
		Jobs:      func(context.Context, *store.Store) ([]schedule.Job, error) { return serveJobs(&cfg, f, log), nil },
		Scheduler: schedule.Config{Logger: log},
		Console:   con,
	})
	ln, err := net.Listen("tcp", d.consoleAddr)
	if err != nil {
		// Taken (another serve, another demo): any free port will do.
		if ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return fmt.Errorf("listen for the console: %w", err)
		}
	}
	srv := &http.Server{Handler: svc.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	fmt.Fprintf(d.out, "The console shows the runs above, their charts, the feed and its plan:\n\n")
	fmt.Fprintf(d.out, "    %s\n    sign in as %s, password %s (an approver; made for this demo only)\n\n", consoleURL(ln.Addr().String()), demoConsoleUser, password)
	if !d.interactive {
		fmt.Fprintln(d.out, "Standard input is not a terminal, so the demo ends here and the console with it;")
		fmt.Fprintln(d.out, "run `syncer demo` on a terminal to keep it open.")
		return nil
	}
	fmt.Fprintln(d.out, "It stays open, with the demo pipeline scheduled every 10 minutes, until Ctrl-C ends the demo.")
	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	err = svc.Run(sctx)
	svc.Close()
	return err
}

// demoPassword is 16 random letters and digits, easy to type.
func demoPassword() string { return strings.ToLower(rand.Text()[:16]) }

// stdinIsTerminal reports whether a person can press Ctrl-C at the demo.
func stdinIsTerminal() bool { return term.IsTerminal(int(os.Stdin.Fd())) }
