package config

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// TestNoValueIsRepeated sets every key of the configuration, one at a
// time, to values shaped like secrets (a password, a URL with one, a
// generated token, text YAML reads specially) and checks that no error
// repeats any of them: the rule of doc.go, for every key there is.
func TestNoValueIsRepeated(t *testing.T) {
	t.Parallel()
	planted := []string{
		"hunter2Sekr1t",
		"postgres://syncer:UrlSekr1tPw@db.example.com:5432/warehouse",
		"https://admin:UrlSekr1tPw@api.example.com/?token=Sekr1tTok",
		"kQ8vZ2Sekr1tXb7TnM4wPq9LrY3sJd6F",
		"Sekr1t: [x, {y",
		"GENESYS_CLIENT_SECRET=Sekr1tAssigned",
		"host=db user=syncer password=DsnSekr1t",
		"@every Sekr1t",
		"1 2 3 4 Sekr1t",
	}
	paths := leafPaths(reflect.TypeOf(Config{}), nil)
	if len(paths) < 60 {
		t.Fatalf("found %d keys; the walk over Config missed some", len(paths))
	}
	for _, path := range paths {
		for _, v := range planted {
			for _, asList := range []bool{false, true} {
				body := nest(path, v, asList)
				_, err := Parse("c.yaml", []byte(body), env())
				if err != nil && strings.Contains(err.Error(), "Sekr1t") {
					t.Errorf("%s set to %q: the error repeats the value:\n%v", strings.Join(path, "."), v, err)
				}
			}
		}
	}
	// As keys: a pipeline, a feed and a column named by a secret. Keys are
	// shown when they are name-shaped (doc.go); the rest must be hidden.
	for _, v := range planted {
		if keyRE.MatchString(v) && !looksLikeSecret(v) {
			continue
		}
		q, _ := json.Marshal(v)
		for _, body := range []string{
			fmt.Sprintf("pipelines:\n  %s: {}\n", q),
			fmt.Sprintf("feeds:\n  %s: {path: a.csv}\n", q),
			fmt.Sprintf("feeds:\n  hr:\n    columns:\n      %s: x\n", q),
			fmt.Sprintf("%s: x\n", q),
		} {
			_, err := Parse("c.yaml", []byte(body), env())
			if err != nil && strings.Contains(err.Error(), "Sekr1t") {
				t.Errorf("a key %q: the error repeats it:\n%v", v, err)
			}
		}
	}
}

// leafPaths lists the key paths of every value the file can set; map
// keys take a sample name.
func leafPaths(t reflect.Type, prefix []string) [][]string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	var out [][]string
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeOf(time.Time{}) {
			return [][]string{prefix}
		}
		for name, f := range yamlFields(t) {
			out = append(out, leafPaths(f.Type, append(append([]string(nil), prefix...), name))...)
		}
	case reflect.Map:
		sample := map[string]string{"pipelines": "nightly", "feeds": "hr", "columns": "email"}[prefix[len(prefix)-1]]
		out = append(out, leafPaths(t.Elem(), append(append([]string(nil), prefix...), sample))...)
	default:
		out = append(out, prefix)
	}
	return out
}

// nest writes path: v as YAML (v JSON-quoted, which YAML reads as a
// string), optionally as a one-entry list.
func nest(path []string, v string, asList bool) string {
	var b strings.Builder
	for i, k := range path[:len(path)-1] {
		fmt.Fprintf(&b, "%s%s:\n", strings.Repeat("  ", i), k)
	}
	q, _ := json.Marshal(v)
	val := string(q)
	if asList {
		val = "[" + val + "]"
	}
	fmt.Fprintf(&b, "%s%s: %s\n", strings.Repeat("  ", len(path)-1), path[len(path)-1], val)
	return b.String()
}

