package config

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"
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
	if roster.HasStream(StreamUserDetails) || !roster.HasStream(StreamUsers) {
		t.Errorf("hourly-roster streams = %v", roster.Streams)
	}
	if roster.Analytics.Granularity != "PT30M" {
		t.Errorf("defaults not filled for hourly-roster: %+v", roster.Analytics)
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

// TestErrorsNameFileLineAndKey feeds malformed configurations and checks each
// error says where the problem is and what it is.
func TestErrorsNameFileLineAndKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"unknown top key", "genesys:\n  region: mypurecloud.ie\ndatabse:\n  schema: x\n",
			[]string{`c.yaml:3: databse: unknown key "databse" (did you mean "database"?)`}},
		{"unknown nested key", "genesys:\n  region: mypurecloud.ie\npipelines:\n  p1:\n    users:\n      pagesize: 10\n",
			[]string{`c.yaml:6: pipelines.p1.users.pagesize: unknown key "pagesize" (did you mean "page_size"?)`}},
		{"secret in file", "genesys:\n  region: mypurecloud.ie\n  client_secret: hunter2\n",
			[]string{`c.yaml:3: genesys.client_secret: unknown key "client_secret": secrets are read from the environment only`}},
		{"no way to skip TLS verification", "genesys:\n  region: mypurecloud.ie\n  insecure_skip_verify: true\n",
			[]string{`c.yaml:3: genesys.insecure_skip_verify: unknown key "insecure_skip_verify"`}},
		{"bad region", "genesys:\n  region: mypurecloud.xx\n",
			[]string{`c.yaml:2: genesys.region: unknown region "mypurecloud.xx"`}},
		{"both region and url", "genesys:\n  region: mypurecloud.ie\n  base_url: http://x\n",
			[]string{`c.yaml:3: genesys.base_url: set either genesys.region or genesys.base_url, not both`}},
		{"bad url", "genesys:\n  base_url: ftp://x\n",
			[]string{`c.yaml:2: genesys.base_url: "ftp://x" is not an http(s) URL`}},
		{"url with credentials", "genesys:\n  base_url: http://id:secret@x\n",
			[]string{`c.yaml:2: genesys.base_url: must not carry credentials`}},
		{"wrong type", "genesys:\n  region: mypurecloud.ie\nrate:\n  requests_per_minute: lots\n",
			[]string{`c.yaml:4: rate.requests_per_minute: cannot unmarshal !!str ` + "`lots`" + ` into int`}},
		{"bad duration", "genesys:\n  region: mypurecloud.ie\nrate:\n  max_retry_after: soon\n",
			[]string{`c.yaml:4: rate.max_retry_after:`}},
		{"page size over 500", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    users:\n      page_size: 501\n",
			[]string{`c.yaml:6: pipelines.nightly.users.page_size: must be between 1 and 500, got 501`}},
		{"bad stream", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    streams: [users, usrs]\n",
			[]string{`c.yaml:5: pipelines.nightly.streams[1]: "usrs" is not one of`}},
		{"bad state", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    users:\n      states:\n        - active\n        - gone\n",
			[]string{`c.yaml:8: pipelines.nightly.users.states[1]: "gone" is not one of active, inactive, deleted`}},
		{"bad cron", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    schedule: \"61 * * * *\"\n",
			[]string{`c.yaml:5: pipelines.nightly.schedule: bad cron schedule "61 * * * *"`}},
		{"bad granularity", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    analytics:\n      granularity: 30m\n",
			[]string{`c.yaml:6: pipelines.nightly.analytics.granularity: "30m" is not an ISO-8601 duration`}},
		{"interval too long", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    analytics:\n      max_interval: 1000h\n",
			[]string{`c.yaml:6: pipelines.nightly.analytics.max_interval: must be between 1h and 744h`}},
		{"bad start", "genesys:\n  region: mypurecloud.ie\npipelines:\n  nightly:\n    analytics:\n      start: yesterday\n",
			[]string{`c.yaml:6: pipelines.nightly.analytics.start: "yesterday" is not a date`}},
		{"bad pipeline name", "genesys:\n  region: mypurecloud.ie\npipelines:\n  Night Ly: {}\n",
			[]string{`c.yaml:4: pipelines.Night Ly: pipeline name "Night Ly" must be lowercase`}},
		{"bad feed mode and format", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    mode: full\n    format: xlsx\n",
			[]string{`c.yaml:6: feeds.hr.mode: "full" is not snapshot or delta`, `c.yaml:7: feeds.hr.format: "xlsx" is not csv or jsonl`}},
		{"bad guard", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    guards:\n      max_offboard_percent: 150\n",
			[]string{`c.yaml:7: feeds.hr.guards.max_offboard_percent: must be a percentage between 0 and 100`}},
		{"rejected percent over 100", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    guards:\n      max_rejected_percent: 100.5\n",
			[]string{`c.yaml:7: feeds.hr.guards.max_rejected_percent: must be a percentage between 0 and 100`}},
		{"negative rejected percent", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    guards:\n      max_offboards: 3\n      max_rejected_percent: -1\n",
			[]string{`c.yaml:8: feeds.hr.guards.max_rejected_percent: must be a percentage between 0 and 100`}},
		{"unknown feed column field", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    columns:\n      badge: Badge\n",
			[]string{`c.yaml:7: feeds.hr.columns.badge: unknown feed field "badge"`}},
		{"bad owns", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    path: a.csv\n    owns: [title, salary]\n",
			[]string{`c.yaml:6: feeds.hr.owns[1]: "salary" is not one of`}},
		{"scheduled feed without path", "genesys:\n  region: mypurecloud.ie\nfeeds:\n  hr:\n    schedule: \"@daily\"\n",
			[]string{`c.yaml:4: feeds.hr.path: a scheduled feed needs a path`}},
		{"bad timezone", "genesys:\n  region: mypurecloud.ie\nserve:\n  timezone: Mars/Olympus\n",
			[]string{`c.yaml:4: serve.timezone: unknown time zone "Mars/Olympus"`}},
		{"bad schema", "genesys:\n  region: mypurecloud.ie\ndatabase:\n  schema: \"x; drop\"\n",
			[]string{`c.yaml:4: database.schema: "x; drop" is not a valid schema name`}},
		{"not a mapping", "- a\n- b\n", []string{`c.yaml:1: the top level must be a mapping`}},
		{"section not a mapping", "genesys: mypurecloud.ie\n", []string{`c.yaml:1: genesys: must be a mapping of keys`}},
		{"broken yaml", "genesys:\n  region: [unclosed\n", []string{`c.yaml:`}},
		{"several errors at once", "genesys:\n  region: mypurecloud.ie\nlog:\n  level: loud\n  format: xml\n",
			[]string{`c.yaml:4: log.level: "loud" is not one of`, `c.yaml:5: log.format: "xml" is not one of`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse("c.yaml", []byte(tt.yaml), env())
			if err == nil {
				t.Fatalf("Parse accepted:\n%s", tt.yaml)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error\n  %s\ndoes not contain\n  %s", err, w)
				}
			}
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 {
				t.Errorf("error is %T, want config.Errors", err)
			}
		})
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
