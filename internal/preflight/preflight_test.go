package preflight_test

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/docstest"
	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulatortest"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/preflight"
)

var update = flag.Bool("update", false, "rewrite the endpoint table of docs/genesys-setup.md")

// env is an emulator over real HTTP and a client logged in to it.
type env struct {
	srv    *emulatortest.Org
	client *genesys.Client
}

func newEnv(t *testing.T, cfg emulator.Config) *env {
	t.Helper()
	cfg.Users = 40
	org := emulatortest.Start(t, cfg)
	return &env{srv: org, client: org.Client(t)}
}

// everything is what a config with every stream and a feed that may do
// everything needs.
func everything() []preflight.Need {
	needs := preflight.PipelineNeeds(preflight.PipelineSpec{Name: "all", Streams: pipeline.StreamNames(),
		Expand: pipeline.DefaultExpand(), QueueStrategy: "auto"})
	return append(needs, preflight.FeedNeeds(preflight.FeedSpec{Name: "hr", Authority: "hr", OffboardAction: "delete", RevokesRoles: true})...)
}

// The registry's permissions are those the emulator enforces (both
// transcribed from the Platform API reference), endpoint by endpoint.
func TestEndpointsMatchEmulator(t *testing.T) {
	t.Parallel()
	for _, e := range preflight.Endpoints() {
		pattern := strings.Replace(e.Key(), "/objects/USER", "/objects/{objectType}", 1)
		perms, anyOf, ok := emulator.RoutePermissions(pattern)
		if !ok {
			t.Errorf("%s: the emulator does not serve it", e.Key())
			continue
		}
		if !sameSet(perms, e.Permissions) || (len(perms) > 0 && anyOf != e.AnyOf) {
			t.Errorf("%s: registry %v (any %v), emulator %v (any %v)", e.Key(), e.Permissions, e.AnyOf, perms, anyOf)
		}
	}
}

// Every plan operation kind has an endpoint, the one diff.Kind.Endpoint
// names (up to the names of path parameters and the ?delete query).
func TestWritesMatchPlanKinds(t *testing.T) {
	t.Parallel()
	kinds := preflight.FeedWrites(preflight.FeedSpec{Authority: "hr", OffboardAction: "delete", RevokesRoles: true})
	if len(kinds) != 26 {
		t.Errorf("a feed that may do everything has %d kinds, want 26", len(kinds))
	}
	params := regexp.MustCompile(`\{[^}]*\}`)
	for _, k := range kinds {
		e, ok := preflight.WriteEndpoint(k)
		if !ok || !e.Write {
			t.Errorf("kind %s: no write endpoint", k)
			continue
		}
		method, path := k.Endpoint()
		path, _, _ = strings.Cut(path, "?")
		if want := params.ReplaceAllString(method+" "+path, "{}"); params.ReplaceAllString(e.Key(), "{}") != want {
			t.Errorf("kind %s: registry %s, diff %s", k, e.Key(), want)
		}
	}
	// What the configuration rules out is left out.
	some := preflight.FeedWrites(preflight.FeedSpec{OffboardAction: "deactivate"})
	for _, k := range []diff.Kind{diff.KindDeleteUser, diff.KindRemoveRoles, diff.KindSetExternalID} {
		if slices.Contains(some, k) {
			t.Errorf("a deactivating feed without authority or roles may %s", k)
		}
	}
}

// Every stream of the configuration has uses, and a pipeline of one
// stream needs what that stream calls.
func TestPipelineNeeds(t *testing.T) {
	t.Parallel()
	for _, s := range pipeline.StreamNames() {
		needs := preflight.PipelineNeeds(preflight.PipelineSpec{Name: "p", Streams: []string{s}, QueueStrategy: "auto"})
		if !slices.ContainsFunc(needs, func(n preflight.Need) bool { return n.By == "pipeline p: "+s }) {
			t.Errorf("stream %s: no need names it: %v", s, needs)
		}
	}
	keys := func(ns []preflight.Need) []string {
		var ks []string
		for _, n := range ns {
			ks = append(ks, n.Endpoint)
		}
		return ks
	}
	q := keys(preflight.PipelineNeeds(preflight.PipelineSpec{Name: "p", Streams: []string{"queues"}, QueueStrategy: "queue"}))
	if !slices.Contains(q, preflight.EndpointQueueMembers) || slices.Contains(q, preflight.EndpointUserQueues) {
		t.Errorf("queue strategy: %v", q)
	}
	u := keys(preflight.PipelineNeeds(preflight.PipelineSpec{Name: "p", Streams: []string{"queues"}, QueueStrategy: "user"}))
	if slices.Contains(u, preflight.EndpointQueueMembers) || !slices.Contains(u, preflight.EndpointUserQueues) || !slices.Contains(u, preflight.EndpointQueues) {
		t.Errorf("user strategy: %v", u)
	}
	a := keys(preflight.PipelineNeeds(preflight.PipelineSpec{Name: "p", Streams: []string{"user_aggregates"}}))
	if slices.Contains(a, preflight.EndpointUsers) || !slices.Contains(a, preflight.EndpointAggregatesSubmit) {
		t.Errorf("aggregates only: %v", a)
	}
}

