package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/usersync/syncer/configs"
	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/reverse"
	"github.com/usersync/syncer/internal/store"
)

func init() { register("demo", newDemoCommand) }

func newDemoCommand() *cobra.Command {
	var (
		users, rate int
		seed        int64
		database    string
		consoleAddr string
	)
	c := &cobra.Command{
		Use:   "demo",
		Short: "run everything end to end against the built-in emulator and local Postgres",
		Long: `Demo starts an emulated org, migrates a schema of its own database (created when
missing on the server DATABASE_URL points at, else the local PostgreSQL), runs a
forward pipeline, plans and applies an HR feed, and shows the results.

Exit status: 0 success, 1 failure, 64 a bad command line.`,
		Example: `  syncer demo
  syncer demo --users 500 --database syncer_demo_ci`,
		Args: func(c *cobra.Command, args []string) error {
			if err := rangeArgs(0, 0, "")(c, args); err != nil {
				return err
			}
			if !demoDatabaseRE.MatchString(database) {
				return errors.New("--database: a database name is lowercase letters, digits and _, starting with a letter, at most 63")
			}
			return nil
		},
		RunE: runCode(func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
			return runDemo(ctx, users, seed, rate, database, consoleAddr, stdout, stderr)
		}),
	}
	fs := c.Flags()
	fs.Var(newIntFlag(&users, 2000, 1, "int"), "users", "users in the emulated org")
	fs.Int64Var(&seed, "seed", 7, "seed of the emulated org")
	fs.Var(newIntFlag(&rate, 6000, 1, "int"), "rate", "emulated rate limit, requests per minute per token (a real org: 300)")
	fs.StringVar(&database, "database", demoDatabaseName(), "the demo's own database `NAME`, created when missing on the server DATABASE_URL points at (else the local server)")
	fs.StringVar(&consoleAddr, "console-addr", demoConsoleAddr, "`HOST:PORT` of the web console the demo ends with (another free port when taken; off: none)")
	return c
}

// demoSchema is the schema the demo recreates on every run, in the
// demo's own database, so it never touches a real syncer schema.
const demoSchema = "syncer_demo"

// demoServerURL is the server the demo uses when DATABASE_URL is unset: the
// local PostgreSQL of a fresh install or of `docker compose up -d postgres`.
// It is the only default database syncer has; every other command needs
// the variable database.url_env names.
const demoServerURL = "postgres://postgres@127.0.0.1:5432/postgres"

func runDemo(ctx context.Context, users int, seed int64, rate int, database, consoleAddr string, stdout, stderr io.Writer) int {
	d := &demo{out: stdout, errw: stderr, start: time.Now(), database: database, consoleAddr: consoleAddr, interactive: stdinIsTerminal()}
	if err := d.run(ctx, users, seed, rate); err != nil {
		fmt.Fprintf(stderr, "\nsyncer demo: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "\ndemo finished in %s\n", time.Since(d.start).Round(100*time.Millisecond))
	return exitOK
}

type demo struct {
	out, errw io.Writer
	start     time.Time
	step      int
	database  string // the demo's own database
	// consoleAddr is where the web console is served at the end ("off":
	// nowhere); interactive says it stays open until Ctrl-C.
	consoleAddr string
	interactive bool
}

func (d *demo) say(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.out, "\n== %d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demo) run(ctx context.Context, users int, seed int64, rate int) error {
	d.say("checking PostgreSQL")
	db, err := openDemoDatabase(ctx, os.Getenv("DATABASE_URL"), d.database)
	if err != nil {
		return err
	}
	// Held until the demo ends: a second demo in the same database would
	// drop the schema under this one.
	defer db.lock.Close(context.WithoutCancel(ctx))
	fmt.Fprintf(d.out, "PostgreSQL answers at %s (%s).\n", db.server, db.source)
	how := "already there"
	if db.created {
		how = "created now"
	}
	fmt.Fprintf(d.out, "The demo works in its own database %s on that server (%s), in schema %s, recreated now;\n"+
		"it touches no other database, and each user's demo has its own (--database to choose another).\n", d.database, how, demoSchema)
	if err := dropSchema(ctx, db.url, demoSchema); err != nil {
		return err
	}
	dbURL := db.url

	d.say("starting the emulated Genesys Cloud org (%d users, seed %d, %d requests/minute)", users, seed, rate)
	srv, err := emulator.New(emulator.Config{Users: users, Seed: seed, RatePerMinute: rate, ClientID: "demo-client", ClientSecret: "demo-secret"})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen for the emulator: %w", err)
	}
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln)
	defer hs.Close()
	baseURL := "http://" + ln.Addr().String()
	fmt.Fprintf(d.out, "emulator at %s: %d active, %d inactive, %d deleted users, %d queues\n", baseURL,
		srv.UserCount("active"), srv.UserCount("inactive"), srv.UserCount("deleted"), len(srv.Queues()))

	env := map[string]string{
		"GENESYS_BASE_URL": baseURL, "GENESYS_CLIENT_ID": "demo-client", "GENESYS_CLIENT_SECRET": "demo-secret",
		"DATABASE_URL": dbURL,
	}
	cfg, err := config.Parse("configs/demo.yaml", configs.Demo, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		return err
	}
	cfg.Database.Schema = demoSchema
	cfg.Rate.RequestsPerMinute = rate
	// One day of analytics keeps the demo under two minutes; a real
	// pipeline starts where its config says.
	cfg.Pipelines["demo"].Analytics.Start = time.Now().UTC().Add(-24 * time.Hour).Truncate(time.Hour).Format(time.RFC3339)
	log := newLogger(d.errw, "warn", "text")

	d.say("migrating the database (syncer migrate)")
	st, err := openStore(ctx, cfg)
	if err != nil {
		return err
	}
	res, err := st.Migrate(ctx)
	st.Close()
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "applied %d migrations\n", len(res))

	f, err := newForward(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer f.Close()

	d.say("running the forward pipeline (syncer run demo): every stream, the optional utilization and development activities too")
	sum, err := f.run(ctx, "demo", pipeline.NewProgress(), false)
	sum.Render(d.out)
	if err != nil {
		return err
	}

	d.say("BI queries on the loaded data")
	if err := d.queries(ctx, f); err != nil {
		return err
	}
	if err := d.reverse(ctx, f, log); err != nil {
		return err
	}
	fmt.Fprintf(d.out, "\nThe data stays in database %s on %s, schema %s, until the next demo recreates it.\n", d.database, db.server, demoSchema)
	return d.console(ctx, f, log)
}