// TestSizeLimits: a file over 1 MiB is refused by its size before it is
// parsed (Load reads no more than the limit), as are a 10 MB value and a
// list of more entries than the limit, each with its key.
func TestSizeLimits(t *testing.T) {
	t.Parallel()
	big := filepath.Join(t.TempDir(), "big.yaml")
	huge := "feeds:\n  hr:\n    path: a.csv\n    external_id_authority: " + strings.Repeat("x", 10<<20) + "\n"
	if err := os.WriteFile(big, []byte(huge), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Load(big)
	if err == nil || !strings.Contains(err.Error(), big+": the file is 10.0 MiB; a configuration file is at most 1 MiB") {
		t.Errorf("Load(10 MB file) = %v", err)
	}
	_, err = Parse("c.yaml", []byte(huge), env())
	if err == nil || !strings.Contains(err.Error(), "c.yaml: the file is 10.0 MiB") {
		t.Errorf("Parse(10 MB) = %v", err)
	}
	for _, tt := range []struct{ body, want string }{
		{"feeds:\n  hr:\n    path: a.csv\n    external_id_authority: " + strings.Repeat("x", MaxValueLen+1) + "\n",
			"c.yaml:4: feeds.hr.external_id_authority: the value is 1.0 KiB; at most 1024 bytes"},
		{"feeds:\n  hr:\n    path: a.csv\n    external_id_authority: " + strings.Repeat("x", MaxValueLen) + "\n", ""},
		{"feeds:\n  hr:\n    path: /" + strings.Repeat("d", MaxPathLen-1) + "\n", ""},
		{"feeds:\n  hr:\n    path: /" + strings.Repeat("d", MaxPathLen) + "\n", "c.yaml:3: feeds.hr.path: the value is 4.0 KiB; at most 4096 bytes"},
		{"feeds:\n  hr:\n    path: a.csv\n    ignore_columns: [" + strings.Repeat("c,", MaxEntries) + "c]\n", "c.yaml:4: feeds.hr.ignore_columns: has 1001 entries; at most 1000"},
		{"feeds:\n  hr:\n    path: a.csv\n    columns:\n" + strings.Repeat("      x: y\n", 2), "c.yaml:6: feeds.hr.columns.x: is set twice (first at line 5)"},
		{"? " + strings.Repeat("x", MaxValueLen+1) + "\n: 1\n", "c.yaml:1: a key of 1.0 KiB; keys are names of at most 1024 bytes"},
	} {
		_, err := Parse("c.yaml", []byte(tt.body), env())
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("%.60q…: %v", tt.body, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("%.60q…: err = %v, want %q", tt.body, err, tt.want)
		}
	}
}

// TestScheduleFloor: schedules that fire more often than once a minute
// are refused with the reason; once a minute is allowed; the key lowers
// (for tests) or raises the floor.
func TestScheduleFloor(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		floor, spec string
		ok          bool
	}{
		{"", "@every 0s", false},
		{"", "@every 59s", false},
		{"", "@every 1m", true},
		{"", "@every 90s", true},
		{"", "* * * * *", true},
		{"", "@hourly", true},
		{"", "CRON_TZ=Europe/Dublin 0 2 * * *", true},
		{"1s", "@every 1s", true},
		{"1s", "@every 500ms", false},
		{"5s", "@every 2s", false},
		{"1h", "0 * * * *", true},
		{"1h", "*/30 * * * *", false},
		{"1h", "0,30 2 * * *", false},
		{"1h", "0 2,3 * * *", true},
		{"24h", "@daily", true},
		{"24h", "@hourly", false},
	} {
		serve := ""
		if tt.floor != "" {
			serve = "serve:\n  min_schedule_interval: " + tt.floor + "\n"
		}
		for _, body := range []string{
			serve + "pipelines:\n  p:\n    schedule: \"" + tt.spec + "\"\n",
			serve + "feeds:\n  f:\n    path: a.csv\n    schedule: \"" + tt.spec + "\"\n",
		} {
			cfg, err := Parse("c.yaml", []byte(body), env())
			if tt.ok && err != nil {
				t.Errorf("floor %q, %q refused: %v", tt.floor, tt.spec, err)
			}
			if !tt.ok && (err == nil || !strings.Contains(err.Error(), "are refused")) {
				t.Errorf("floor %q, %q: err = %v, want a refusal saying why", tt.floor, tt.spec, err)
			}
			if err == nil && tt.floor == "" && cfg.Serve.MinScheduleInterval != DefaultMinScheduleInterval {
				t.Errorf("default floor = %s", cfg.Serve.MinScheduleInterval)
			}
		}
	}
}