// With every permission, every read a full config needs answers ok, each
// costs one call (plus the token request), and the writes are listed as
// not probed.
func TestProbeAllOK(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Config{})
	ctx := context.Background()
	if c := preflight.CheckLogin(ctx, e.client, preflight.LoginTarget{IDEnv: "ID", SecretEnv: "SECRET"}); c.Status != preflight.OK {
		t.Fatalf("login: %+v", c)
	}
	checks := preflight.Probe(ctx, e.client, everything(), preflight.ProbeConfig{Authority: "hr"})
	var ok, notProbed int
	for _, c := range checks {
		switch c.Status {
		case preflight.OK:
			ok++
		case preflight.NotProbed:
			notProbed++
			if !strings.Contains(c.Detail, "a write: needs ") {
				t.Errorf("%s: %q does not name the permissions", c.Name, c.Detail)
			}
		default:
			t.Errorf("%s: %s %s", c.Name, c.Status, c.Detail)
		}
	}
	var reads int
	for _, ep := range preflight.Endpoints() {
		if !ep.Write && ep.ProbedBy == "" {
			reads++
		}
	}
	if ok != reads || notProbed != 23 {
		t.Errorf("%d ok, %d not probed; want %d reads ok and 23 writes", ok, notProbed, reads)
	}
	// README and docs/genesys-setup.md state the calls for every stream
	// and a feed.
	for path, re := range map[string]*regexp.Regexp{
		"../../README.md":             regexp.MustCompile(`one call per endpoint \((\d+) for every stream and a feed\)`),
		"../../docs/genesys-setup.md": regexp.MustCompile(`where the endpoint pages\): (\d+)\s+calls`),
	} {
		doc, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		m := re.FindSubmatch(doc)
		if m == nil {
			t.Errorf("%s no longer states the probes' calls (%s)", path, re)
		} else if string(m[1]) != strconv.Itoa(reads) {
			t.Errorf("a config with every stream and a feed probes %d endpoints; %s says %s", reads, path, m[1])
		}
	}
	st := e.srv.Stats()
	if want := int64(ok + 1); st.Total != want {
		t.Errorf("the probes cost %d requests, want %d (one per endpoint and the token)", st.Total, want)
	}
	for route, byStatus := range st.Routes {
		if !strings.HasPrefix(route, "GET ") && route != "POST /api/v2/users/search" && route != "POST /oauth/token" {
			t.Errorf("a probe called %s %v: probes only read", route, byStatus)
		}
	}
}

// Taking away the permissions of an endpoint (every alternative of an
// any-of) makes its probe fail naming the permission as the docs list it,
// first or only; an endpoint whose listing fails first is skipped, and the
// listing's line names it.
func TestProbeNamesEachMissingPermission(t *testing.T) {
	t.Parallel()
	for _, ep := range preflight.Endpoints() {
		if ep.Write || ep.ProbedBy != "" || len(ep.Permissions) == 0 {
			continue
		}
		t.Run(ep.Key(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, emulator.Config{DeniedPermissions: ep.Permissions})
			checks := preflight.Probe(context.Background(), e.client, everything(), preflight.ProbeConfig{})
			var line preflight.Check
			failedNaming := false
			for _, c := range checks {
				if c.Name == ep.Key() {
					line = c
				}
				if c.Status == preflight.Fail && strings.Contains(c.Detail, "403: the role lacks "+ep.Permissions[0]) {
					failedNaming = true
				}
				if c.Status == preflight.Fail && !strings.Contains(c.Detail, "403: the role lacks ") {
					t.Errorf("%s failed for another reason: %s", c.Name, c.Detail)
				}
			}
			switch {
			case line.Status == preflight.Fail && strings.Contains(line.Detail, "403: the role lacks "+ep.Permissions[0]):
			case line.Status == preflight.Skipped && failedNaming:
			default:
				t.Errorf("line %+v; want FAIL naming %s", line, ep.Permissions[0])
			}
		})
	}
}

