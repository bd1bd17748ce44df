// Package configtest gives tests the malformed-configuration corpus of
// internal/config/testdata/bad: one YAML file per mistake, each with the
// golden text of the errors it must produce, and secrets planted in the
// files and in the environment that no output may contain. Package config
// runs the corpus through Load; cmd/syncer runs it through the commands.
//
// A corpus file may start with directives in comments:
//
//	# env: NAME=value   the variable is set while the case runs
//	# secret: VALUE     VALUE (also planted in the file) must never be printed
//
// Every token of a file that contains Marker is a planted secret too.
package configtest

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// Marker is in every planted secret, so a test can also catch a secret
// printed in part.
const Marker = "Sekr1t"

// Env is the environment every case runs in: the secrets and the database
// URL set, as in production. GENESYS_BASE_URL and GENESYS_REGION are set
// empty (unset for config) unless a case's directive sets them.
var Env = map[string]string{
	"GENESYS_CLIENT_ID":     "corpus-client-id-EnvId" + Marker,
	"GENESYS_CLIENT_SECRET": "EnvSecret" + Marker + "-9xQ",
	"DATABASE_URL":          "postgres://syncer:EnvDb" + Marker + "Pw@127.0.0.1:1/corpus?connect_timeout=1",
	"GENESYS_BASE_URL":      "",
	"GENESYS_REGION":        "",
}

// Case is one corpus file.
type Case struct {
	Name   string            // file name without .yaml
	Path   string            // absolute path of the file
	Shown  string            // how the goldens name the file: testdata/bad/NAME.yaml
	Golden string            // absolute path of NAME.golden
	Env    map[string]string // Env plus the file's env directives
	// Secrets are the planted values no output may contain.
	Secrets []string
}

// Dir is the absolute path of the corpus.
func Dir() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "testdata", "bad")
}

var secretTokenRE = regexp.MustCompile(`[^\s"'\[\],:@/=?]*` + Marker + `[^\s"'\[\],:@/=?]*`)

// Cases lists the corpus in name order.
func Cases(tb testing.TB) []Case {
	tb.Helper()
	paths, err := filepath.Glob(filepath.Join(Dir(), "*.yaml"))
	if err != nil || len(paths) == 0 {
		tb.Fatalf("configtest: no corpus in %s: %v", Dir(), err)
	}
	slices.Sort(paths)
	var out []Case
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		name := strings.TrimSuffix(filepath.Base(p), ".yaml")
		c := Case{
			Name: name, Path: p, Shown: "testdata/bad/" + name + ".yaml",
			Golden: strings.TrimSuffix(p, ".yaml") + ".golden",
			Env:    map[string]string{},
		}
		for k, v := range Env {
			c.Env[k] = v
			if strings.Contains(v, Marker) {
				c.Secrets = append(c.Secrets, v)
			}
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "#") {
				break
			}
			if kv, ok := strings.CutPrefix(line, "# env: "); ok {
				k, v, _ := strings.Cut(kv, "=")
				c.Env[k] = v
			}
			if s, ok := strings.CutPrefix(line, "# secret: "); ok {
				c.Secrets = append(c.Secrets, s)
			}
		}
		for _, tok := range secretTokenRE.FindAll(data, -1) {
			c.Secrets = append(c.Secrets, string(tok))
		}
		c.Secrets = append(c.Secrets, Marker)
		out = append(out, c)
	}
	return out
}

// Want is the golden text of the case.
func (c Case) Want(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile(c.Golden)
	if err != nil {
		tb.Fatalf("%s: no golden (run go test ./internal/config -run TestBadConfigCorpus -update): %v", c.Name, err)
	}
	return string(b)
}

// Leaks returns the planted secrets out contains.
func (c Case) Leaks(out string) []string {
	var leaks []string
	for _, s := range c.Secrets {
		if s != "" && strings.Contains(out, s) {
			leaks = append(leaks, s)
		}
	}
	return leaks
}

// Lookup is the case's environment as a config.Env.
func (c Case) Lookup(k string) (string, bool) {
	v, ok := c.Env[k]
	return v, ok
}