// TestRequireDatabase: no fallback database. An unset or empty variable
// is an error naming it (and the line of url_env when the file sets it);
// a set one passes; Load itself does not need it.
func TestRequireDatabase(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("log:\n  level: info\n"), env())
	if err != nil {
		t.Fatalf("a config must load without a database URL (emulator, version need none): %v", err)
	}
	if err := cfg.RequireDatabase(); err == nil || err.Error() != "c.yaml: database.url_env: the environment variable DATABASE_URL (the PostgreSQL connection URL, e.g. postgres://syncer@db.example.com:5432/warehouse) is not set" {
		t.Errorf("RequireDatabase() = %v", err)
	}
	cfg, _ = Parse("c.yaml", []byte("log:\n  level: info\ndatabase:\n  url_env: WAREHOUSE_DB\n"), env("DATABASE_URL", "postgres://x@y/z", "WAREHOUSE_DB", "  "))
	if err := cfg.RequireDatabase(); err == nil || !strings.HasPrefix(err.Error(), "c.yaml:4: database.url_env: the environment variable WAREHOUSE_DB ") {
		t.Errorf("url_env naming an empty variable, with DATABASE_URL set: RequireDatabase() = %v; want WAREHOUSE_DB named, no fallback", err)
	}
	cfg, _ = Parse("c.yaml", []byte("database:\n  url_env: WAREHOUSE_DB\n"), env("WAREHOUSE_DB", "postgres://x@y/z"))
	if err := cfg.RequireDatabase(); err != nil || cfg.Database.URL.Value() != "postgres://x@y/z" {
		t.Errorf("RequireDatabase() = %v, url %q", err, cfg.Database.URL.Value())
	}
	cfg, _ = Default(env())
	if err := cfg.RequireDatabase(); err == nil || err.Error() != "database.url_env: the environment variable DATABASE_URL (the PostgreSQL connection URL, e.g. postgres://syncer@db.example.com:5432/warehouse) is not set" {
		t.Errorf("without a file: RequireDatabase() = %v", err)
	}
}

// TestEnvNames: names of any conventional shape are accepted; values that
// are not names are told apart by what they look like.
func TestEnvNames(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"DATABASE_URL", "WAREHOUSE_DB_URL", "GENESYS_CLIENT_SECRET_2", "prod_db_url", "_X", "SYNCER_ORG_EU_WEST_1_CLIENT_SECRET"} {
		if _, err := Parse("c.yaml", []byte("database:\n  url_env: "+name+"\n"), env()); err != nil {
			t.Errorf("url_env %s refused: %v", name, err)
		}
	}
	for _, tt := range []struct{ value, want string }{
		{"postgres://u:p@h/d", "looks like a URL"},
		{"postgresql:///warehouse", "looks like a URL"},
		{"host=h user=u", "looks like a connection string"},
		{"DATABASE_URL=x", "looks like an assignment"},
		{"Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5", "looks like a secret value"},
		{"6f1c3e5a7b9d2f4a6c8e0b2d4f6a8c0e", "looks like a secret value"},
		{"123e4567-e89b-12d3-a456-426614174000", "looks like a secret value"},
		{"MY-VAR", "not an environment variable name"},
		{"1VAR", "not an environment variable name"},
	} {
		_, err := Parse("c.yaml", []byte("database:\n  url_env: \""+tt.value+"\"\n"), env())
		if err == nil || !strings.Contains(err.Error(), "c.yaml:2: database.url_env: "+tt.want) {
			t.Errorf("url_env %q: err = %v, want %q", tt.value, err, tt.want)
		}
	}
}

// TestEmptyMappingIsDefaults: {} is how a file says "the defaults" on
// purpose, unlike an empty file.
func TestEmptyMappingIsDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("{}\n"), env())
	if err != nil || cfg.Rate.RequestsPerMinute != 300 {
		t.Errorf("{}: %v", err)
	}
	for _, body := range []string{"", "\n  \n", "# only\n# comments\n", "---\n", "~\n"} {
		if _, err := Parse("c.yaml", []byte(body), env()); err == nil || !strings.Contains(err.Error(), "c.yaml: the file") {
			t.Errorf("%q: err = %v, want the file refused as empty", body, err)
		}
	}
}

// TestDocumentedLimits: the limits README.md and the example config state
// are the ones enforced.
func TestDocumentedLimits(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile("../../configs/syncer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(readme)), " ")
	for _, want := range []struct {
		phrase string
		holds  bool
	}{
		{"a file of at most 1 MiB", MaxFileSize == 1<<20},
		{"a value of at most 1,024 bytes (a feed `path` 4,096)", MaxValueLen == 1024 && MaxPathLen == 4096},
		{"a list or mapping of at most 1,000 entries", MaxEntries == 1000},
		{"may not fire more often than once a minute", DefaultMinScheduleInterval == time.Minute},
		{"`min_schedule_interval` (default `1m`", DefaultMinScheduleInterval == time.Minute},
	} {
		if !strings.Contains(text, want.phrase) {
			t.Errorf("README.md no longer says %q", want.phrase)
		} else if !want.holds {
			t.Errorf("README.md says %q, but the code's limit differs", want.phrase)
		}
	}
	if !strings.Contains(string(example), "min_schedule_interval: 1m ") || !strings.Contains(string(example), "at most 1 MiB, a value 1,024 bytes (a feed path 4,096), a list or mapping 1,000 entries") {
		t.Error("configs/syncer.example.yaml no longer states the schedule floor and the size limits")
	}
}
