// Package examplestream is a worked example of adding a forward stream,
// in test files only: user_external_ids, an optional stream that reads
// every user's external ids at one call a user. docs/extending.md
// ("Adding a stream") walks through the files it stands for; this test
// proves the walk-through compiles and runs: the stream registers, the
// config accepts it, a dry run shows its cost before it is listed, and a
// run through the runner loads the emulator's external ids into Postgres
// at the least calls.
package examplestream

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulatortest"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
)

func TestWalkthrough(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emulatortest.Start(t, emulator.Config{Users: 120, Seed: 23})
	client := srv.Client(t)
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	runner := pipeline.NewRunner(st, load.New(pool, load.Config{Schema: schema}), pipeline.Config{Accounting: pipeline.GenesysAccounting, Exclusive: true})

	// Registered: the names a pipeline may list include it; it is
	// optional, so a pipeline that lists no streams does not run it.
	if !slices.Contains(pipeline.StreamNames(), StreamUserExternalIDs) || slices.Contains(pipeline.DefaultStreams(), StreamUserExternalIDs) {
		t.Fatalf("streams %v, defaults %v: want %s registered and optional", pipeline.StreamNames(), pipeline.DefaultStreams(), StreamUserExternalIDs)
	}

	// The config file accepts it, as it accepts every registered stream.
	cfg, err := config.Parse("syncer.yaml", []byte("pipelines:\n  ids:\n    streams: [users, user_external_ids]\n    users: {expand: []}\n"),
		func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	fc, err := cfg.Pipelines["ids"].Forward()
	if err != nil {
		t.Fatal(err)
	}

	// Its cost is known before it is listed: a dry run of the users alone
	// estimates it from the users they counted.
	usersOnly := fc
	usersOnly.Streams = []string{pipeline.StreamUsers}
	streams, err := pipeline.ForwardStreams(client, usersOnly)
	if err != nil {
		t.Fatal(err)
	}
	dry, err := runner.DryRun(ctx, "ids", streams, nil)
	if err != nil {
		t.Fatal(err)
	}
	holders := 0
	var want []string
	for _, u := range srv.Users() {
		if u.State == genesys.StateDeleted {
			continue
		}
		holders++
		for _, e := range u.ExternalIDs {
			want = append(want, fmt.Sprintf("%s|%s|%s", u.ID, e.AuthorityName, e.ExternalKey))
		}
	}
	slices.Sort(want)
	var cost pipeline.Cost
	for _, c := range pipeline.Costs(dry, usersOnly) {
		if c.Stream == StreamUserExternalIDs {
			cost = c
		}
	}
	if !cost.Known || cost.InRun || !cost.Optional || cost.Calls != int64(holders) {
		t.Errorf("cost before it runs = %+v; want an estimate of one call for each of the %d users not deleted", cost, holders)
	}
	var shown strings.Builder
	pipeline.RenderCosts(&shown, pipeline.Costs(dry, usersOnly), 300)
	if !strings.Contains(shown.String(), StreamUserExternalIDs) || !strings.Contains(shown.String(), "optional") {
		t.Errorf("the dry run's costs do not show the stream:\n%s", shown.String())
	}

	// Run through the runner against the emulator and Postgres: the
	// reference stream is added (users run after it), the example runs
	// after the users, and loads exactly the emulator's external ids.
	streams, err = pipeline.ForwardStreams(client, fc)
	if err != nil {
		t.Fatal(err)
	}
	sum, err := runner.Run(ctx, "ids", streams, nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, r := range sum.Streams {
		names = append(names, r.Name)
	}
	if !slices.Equal(names, []string{pipeline.StreamReference, pipeline.StreamUsers, StreamUserExternalIDs}) {
		t.Errorf("streams run = %v", names)
	}
	rows, err := pool.Query(ctx, "SELECT user_id||'|'||authority_name||'|'||external_key FROM user_external_ids ORDER BY 1")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("loaded %d external ids, the emulator has %d", len(got), len(want))
	}
	// One call a user: the run used the minimum it declared.
	if n := sum.Calls.ByEndpoint["GET /api/v2/users/{userId}/externalid"][200]; n != int64(holders) {
		t.Errorf("%d external-id calls for %d users", n, holders)
	}
	if sum.Calls.Total != sum.MinCalls() {
		t.Errorf("calls = %d, minimum = %d", sum.Calls.Total, sum.MinCalls())
	}
}
