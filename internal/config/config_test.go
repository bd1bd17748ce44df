package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pipeline"
)

func env(kv ...string) Env {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestExampleConfigLoads(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("../../configs/syncer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := Parse("syncer.example.yaml", data, env("GENESYS_CLIENT_ID", "id", "GENESYS_CLIENT_SECRET", "s3cret"))
	if err != nil {
		t.Fatalf("example config does not load: %v", err)
	}
	if cfg.Genesys.Region != "mypurecloud.ie" || cfg.Database.Schema != "genesys" {
		t.Errorf("genesys/database = %+v %+v", cfg.Genesys, cfg.Database)
	}
	nightly := cfg.Pipelines["nightly"]
	if nightly == nil || nightly.Name != "nightly" || nightly.Users.PageSize != 500 || nightly.Analytics.Lookback != 48*time.Hour {
		t.Fatalf("nightly = %+v", nightly)
	}
	roster := cfg.Pipelines["hourly-roster"]
	if slices.Contains(roster.Streams, pipeline.StreamUserDetails) || !slices.Contains(roster.Streams, pipeline.StreamUsers) {
		t.Errorf("hourly-roster streams = %v", roster.Streams)
	}
	// A key left out stays unset here and takes the forward path's
	// default, its one definition.
	if roster.Analytics.Granularity != "" || roster.Users.PageSize != 0 {
		t.Errorf("config filled a default of its own for hourly-roster: %+v %+v", roster.Users, roster.Analytics)
	}
	fc, err := roster.Forward()
	if err != nil {
		t.Fatal(err)
	}
	if d := fc.WithDefaults(); d.Analytics.Granularity != extract.DefaultAnalyticsGranularity || d.PageSize != genesys.MaxUsersPageSize || d.QueueStrategy != pipeline.QueueStrategyAuto {
		t.Errorf("hourly-roster does not take the forward path's defaults: %+v", d)
	}
	hr := cfg.Feeds["hr"]
	if hr.Columns["employee_id"] != "Employee Number" || *hr.Guards.MaxOffboards != 25 || !*hr.Offboard.UnjoinQueues {
		t.Errorf("feed hr = %+v", hr)
	}
	if g := hr.Guards; *g.MaxRejectedPercent != 10 || *g.MaxQueueLossPercent != 30 {
		t.Errorf("feed hr guards: max_rejected_percent %v, max_queue_loss_percent %v; want 10, 30", *g.MaxRejectedPercent, *g.MaxQueueLossPercent)
	}
	if cfg.Database.URL != "" {
		t.Errorf("database url without DATABASE_URL = %q, want none (no default outside the demo)", cfg.Database.URL.Value())
	}
	// The nightly pipeline lists every stream, the default expands and
	// the development activities' defaults, as its comments say: a
	// stream, an expand or a default added later cannot leave it behind.
	if got, want := slices.Sorted(slices.Values(nightly.Streams)), slices.Sorted(slices.Values(pipeline.StreamNames())); !slices.Equal(got, want) {
		t.Errorf("nightly streams %v, want every stream %v", got, want)
	}
	if got, want := slices.Sorted(slices.Values(nightly.Users.Expand)), slices.Sorted(slices.Values(pipeline.DefaultExpand())); !slices.Equal(got, want) {
		t.Errorf("nightly expand %v, want the default %v", got, want)
	}
	fcn, err := nightly.Forward()
	if err != nil {
		t.Fatal(err)
	}
	got, want := fcn.Activities, (extract.ActivitiesConfig{}).WithDefaults()
	got.Workers, want.Workers = 0, 0
	if got != want {
		t.Errorf("nightly development_activities %+v, want the defaults %+v", got, want)
	}
}

func TestDefaultsWithoutFile(t *testing.T) {
	t.Parallel()
	cfg, err := Default(env("GENESYS_BASE_URL", "http://127.0.0.1:8089", "DATABASE_URL", "postgres://x@y/z"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Genesys.BaseURL != "http://127.0.0.1:8089" || cfg.Rate.RequestsPerMinute != 300 || cfg.Rate.MaxInFlight != 8 {
		t.Errorf("defaults = %+v %+v", cfg.Genesys, cfg.Rate)
	}
	if cfg.Database.URL.Value() != "postgres://x@y/z" {
		t.Errorf("database url = %q", cfg.Database.URL.Value())
	}
}

func TestEnvBaseURLOverridesRegion(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("genesys:\n  region: mypurecloud.de\n"), env("GENESYS_BASE_URL", "http://127.0.0.1:1"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Genesys.Region != "" || cfg.Genesys.BaseURL != "http://127.0.0.1:1" {
		t.Errorf("got region %q base %q", cfg.Genesys.Region, cfg.Genesys.BaseURL)
	}
}

func TestRequireGenesys(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("log:\n  level: info\n"), env())
	if err != nil {
		t.Fatalf("a config without genesys settings must load for database-only commands: %v", err)
	}
	err = cfg.RequireGenesys()
	for _, want := range []string{
		"c.yaml: genesys: set genesys.region",
		"genesys.client_id_env: the environment variable GENESYS_CLIENT_ID (the OAuth client id) is not set",
		"genesys.client_secret_env: the environment variable GENESYS_CLIENT_SECRET",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("RequireGenesys() = %v, want it to contain %q", err, want)
		}
	}
	cfg, _ = Parse("c.yaml", []byte("genesys:\n  region: mypurecloud.ie\n"), env("GENESYS_CLIENT_ID", "a", "GENESYS_CLIENT_SECRET", "b"))
	if err := cfg.RequireGenesys(); err != nil {
		t.Errorf("RequireGenesys() = %v for a complete config", err)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("genesys:\n  region: mypurecloud.ie\n"),
		env("GENESYS_CLIENT_ID", "the-id", "GENESYS_CLIENT_SECRET", "hunter2-secret", "DATABASE_URL", "postgres://u:dbpass@h/d"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Genesys.ClientSecret.Value() != "hunter2-secret" {
		t.Fatalf("secret value lost")
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "genesys", cfg.Genesys, "secret", cfg.Genesys.ClientSecret, "db", cfg.Database.URL)
	outputs := []string{
		fmt.Sprintf("%v %+v %#v %s", cfg, cfg.Genesys, cfg.Genesys, cfg.Genesys.ClientSecret),
		fmt.Sprint(cfg.Database),
		logs.String(),
	}
	for _, out := range outputs {
		for _, secret := range []string{"hunter2-secret", "dbpass", "the-id"} {
			if strings.Contains(out, secret) {
				t.Errorf("secret %q printed in %s", secret, out)
			}
		}
	}
}

// TestRejectedPercentGuard: a feed's max_rejected_percent is left unset
// when absent (the planner's default applies; no second definition here)
// and takes any value from 0 to 100 (100: no limit); outside that range
// it is refused with its key.
func TestRejectedPercentGuard(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		guards string
		want   *float64
	}{
		{"", nil},
		{"\n    guards:\n      max_offboards: 3", nil},
		{"\n    guards:\n      max_rejected_percent: 0", new(0.0)},
		{"\n    guards:\n      max_rejected_percent: 2.5", new(2.5)},
		{"\n    guards:\n      max_rejected_percent: 100", new(100.0)},
	} {
		cfg, err := Parse("c.yaml", []byte("genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv"+tt.guards+"\n"), env())
		if err != nil {
			t.Fatalf("%q: %v", tt.guards, err)
		}
		if got := cfg.Feeds["hr"].Guards.MaxRejectedPercent; (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("%q: max_rejected_percent = %v, want %v", tt.guards, got, tt.want)
		}
	}
	_, err := Parse("c.yaml", []byte("genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    guards:\n      max_rejected_percent: 101\n"), env())
	if err == nil || !strings.Contains(err.Error(), "c.yaml:7: feeds.hr.guards.max_rejected_percent: must be a percentage between 0 and 100, got 101") {
		t.Errorf("101%%: err = %v", err)
	}
}

// TestOwnsAliases: the names people reach for point at the real key, and
// an empty owns list is refused rather than read as "own nothing" or as
// the default.
func TestOwnsAliases(t *testing.T) {
	t.Parallel()
	_, err := Parse("c.yaml", []byte("feeds:\n  hr:\n    path: a.csv\n    ownership: [skills]\n"), env())
	if err == nil || !strings.Contains(err.Error(), `c.yaml:4: feeds.hr.ownership: unknown key "ownership" (the key is "owns")`) {
		t.Errorf("ownership: err = %v", err)
	}
	_, err = Parse("c.yaml", []byte("feeds:\n  hr:\n    path: a.csv\n    owns: []\n"), env())
	if err == nil || !strings.Contains(err.Error(), "c.yaml:4: feeds.hr.owns: lists no attribute") {
		t.Errorf("owns []: err = %v", err)
	}
}

// Forward maps a pipeline's section onto the forward path's configuration
// key by key, and leaves what the file does not set unset.
func TestForwardMapping(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte(`pipelines:
  p:
    streams: [users, queues]
    users: {states: [active], expand: [skills], page_size: 100}
    queues: {strategy: user}
    analytics: {start: "2026-10-01", lookback: 1h, max_interval: 24h, granularity: PT15M, metrics: [tSystemPresence],
      max_concurrent_jobs: 2, poll_interval: 1s, job_timeout: 1m, max_resubmits: 5, page_size: 500}
  empty: {}
`), env())
	if err != nil {
		t.Fatal(err)
	}
	got, err := cfg.Pipelines["p"].Forward()
	if err != nil {
		t.Fatal(err)
	}
	want := pipeline.ForwardConfig{Streams: []string{"users", "queues"}, States: []string{"active"}, Expand: []string{"skills"}, PageSize: 100, QueueStrategy: "user",
		Analytics: extract.AnalyticsConfig{Start: time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Lookback: time.Hour, MaxInterval: 24 * time.Hour,
			Granularity: "PT15M", Metrics: []string{"tSystemPresence"}, MaxConcurrentJobs: 2, PollInterval: time.Second,
			JobTimeout: time.Minute, MaxResubmits: 5, PageSize: 500}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("mapping (-want +got):\n%s", d)
	}
	empty, err := cfg.Pipelines["empty"].Forward()
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(pipeline.ForwardConfig{}, empty); d != "" {
		t.Errorf("a pipeline without keys maps onto (-zero +got):\n%s", d)
	}
	bad := &Pipeline{Name: "p", Analytics: Analytics{Start: "soon"}}
	if _, err := bad.Forward(); err == nil {
		t.Error("a bad start was accepted")
	}
}