func TestCheckLoginFailures(t *testing.T) {
	t.Parallel()
	e := newEnv(t, emulator.Config{ClientID: "planted-client-id-3141", ClientSecret: "planted-secret-2718"})
	ctx := context.Background()
	target := preflight.LoginTarget{Region: "mypurecloud.ie", IDEnv: "GENESYS_CLIENT_ID", SecretEnv: "GENESYS_CLIENT_SECRET"}
	login := func(base, secret string) preflight.Check {
		c, err := genesys.NewClient(genesys.WithBaseURL(base), genesys.WithCredentials("planted-client-id-3141", secret))
		if err != nil {
			t.Fatal(err)
		}
		return preflight.CheckLogin(ctx, c, target)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := "http://" + ln.Addr().String()
	ln.Close()
	for _, tc := range []struct {
		name, base, secret string
		want               []string
	}{
		{"wrong secret", e.srv.URL, "planted-wrong-secret-1618", []string{"region mypurecloud.ie", strings.TrimPrefix(e.srv.URL, "http://"),
			"refused the client id or secret (401 invalid_client)", "$GENESYS_CLIENT_ID", "$GENESYS_CLIENT_SECRET"}},
		{"no such host", "https://login.syncer-check.invalid", "planted-secret-2718", []string{"login host login.syncer-check.invalid", "DNS: ", "does not resolve"}},
		{"nothing listens", refused, "planted-secret-2718", []string{"connection refused"}},
	} {
		c := login(tc.base, tc.secret)
		if c.Status != preflight.Fail {
			t.Errorf("%s: %+v, want FAIL", tc.name, c)
		}
		for _, w := range tc.want {
			if !strings.Contains(c.Detail, w) {
				t.Errorf("%s: %q lacks %q", tc.name, c.Detail, w)
			}
		}
		for _, secret := range []string{"planted-client-id-3141", "planted-secret-2718", "planted-wrong-secret-1618"} {
			if strings.Contains(c.Detail, secret) {
				t.Errorf("%s: %q contains the planted %q", tc.name, c.Detail, secret)
			}
		}
	}
}

func TestReportRender(t *testing.T) {
	t.Parallel()
	var r preflight.Report
	r.Add(preflight.Check{Status: preflight.OK, Name: "config", Detail: "valid"})
	r.Add(preflight.Check{Status: preflight.Fail, Name: "GET /api/v2/routing/queues", Detail: "403: the role lacks routing:queue:view"})
	r.Add(preflight.Check{Status: preflight.Skipped, Name: "x", Detail: "why"})
	r.Add(preflight.Check{Status: preflight.NotProbed, Name: "POST /api/v2/users", Detail: "a write: needs directory:user:add"})
	var b strings.Builder
	r.Render(&b)
	want := `ok          config                      valid
FAIL        GET /api/v2/routing/queues  403: the role lacks routing:queue:view
skipped     x                           why
not probed  POST /api/v2/users          a write: needs directory:user:add
check failed: 1 of 3 checks failed, 1 skipped; 1 write endpoint(s) not probed: the role needs the permissions listed for them (docs/genesys-setup.md)
`
	if b.String() != want || r.OK() {
		t.Errorf("Render:\n%s\nwant:\n%s", b.String(), want)
	}
}

func renderTable() string {
	var b strings.Builder
	b.WriteString("| endpoint | permission | needed by |\n|---|---|---|\n")
	for _, r := range preflight.Table() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.Endpoint, r.Permission, r.NeededBy)
	}
	return b.String()
}

// The endpoint table of docs/genesys-setup.md is the registry the check
// probes from; the permissions the rest of the document names are all in
// it, and every permission of the registry is named.
func TestDocsTable(t *testing.T) {
	t.Parallel()
	const path = "../../docs/genesys-setup.md"
	prose := docstest.Section(t, path, "endpoint table", renderTable(), *update,
		"go test ./internal/preflight -run TestDocsTable -update")
	known := map[string]bool{}
	for _, e := range preflight.Endpoints() {
		for _, p := range e.Permissions {
			known[p] = true
		}
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile("`([a-z]+:[a-zA-Z]+:[a-zA-Z]+)`").FindAllStringSubmatch(prose, -1) {
		named[m[1]] = true
		if !known[m[1]] {
			t.Errorf("%s names %s, which no endpoint syncer calls requires", path, m[1])
		}
	}
	for p := range known {
		if !named[p] && p != preflight.PermOrgAdmin && p != preflight.PermQueueReadonly && p != preflight.PermQueueEdit {
			t.Errorf("%s does not name %s in its permission tables", path, p)
		}
	}
}

func sameSet(a, b []string) bool {
	return len(a) == len(b) && !slices.ContainsFunc(a, func(s string) bool { return !slices.Contains(b, s) })
}