// reverse plans the sample HR feed, applies it, re-syncs and shows that a
// new plan is empty.
func (d *demo) reverse(ctx context.Context, f *forward, log *slog.Logger) error {
	feedPath, cleanup, err := sampleFeed()
	if err != nil {
		return err
	}
	defer cleanup()
	fc := f.cfg.Feeds["hr"]
	fc.Path = feedPath
	sp, err := reverse.SpecFromConfig(fc, f.cfg.Rate.RequestsPerMinute)
	if err != nil {
		return err
	}
	svc := reverse.New(f.client, f.store, reverse.Config{Logger: log})

	d.say("planning the sample HR feed (syncer plan configs/samples/hr_feed.csv)")
	// Planning refreshes the state first; the first time, that includes
	// reading every user's external ids (one call per user: the API has no
	// bulk read of them), which later plans only re-read for changed users.
	planned, err := svc.Plan(ctx, sp, true)
	if err != nil {
		return err
	}
	if err := planned.Plan.Render(d.out); err != nil {
		return err
	}
	if !planned.Plan.HasChanges() {
		return errors.New("the sample feed planned no changes; it does not fit this org (use the default --users and --seed)")
	}

	d.say("applying the plan (syncer apply), journaled in plan_operations")
	res, err := svc.Apply(ctx, sp, planned.Plan, reverse.ApplyOptions{Verify: true})
	if err != nil {
		return err
	}
	fmt.Fprintf(d.out, "applied %d of %d operations in %s: %d write calls, %d reads, %d failed, %d skipped\n",
		res.Done, res.Total, res.Duration.Round(10*time.Millisecond), res.Writes, res.Reads, res.Failed, res.Skipped)
	for _, fl := range res.Failures {
		fmt.Fprintf(d.out, "  failed: %s\n", reverse.Describe(fl))
	}
	if !res.OK() {
		return fmt.Errorf("the apply did not converge: %d failed, %d skipped", res.Failed, res.Skipped)
	}

	d.say("re-syncing (syncer run demo): history records exactly what the apply changed")
	sum, err := f.run(ctx, "demo", pipeline.NewProgress(), false)
	sum.Render(d.out)
	if err != nil {
		return err
	}
	// Changed users have a closed version; joiners' first version was
	// opened by a later run than the first load.
	hist, err := f.store.UserHistoryChanges(ctx)
	if err != nil {
		return err
	}
	printTable(d.out, hist)

	d.say("planning the same feed again: it must be empty")
	again, err := svc.Plan(ctx, sp, true)
	if err != nil {
		return err
	}
	if err := again.Plan.Render(d.out); err != nil {
		return err
	}
	if again.Plan.HasChanges() {
		return fmt.Errorf("the second plan still has %d operations", len(again.Plan.Operations))
	}
	fmt.Fprintln(d.out, "no changes: the org matches the feed")
	return nil
}

// sampleFeed writes the embedded sample HR feed to a temporary file, so the
// demo works from any directory.
func sampleFeed() (string, func(), error) {
	dir, err := os.MkdirTemp("", "syncer-demo-")
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(dir, "hr_feed.csv")
	if err := os.WriteFile(path, configs.SampleHRFeed, 0o600); err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return path, func() { os.RemoveAll(dir) }, nil
}

