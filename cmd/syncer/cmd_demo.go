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
	"path/filepath"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/configs"
	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/reverse"
)

func init() {
	register(command{name: "demo", summary: "run everything end to end against the built-in emulator and local Postgres", run: runDemo})
}

// demoSchema is the schema the demo recreates on every run, so it never
// touches a real syncer schema.
const demoSchema = "syncer_demo"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("demo", "[flags]", stderr)
	users := fs.Int("users", 2000, "users in the emulated org")
	seed := fs.Int64("seed", 7, "seed of the emulated org")
	rate := fs.Int("rate", 6000, "emulated rate limit, requests per minute per token (a real org: 300)")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	d := &demo{out: stdout, errw: stderr, start: time.Now()}
	if err := d.run(ctx, *users, *seed, *rate); err != nil {
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
}

func (d *demo) say(format string, args ...any) {
	d.step++
	fmt.Fprintf(d.out, "\n== %d. %s\n", d.step, fmt.Sprintf(format, args...))
}

func (d *demo) run(ctx context.Context, users int, seed int64, rate int) error {
	dbURL := envOr("DATABASE_URL", config.DefaultDatabaseURL)
	d.say("checking PostgreSQL")
	if err := pingDatabase(ctx, dbURL); err != nil {
		return fmt.Errorf("PostgreSQL does not answer (%v).\nStart one with:  docker compose up -d postgres\n(or on Debian: pg_ctlcluster 15 main start), or point DATABASE_URL at one", err)
	}
	fmt.Fprintf(d.out, "PostgreSQL answers; the demo works in schema %q, recreated now\n", demoSchema)
	if err := dropSchema(ctx, dbURL, demoSchema); err != nil {
		return err
	}

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

	d.say("running the forward pipeline (syncer run demo): users, skills, languages, queues, roles, analytics")
	sum, err := f.run(ctx, "demo", pipeline.NewProgress(), false)
	sum.Render(d.out)
	if err != nil {
		return err
	}

	d.say("three BI queries on the loaded data")
	if err := d.queries(ctx, f); err != nil {
		return err
	}
	return d.reverse(ctx, f, log)
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
	if err := printQuery(ctx, f, d.out, `
SELECT count(DISTINCT id) FILTER (WHERE valid_to IS NOT NULL) AS users_with_a_new_version,
       count(DISTINCT id) FILTER (WHERE valid_to IS NULL AND run_id <> (SELECT min(id) FROM sync_runs)
                                   AND id NOT IN (SELECT id FROM users_history WHERE valid_to IS NOT NULL)) AS users_added,
       count(*) AS history_rows
FROM users_history`); err != nil {
		return err
	}

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
	qs := []struct{ title, sql string }{
		{"agents per division (current_agents)", `
SELECT division_name, count(*) AS agents, round(avg(cardinality(skill_names)), 1)::float8 AS avg_skills,
       sum(joined_queue_count)::bigint AS queue_seats_joined
FROM current_agents WHERE state = 'active'
GROUP BY division_name ORDER BY agents DESC`},
		{"the five queues with the most joined agents (queue_membership)", `
SELECT queue_name, count(*) FILTER (WHERE joined) AS joined, count(*) AS members
FROM queue_membership WHERE NOT user_deleted
GROUP BY queue_name ORDER BY joined DESC, queue_name LIMIT 5`},
		{"on-queue hours per day, last 3 days (presence_daily)", `
SELECT day, round((sum(seconds) FILTER (WHERE system_presence = 'ON_QUEUE') / 3600)::numeric, 1)::float8 AS on_queue_hours,
       count(DISTINCT user_id) AS agents_with_presence
FROM presence_daily WHERE day >= current_date - 2
GROUP BY day ORDER BY day`},
	}
	for _, q := range qs {
		fmt.Fprintf(d.out, "\n-- %s\n", q.title)
		if err := printQuery(ctx, f, d.out, q.sql); err != nil {
			return fmt.Errorf("query %q: %w", q.title, err)
		}
	}
	return nil
}

// printQuery runs sql and prints the rows as a table.
func printQuery(ctx context.Context, f *forward, w io.Writer, sql string) error {
	rows, err := f.store.Pool().Query(ctx, sql)
	if err != nil {
		return err
	}
	defer rows.Close()
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	var names []string
	for _, fd := range rows.FieldDescriptions() {
		names = append(names, fd.Name)
	}
	fmt.Fprintln(tw, strings.Join(names, "\t"))
	n := 0
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			return err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			cells[i] = formatCell(v)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
		n++
	}
	if err := rows.Err(); err != nil {
		return err
	}
	tw.Flush()
	fmt.Fprintf(w, "(%d rows)\n", n)
	return nil
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

func pingDatabase(ctx context.Context, url string) error {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	return conn.Ping(cctx)
}

func dropSchema(ctx context.Context, url, schema string) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
	return err
}
