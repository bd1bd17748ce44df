package main

import (
	"bytes"
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/schedule/schematest"
	"github.com/usersync/syncer/internal/store"
)

func TestStatusShowsRunsScheduleAndWatermarks(t *testing.T) {
	t.Parallel()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	ctx := context.Background()
	st := store.New(pool, store.Config{Schema: schema})
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	wm := time.Date(2026, 11, 20, 6, 0, 0, 0, time.UTC)
	stream := pipeline.Stream{Name: "reference", Load: func(ctx context.Context, tx *load.Tx, _ *pipeline.StreamProgress) (*load.Watermark, error) {
		return &load.Watermark{Time: wm}, tx.Divisions(ctx, []load.DivisionRow{{ID: "d1", Name: "Home"}, {ID: "d2", Name: "Sales"}})
	}}
	runner := pipeline.NewRunner(st, load.New(pool, load.Config{Schema: schema}), pipeline.Config{})
	if _, err := runner.Run(ctx, "nightly", []pipeline.Stream{stream}, nil); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("c.yaml", []byte("pipelines:\n  nightly:\n    schedule: \"0 2 * * *\"\n  adhoc: {}\n"),
		func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 13, 0, 0, 0, time.UTC)
	rows, err := collectStatus(ctx, cfg, st, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Pipeline != "adhoc" || rows[1].Pipeline != "nightly" {
		t.Fatalf("rows = %+v", rows)
	}
	n := rows[1]
	if n.LastRun == nil || n.LastRun.Status != "succeeded" || n.LastRun.RowsReceived() != 2 || n.LastSuccess == nil {
		t.Errorf("nightly last run = %+v", n.LastRun)
	}
	if n.NextRun == nil || !n.NextRun.Equal(time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)) {
		t.Errorf("next run = %v, want 2026-11-29 02:00 UTC", n.NextRun)
	}
	if len(n.Watermarks) != 1 || n.Watermarks[0].Watermark == nil || !n.Watermarks[0].Watermark.Equal(wm) {
		t.Errorf("watermarks = %+v", n.Watermarks)
	}
	if rows[0].LastRun != nil {
		t.Errorf("adhoc never ran but has %+v", rows[0].LastRun)
	}
	js, err := json.Marshal(rows)
	if err != nil {
		t.Fatal(err)
	}
	schematest.Validate(t, "status.schema.json", js)
	if n.Schedule == nil || *n.Schedule != "0 2 * * *" || rows[0].Schedule != nil || n.LastRun.DurationSeconds == nil {
		t.Errorf("schedules or duration wrong: nightly %+v, adhoc %+v", n, rows[0])
	}
	var b bytes.Buffer
	renderStatus(&b, rows)
	for _, want := range []string{"PIPELINE", "adhoc", "never", "on demand", "nightly", "succeeded", "2026-11-29 02:00 UTC", "reference", "2026-11-20T06:00:00Z"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status output lacks %q:\n%s", want, b.String())
		}
	}
	everyTimeIn(t, b.String(), "UTC")

	// In the schedules' time zone, every time of the table is shown in
	// it, with its zone: the last run, the next and the last success, and
	// when the watermarks were updated.
	cfg, err = config.Parse("c.yaml", []byte("serve:\n  timezone: America/New_York\npipelines:\n  nightly:\n    schedule: \"0 2 * * *\"\n"),
		func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	rows, err = collectStatus(ctx, cfg, st, now)
	if err != nil {
		t.Fatal(err)
	}
	b.Reset()
	renderStatus(&b, rows)
	if !strings.Contains(b.String(), "2026-11-29 02:00 EST") {
		t.Errorf("next run is not 02:00 in New York:\n%s", b.String())
	}
	everyTimeIn(t, b.String(), "E[SD]T")
}

// everyTimeIn fails unless each date and time of the status table is
// followed by the zone.
func everyTimeIn(t *testing.T, out, zone string) {
	t.Helper()
	times := regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d(:\d\d)?( \S+)?`).FindAllStringSubmatch(out, -1)
	if len(times) < 4 {
		t.Errorf("%d times in the status table, want last run, next run, last success and a watermark's update:\n%s", len(times), out)
	}
	re := regexp.MustCompile("^ " + zone + "\\)?$")
	for _, m := range times {
		if !re.MatchString(m[2]) {
			t.Errorf("%q is not labelled %s:\n%s", m[0], zone, out)
		}
	}
}