func (d *demo) queries(ctx context.Context, f *forward) error {
	qs := []struct {
		title string
		run   func() (store.Table, error)
	}{
		{"agents per division (current_agents)", func() (store.Table, error) { return f.store.AgentsPerDivision(ctx) }},
		{"the five queues with the most joined agents (queue_membership)", func() (store.Table, error) { return f.store.BusiestQueues(ctx, 5) }},
		{"on-queue hours per day, last 3 days (presence_daily)", func() (store.Table, error) { return f.store.OnQueueHours(ctx, 3) }},
		{"who is out of office now and in the next 7 days (out_of_office_now, out_of_office_next_7_days)", func() (store.Table, error) {
			return f.store.OutOfOfficeThisWeek(ctx, 8)
		}},
		{"overdue coaching and learning per manager (overdue_development_activities_by_manager)", func() (store.Table, error) {
			return f.store.OverdueByManager(ctx, 5)
		}},
		{"capacity per media type, the agents' own against the org default (utilization_by_media_type)", func() (store.Table, error) {
			return f.store.CapacityByMediaType(ctx)
		}},
	}
	for _, q := range qs {
		fmt.Fprintf(d.out, "\n-- %s\n", q.title)
		t, err := q.run()
		if err != nil {
			return fmt.Errorf("query %q: %w", q.title, err)
		}
		printTable(d.out, t)
	}
	return nil
}

// printTable prints a query's result as psql does: a header, aligned
// columns and the row count.
func printTable(w io.Writer, t store.Table) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(t.Columns, "\t"))
	for _, row := range t.Rows {
		cells := make([]string, len(row))
		for i, v := range row {
			cells[i] = formatCell(v)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	fmt.Fprintf(w, "(%d rows)\n", len(t.Rows))
}

func formatCell(v any) string {
	switch x := v.(type) {
	case nil:
		return "-"
	case time.Time:
		return x.Format("2006-01-02")
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []string:
		return strings.Join(x, ", ")
	}
	return fmt.Sprint(v)
}

var demoDatabaseRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// demoDatabaseName is syncer_demo_USER: one database per user, so two
// people's demos on one server never drop each other's schema.
func demoDatabaseName() string {
	name := os.Getenv("USER")
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	name = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			return r
		case r >= 'A' && r <= 'Z':
			return r - 'A' + 'a'
		}
		return '_'
	}, name)
	if name == "" {
		return "syncer_demo"
	}
	return "syncer_demo_" + name[:min(len(name), 40)]
}

// demoDatabase is the demo's own database, and the connection holding its
// lock.
type demoDatabase struct {
	url     string // of the demo's database
	server  string // host:port as the user knows it, no credentials
	source  string // where the server came from
	created bool
	lock    *store.Admin
}

// demoLockKey names the lock a demo holds in its database.
const demoLockKey = "syncer demo"

// openDemoDatabase creates the demo's database on the server serverURL
// names (the local default when empty) when it is missing, and takes the
// demo's lock in it. Errors name the server and say what to do, never the
// password.
func openDemoDatabase(ctx context.Context, serverURL, name string) (*demoDatabase, error) {
	db := &demoDatabase{source: "from DATABASE_URL"}
	if strings.TrimSpace(serverURL) == "" {
		serverURL, db.source = demoServerURL, "the local default: DATABASE_URL is unset"
	}
	target, err := store.ParseTarget(serverURL)
	if err != nil {
		return nil, errors.New("DATABASE_URL is not a valid connection string (postgres://user:password@host:5432/db)")
	}
	db.server = target.Addr()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	admin, err := store.ConnectAdmin(cctx, serverURL)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL at %s (%s) does not answer: %w\n"+
			"Start one with:  docker compose up -d postgres\n(or on Debian: pg_ctlcluster 15 main start), or point DATABASE_URL at one", db.server, db.source, err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	db.created, err = admin.CreateDatabase(cctx, name)
	if err != nil {
		return nil, fmt.Errorf("the demo's database %s is missing on %s and could not be created as role %s: %w\n"+
			"Create it once with:  createdb -h %s -p %d -U postgres %s\n(or CREATE DATABASE %s as a role that may), or point DATABASE_URL at a server where %s may create databases",
			name, db.server, target.User, err, target.Host, target.Port, name, name, target.User)
	}
	db.url = store.WithDatabase(serverURL, name)
	lock, err := store.ConnectAdmin(cctx, db.url)
	if err != nil {
		return nil, fmt.Errorf("connect to the demo's database %s on %s: %w", name, db.server, err)
	}
	got, err := lock.TryLock(cctx, demoLockKey)
	if err != nil || !got {
		lock.Close(context.WithoutCancel(ctx))
		if err == nil {
			err = fmt.Errorf("another syncer demo is running in database %s on %s: wait for it to end, or give this one its own with --database NAME", name, db.server)
		}
		return nil, err
	}
	db.lock = lock
	return db, nil
}

// dropSchema drops the demo's schema, with everything the last demo left.
func dropSchema(ctx context.Context, url, schema string) error {
	admin, err := store.ConnectAdmin(ctx, url)
	if err != nil {
		return err
	}
	defer admin.Close(ctx)
	return admin.DropSchema(ctx, schema)
}
