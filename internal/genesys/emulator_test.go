package genesys_test

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
)

var allExpands = []string{"skills", "languages", "groups", "locations", "authorization", "employerInfo"}

// checkUser compares a user read through the client with the emulator's
// truth, field by field, expands included.
func checkUser(t *testing.T, got genesys.User, want emulator.UserView) {
	t.Helper()
	if got.Name != want.Name || got.Email != want.Email || got.State != want.State || got.Version != want.Version ||
		got.Title != want.Title || got.Department != want.Department || got.Username != want.Username ||
		got.AcdAutoAnswer != want.AcdAutoAnswer {
		t.Fatalf("user %s: got %+v, want %+v", want.ID, got, want)
	}
	if got.Division == nil || got.Division.ID != want.DivisionID {
		t.Fatalf("user %s: division %+v, want %s", want.ID, got.Division, want.DivisionID)
	}
	if mgr := ""; got.Manager != nil {
		mgr = got.Manager.ID
		if mgr != want.ManagerID {
			t.Fatalf("user %s: manager %s, want %s", want.ID, mgr, want.ManagerID)
		}
	} else if want.ManagerID != "" {
		t.Fatalf("user %s: no manager, want %s", want.ID, want.ManagerID)
	}
	if got.EmployerInfo == nil || got.EmployerInfo.EmployeeID != want.EmployeeID {
		t.Fatalf("user %s: employerInfo %+v, want employee id %s", want.ID, got.EmployerInfo, want.EmployeeID)
	}
	skills := map[string]float64{}
	for _, s := range got.Skills {
		skills[s.ID] = s.Proficiency
	}
	wantSkills := map[string]float64{}
	for _, s := range want.Skills {
		wantSkills[s.ID] = s.Proficiency
	}
	if !maps.Equal(skills, wantSkills) {
		t.Fatalf("user %s: skills %v, want %v", want.ID, skills, wantSkills)
	}
	langs := map[string]float64{}
	for _, l := range got.Languages {
		langs[l.ID] = l.Proficiency
	}
	wantLangs := map[string]float64{}
	for _, l := range want.Languages {
		wantLangs[l.ID] = l.Proficiency
	}
	if !maps.Equal(langs, wantLangs) {
		t.Fatalf("user %s: languages %v, want %v", want.ID, langs, wantLangs)
	}
	var groups []string
	for _, g := range got.Groups {
		groups = append(groups, g.ID)
	}
	if !sameSet(groups, want.GroupIDs) {
		t.Fatalf("user %s: groups %v, want %v", want.ID, groups, want.GroupIDs)
	}
	var locs []string
	for _, l := range got.Locations {
		id := l.ID
		if l.LocationDefinition != nil {
			id = l.LocationDefinition.ID
		}
		locs = append(locs, id)
	}
	if !sameSet(locs, want.LocationIDs) {
		t.Fatalf("user %s: locations %v, want %v", want.ID, locs, want.LocationIDs)
	}
	if got.Authorization == nil && len(want.Grants) > 0 {
		t.Fatalf("user %s: no authorization expand", want.ID)
	}
	// Raw keeps the JSON the API sent, unknown fields included.
	if !bytes.HasPrefix(got.Raw, []byte("{")) || !bytes.Contains(got.Raw, []byte(`"id":"`+want.ID+`"`)) ||
		!bytes.Contains(got.Raw, []byte(`"selfUri"`)) {
		t.Fatalf("user %s: Raw %.80q does not hold the user", want.ID, got.Raw)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// TestUsersPagingWithExpands pages through 25,000 users, every state, with
// six expands at page size 500, and checks every user against the truth.
// The emulator's deep-paging cap is raised: the active users alone are more
// than 10,000 (TestPagingCap covers the cap). Under -race the org has 4,000
// users (the race detector makes decoding ten times slower); run
// go test ./internal/genesys -run UsersPaging for the full 25,000.
func TestUsersPagingWithExpands(t *testing.T) {
	if testing.Short() {
		t.Skip("25,000 users: skipped in -short")
	}
	t.Parallel()
	users := 25000
	if raceBuild {
		users = 4000
	}
	e := newEmu(t, emulator.Config{Users: users, Seed: 7, PageCap: 50000})
	c := e.client(t)
	ctx := context.Background()
	truth := map[string]emulator.UserView{}
	for _, u := range e.Users() {
		truth[u.ID] = u
	}
	seen := map[string]bool{}
	pages := 0
	for _, state := range []string{genesys.StateActive, genesys.StateInactive, genesys.StateDeleted} {
		opts := &genesys.ListUsersOptions{State: state, Expand: allExpands}
		n := 0
		for page, err := range c.UserPages(ctx, opts) {
			if err != nil {
				t.Fatalf("state %s page %d: %v", state, pages, err)
			}
			pages++
			for _, u := range page.Entities {
				if seen[u.ID] {
					t.Fatalf("user %s listed twice", u.ID)
				}
				seen[u.ID] = true
				want, ok := truth[u.ID]
				if !ok {
					t.Fatalf("user %s is not in the org", u.ID)
				}
				checkUser(t, u, want)
				n++
			}
		}
		if want := e.UserCount(state); n != want {
			t.Fatalf("state %s: %d users, want %d", state, n, want)
		}
		if opts.PageNumber != 0 || opts.PageSize != 0 {
			t.Fatalf("the iterator changed the caller's options: %+v", opts)
		}
	}
	if len(seen) != users {
		t.Fatalf("saw %d users, want %d", len(seen), users)
	}
	s := c.Stats()
	if got := s.Endpoint("GET /api/v2/users"); got != int64(pages) {
		t.Fatalf("counted %d calls for %d pages", got, pages)
	}
	// 25,000 users at 500 a page, split over three states.
	if want := genesys.Pages(e.UserCount("active"), 500) + genesys.Pages(e.UserCount("inactive"), 500) + genesys.Pages(e.UserCount("deleted"), 500); pages != want {
		t.Fatalf("%d pages, want %d", pages, want)
	}
}

func TestPagingCap(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 2000, PageCap: 1000})
	c := e.client(t)
	n := 0
	var err error
	for _, err = range c.Users(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 250}}) {
		if err != nil {
			break
		}
		n++
	}
	var capErr *genesys.PagingCapError
	if !errors.As(err, &capErr) || !errors.Is(err, genesys.ErrPagingCap) || !errors.Is(err, genesys.ErrBadRequest) {
		t.Fatalf("err = %v, want a *PagingCapError", err)
	}
	if n != 1000 || capErr.PageNumber != 5 || capErr.Total != e.UserCount("active") {
		t.Fatalf("read %d users, cap error %+v; want 1000 users then page 5 refused", n, capErr)
	}
}

// A cap the caller sets (ListOptions.PagingCap) ends the iteration before
// the page that would reach past it is asked for: no 400 is spent on it.
func TestPagingCapSetByTheCaller(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 600})
	c := e.client(t)
	before := c.Stats()
	n := 0
	var err error
	for _, err = range c.UserPages(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 100, PagingCap: 200}}) {
		if err != nil {
			break
		}
		n++
	}
	var capErr *genesys.PagingCapError
	if !errors.As(err, &capErr) || !errors.Is(err, genesys.ErrPagingCap) || errors.Is(err, genesys.ErrBadRequest) {
		t.Fatalf("err = %v, want a *PagingCapError of the caller's cap", err)
	}
	if n != 2 || capErr.PageNumber != 3 || capErr.Cap != 200 || capErr.Total != e.UserCount("active") {
		t.Fatalf("read %d pages, cap error %+v; want 2 pages then page 3 not asked for", n, capErr)
	}
	calls := c.Stats().Sub(before)
	if got := calls.Endpoint("GET /api/v2/users"); got != 2 {
		t.Errorf("%d calls, want the 2 pages under the cap", got)
	}
	if !strings.Contains(err.Error(), "cap of 200") {
		t.Errorf("error %q does not name the cap", err)
	}
}

func TestGetUserAndErrors(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{})
	c := e.client(t)
	ctx := context.Background()
	want := e.Users()[0]
	u, err := c.GetUser(ctx, want.ID, &genesys.GetUserOptions{Expand: allExpands, State: want.State})
	if err != nil {
		t.Fatal(err)
	}
	checkUser(t, u, want)

	_, err = c.GetUser(ctx, "00000000-0000-0000-0000-000000000000", nil)
	var apiErr *genesys.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, genesys.ErrNotFound) {
		t.Fatalf("err = %v, want a 404 *APIError", err)
	}
	if apiErr.Method != "GET" || apiErr.Path != "/api/v2/users/{userId}" || apiErr.Status != 404 ||
		apiErr.Code != "not.found" || apiErr.CorrelationID == "" || apiErr.Message == "" {
		t.Fatalf("APIError = %+v", apiErr)
	}
	if errors.Is(err, genesys.ErrConflict) || errors.Is(err, genesys.ErrRateLimited) {
		t.Fatalf("a 404 matched another sentinel: %v", err)
	}
	// A bad request: page size over the maximum.
	_, err = c.ListUsers(ctx, &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 501}})
	if !errors.Is(err, genesys.ErrBadRequest) {
		t.Fatalf("pageSize 501: %v, want ErrBadRequest", err)
	}
	if s := c.Stats(); s.Retries != 0 {
		t.Fatalf("4xx answers were retried: %+v", s)
	}
}

func TestReadEndpoints(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 400, Seed: 3})
	c := e.client(t)
	ctx := context.Background()
	var u emulator.UserView
	for _, v := range e.Users() {
		if v.State == "active" && len(v.Skills) > 0 && len(v.Languages) > 0 && len(v.Queues) > 1 && len(v.ExternalIDs) > 0 {
			u = v
			break
		}
	}
	if u.ID == "" {
		t.Fatal("no active user with skills, languages, queues and external ids in the org")
	}

	var skills []string
	for s, err := range c.UserRoutingSkills(ctx, u.ID, &genesys.UserRoutingOptions{ListOptions: genesys.ListOptions{PageSize: 3}}) {
		if err != nil {
			t.Fatal(err)
		}
		skills = append(skills, s.ID)
	}
	if want := ids(u.Skills); !sameSet(skills, want) {
		t.Fatalf("skills %v, want %v", skills, want)
	}
	var langs []string
	for l, err := range c.UserRoutingLanguages(ctx, u.ID, nil) {
		if err != nil {
			t.Fatal(err)
		}
		langs = append(langs, l.ID)
	}
	if want := ids(u.Languages); !sameSet(langs, want) {
		t.Fatalf("languages %v, want %v", langs, want)
	}

	// Queues: joined and not joined are two listings.
	got := map[string]bool{}
	for _, joined := range []bool{true, false} {
		for q, err := range c.UserQueues(ctx, u.ID, &genesys.UserQueuesOptions{Joined: &joined, ListOptions: genesys.ListOptions{PageSize: 2}}) {
			if err != nil {
				t.Fatal(err)
			}
			if q.Joined != joined {
				t.Fatalf("queue %s joined=%v in the joined=%v listing", q.ID, q.Joined, joined)
			}
			got[q.ID] = q.Joined
		}
	}
	want := map[string]bool{}
	for _, m := range u.Queues {
		want[m.QueueID] = m.Joined
	}
	if !maps.Equal(got, want) {
		t.Fatalf("queues %v, want %v", got, want)
	}

	// Queue side: the members of one of the user's queues include the user.
	qid := u.Queues[0].QueueID
	var found bool
	members := 0
	for m, err := range c.QueueMembers(ctx, qid, &genesys.QueueMembersOptions{ListOptions: genesys.ListOptions{PageSize: 25}}) {
		if err != nil {
			t.Fatal(err)
		}
		members++
		if m.ID == u.ID {
			found = true
			if m.Joined != u.Queues[0].Joined {
				t.Fatalf("member %s joined=%v, want %v", u.ID, m.Joined, u.Queues[0].Joined)
			}
		}
	}
	var queue emulator.QueueView
	for _, q := range e.Queues() {
		if q.ID == qid {
			queue = q
		}
	}
	if !found || members != queue.MemberCount {
		t.Fatalf("queue %s: %d members (user found: %v), want %d", qid, members, found, queue.MemberCount)
	}

	roles, err := c.GetUserRoles(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(u.Grants) > 0 && len(roles.Roles) == 0 {
		t.Fatalf("roles %+v, want the user's %d grants' roles", roles, len(u.Grants))
	}
	subj, err := c.GetAuthorizationSubject(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var grants []string
	for _, g := range subj.Grants {
		grants = append(grants, g.Role.ID+"@"+g.Division.ID)
	}
	var wantGrants []string
	for _, g := range u.Grants {
		wantGrants = append(wantGrants, g.RoleID+"@"+g.DivisionID)
	}
	if !sameSet(grants, wantGrants) {
		t.Fatalf("grants %v, want %v", grants, wantGrants)
	}

	ext, err := c.GetUserExternalIDs(ctx, u.ID)
	if err != nil || len(ext) != len(u.ExternalIDs) {
		t.Fatalf("external ids %+v (%v), want %+v", ext, err, u.ExternalIDs)
	}
	byExt, err := c.GetUserByExternalID(ctx, ext[0].AuthorityName, ext[0].ExternalKey, nil)
	if err != nil || byExt.ID != u.ID {
		t.Fatalf("user by external id: %s (%v), want %s", byExt.ID, err, u.ID)
	}

	// Reference data.
	count := func(seq func(yield func(string, error) bool)) int {
		n := 0
		for _, err := range seq {
			if err != nil {
				t.Fatal(err)
			}
			n++
		}
		return n
	}
	if n, want := count(mapSeq(c.Queues(ctx, &genesys.ListQueuesOptions{ListOptions: genesys.ListOptions{PageSize: 7}}), func(q genesys.Queue) string { return q.ID })), len(e.Queues()); n != want {
		t.Fatalf("%d queues, want %d", n, want)
	}
	if n, want := count(mapSeq(c.Skills(ctx, &genesys.ReferenceOptions{ListOptions: genesys.ListOptions{PageSize: 10}}), func(s genesys.RoutingSkill) string { return s.ID })), len(e.Skills()); n != want {
		t.Fatalf("%d skills, want %d", n, want)
	}
	if n, want := count(mapSeq(c.Languages(ctx, nil), func(s genesys.Language) string { return s.ID })), len(e.Languages()); n != want {
		t.Fatalf("%d languages, want %d", n, want)
	}
	if n, want := count(mapSeq(c.Divisions(ctx, nil), func(s genesys.AuthzDivision) string { return s.ID })), len(e.Divisions()); n != want {
		t.Fatalf("%d divisions, want %d", n, want)
	}
	if n, want := count(mapSeq(c.Roles(ctx, nil), func(s genesys.Role) string { return s.ID })), len(e.Roles()); n != want {
		t.Fatalf("%d roles, want %d", n, want)
	}
}

func ids(ps []emulator.ProficiencyView) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func mapSeq[T any](seq func(yield func(T, error) bool), f func(T) string) func(yield func(string, error) bool) {
	return func(yield func(string, error) bool) {
		for v, err := range seq {
			if !yield(f(v), err) || err != nil {
				return
			}
		}
	}
}

func TestSearchUsersByDivision(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 600})
	c := e.client(t)
	div := e.Divisions()[0].ID
	want := 0
	for _, u := range e.Users() {
		if u.DivisionID == div && u.State == "active" {
			want++
		}
	}
	req := genesys.UserSearchRequest{
		PageSize: 25,
		Query: []genesys.UserSearchCriteria{
			{Type: "EXACT", Fields: []string{"divisionId"}, Value: div},
			{Type: "EXACT", Fields: []string{"state"}, Value: "active"},
		},
	}
	n := 0
	for u, err := range c.SearchUsersAll(context.Background(), req) {
		if err != nil {
			t.Fatal(err)
		}
		if u.Division == nil || u.Division.ID != div || u.State != "active" {
			t.Fatalf("search returned %+v", u)
		}
		n++
	}
	if n != want || want == 0 {
		t.Fatalf("search found %d users, want %d", n, want)
	}
}

// TestTokenExpiryMidRun moves the emulator's clock past the token's life in
// the middle of a listing: the next call answers 401, the client fetches a
// new token once and the listing completes.
func TestTokenExpiryMidRun(t *testing.T) {
	t.Parallel()
	clk := &shiftClock{}
	e := newEmu(t, emulator.Config{Users: 1000, TokenTTL: time.Hour, Now: clk.Now})
	c := e.client(t)
	n, pages := 0, 0
	for page, err := range c.UserPages(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 100}, State: "any"}) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		n += len(page.Entities)
		if pages == 3 {
			clk.Advance(2 * time.Hour)
		}
	}
	if n != 1000 {
		t.Fatalf("read %d users, want 1000", n)
	}
	s := c.Stats()
	if s.TokenFetches != 2 || s.Calls["GET /api/v2/users"][401] != 1 {
		t.Fatalf("stats %+v: want 2 token fetches and one 401", s)
	}
}

func TestRevokedToken(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 500})
	c := e.client(t)
	n := 0
	for _, err := range c.Users(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 100}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
		if n == 150 {
			if e.RevokeTokens() == 0 {
				t.Fatal("no token to revoke")
			}
		}
	}
	if want := e.UserCount("active"); n != want {
		t.Fatalf("read %d users, want %d", n, want)
	}
	if s := c.Stats(); s.TokenFetches != 2 {
		t.Fatalf("%d token fetches, want 2", s.TokenFetches)
	}
}

func TestBadCredentials(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{})
	const secret = "wrong-secret-do-not-print"
	c := e.client(t, genesys.WithCredentials(e.Config().ClientID, secret))
	_, err := c.ListUsers(context.Background(), nil)
	var te *genesys.TokenError
	if !errors.As(err, &te) || !errors.Is(err, genesys.ErrUnauthorized) {
		t.Fatalf("err = %v, want a *TokenError matching ErrUnauthorized", err)
	}
	if strings.Contains(err.Error(), secret) {
		t.Fatalf("the error shows the secret: %v", err)
	}
	if s := c.Stats(); s.Total() != s.Endpoint("POST /oauth/token") || s.TokenFetches != 0 {
		t.Fatalf("API calls made without a token: %+v", s)
	}
}

func TestRateLimitStorm(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300})
	c := e.client(t)
	ctx := context.Background()
	if _, err := c.ListUsers(ctx, nil); err != nil { // log in before the storm
		t.Fatal(err)
	}
	e.setFaults(t, emulator.Faults{StormSeconds: 2, StormRetryAfter: 1})
	start := time.Now()
	n := 0
	for _, err := range c.Users(ctx, &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 100}, State: "any"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 300 {
		t.Fatalf("read %d users, want 300", n)
	}
	s := c.Stats()
	if s.RateLimited < 1 || s.Waited < time.Second || time.Since(start) < 1900*time.Millisecond {
		t.Fatalf("stats %+v after %v: want 429s waited out", s, time.Since(start))
	}
	if b := c.Budget().Stats(); b.RateLimited != s.RateLimited || b.Decreases < 1 {
		t.Fatalf("budget %+v did not see the storm's %d 429s", b, s.RateLimited)
	}

	// A Retry-After beyond the client's maximum is not waited for.
	e.setFaults(t, emulator.Faults{StormSeconds: 600, StormRetryAfter: 200})
	before := time.Now()
	_, err := c.ListUsers(ctx, nil)
	var apiErr *genesys.APIError
	if !errors.As(err, &apiErr) || !errors.Is(err, genesys.ErrRateLimited) || apiErr.RetryAfter != 200*time.Second ||
		apiErr.Code != "too.many.requests.retry.after" {
		t.Fatalf("err = %v, want a 429 *APIError with Retry-After 200s", err)
	}
	if time.Since(before) > 5*time.Second {
		t.Fatalf("waited %v for a Retry-After past the maximum", time.Since(before))
	}
}

func TestServerErrorBurst(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 1000})
	c := e.client(t, genesys.WithRetryPolicy(genesys.RetryPolicy{MaxRetries: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}))
	e.setFaults(t, emulator.Faults{ErrorRate: 0.4, Seed: 11})
	n := 0
	for _, err := range c.Users(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 50}, State: "any"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 1000 {
		t.Fatalf("read %d users, want 1000", n)
	}
	s := c.Stats()
	fives := int64(0) // the login server is faulted too
	for _, by := range s.Calls {
		for st, k := range by {
			if st >= 500 {
				fives += k
			}
		}
	}
	if fives == 0 || s.Retries != fives {
		t.Fatalf("stats %+v: want every 5xx retried once", s)
	}

	// Every answer a 5xx: the call gives up after MaxRetries with the
	// last answer's *APIError.
	e.setFaults(t, emulator.Faults{ErrorRate: 1, ErrorStatuses: []int{503}})
	acct := genesys.NewAccounting()
	_, err := c.ListUsers(genesys.WithAccounting(context.Background(), acct), nil)
	var apiErr *genesys.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 503 {
		t.Fatalf("err = %v, want a 503 *APIError", err)
	}
	if got := acct.Snapshot().Calls["GET /api/v2/users"][503]; got != 11 {
		t.Fatalf("%d attempts, want 1 + 10 retries", got)
	}

	// 501 is not retried.
	e.setFaults(t, emulator.Faults{ErrorRate: 1, ErrorStatuses: []int{501}})
	acct = genesys.NewAccounting()
	_, err = c.ListUsers(genesys.WithAccounting(context.Background(), acct), nil)
	if !errors.As(err, &apiErr) || apiErr.Status != 501 || acct.Snapshot().Total() != 1 {
		t.Fatalf("501: err %v after %d attempts, want one attempt", err, acct.Snapshot().Total())
	}
}

func TestConnectionResets(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 800})
	// Without keep-alives every reset is seen by the client: net/http
	// silently resends an idempotent request whose reused connection was
	// closed before any answer.
	c := e.client(t, genesys.WithRetryPolicy(genesys.RetryPolicy{MaxRetries: 10, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}),
		genesys.WithTransport(&http.Transport{DisableKeepAlives: true}))
	e.setFaults(t, emulator.Faults{ResetRate: 0.3, Seed: 5})
	n := 0
	for _, err := range c.Users(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 50}, State: "any"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 800 {
		t.Fatalf("read %d users, want 800", n)
	}
	if s := c.Stats(); s.Calls["GET /api/v2/users"][0] == 0 || s.Retries == 0 {
		t.Fatalf("stats %+v: want resets counted as status 0 and retried", s)
	}

	e.setFaults(t, emulator.Faults{ResetRate: 1})
	_, err := c.ListUsers(context.Background(), nil)
	var reqErr *genesys.RequestError
	if !errors.As(err, &reqErr) || reqErr.Path != "/api/v2/users" || reqErr.Method != "GET" || reqErr.Attempts != 11 {
		t.Fatalf("err = %v, want a *RequestError after 11 attempts", err)
	}
}

func TestSlowResponsesPastDeadline(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300})
	c := e.client(t, genesys.WithRetryPolicy(genesys.RetryPolicy{
		MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, AttemptTimeout: 100 * time.Millisecond,
	}))
	c2 := e.client(t, genesys.WithRetryPolicy(genesys.RetryPolicy{
		// A deadline well above a loaded machine's normal answer (the race
		// detector, other test binaries) and well below a spike.
		MaxRetries: 8, BaseDelay: time.Millisecond, MaxDelay: 2 * time.Millisecond, AttemptTimeout: 700 * time.Millisecond,
	}))
	for _, cl := range []*genesys.Client{c, c2} { // log in before the faults
		if _, err := cl.ListUsers(context.Background(), nil); err != nil {
			t.Fatal(err)
		}
	}
	// Every answer slower than the attempt deadline: a timeout error.
	e.setFaults(t, emulator.Faults{LatencyMs: 400})
	_, err := c.ListUsers(context.Background(), nil)
	var reqErr *genesys.RequestError
	if !errors.As(err, &reqErr) || !errors.Is(err, context.DeadlineExceeded) || reqErr.Attempts != 3 {
		t.Fatalf("err = %v, want a *RequestError wrapping context.DeadlineExceeded after 3 attempts", err)
	}

	// Some answers slow: the listing completes.
	e.setFaults(t, emulator.Faults{SpikeRate: 0.3, SpikeMs: 2000, Seed: 9})
	n := 0
	for _, err := range c2.Users(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 25}, State: "any"}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 300 {
		t.Fatalf("read %d users, want 300", n)
	}

	// The caller's own deadline is not retried.
	e.setFaults(t, emulator.Faults{LatencyMs: 400})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.ListUsers(ctx, nil)
	if !errors.Is(err, context.DeadlineExceeded) || !errors.As(err, &reqErr) || reqErr.Attempts != 1 {
		t.Fatalf("err = %v, want the caller's deadline after one attempt", err)
	}
}

func TestAccountingPerRun(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300})
	c := e.client(t)
	run1, run2 := genesys.NewAccounting(), genesys.NewAccounting()
	ctx1 := genesys.WithAccounting(context.Background(), run1)
	ctx2 := genesys.WithAccounting(context.Background(), run2)
	before := c.Stats()
	for _, err := range c.Users(ctx1, &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 100}, State: "any"}) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.GetUser(ctx2, "missing", nil); !errors.Is(err, genesys.ErrNotFound) {
		t.Fatal(err)
	}
	s1, s2 := run1.Snapshot(), run2.Snapshot()
	if s1.Calls["GET /api/v2/users"][200] != 3 || s1.Total() != 4 || s1.TokenFetches != 1 {
		t.Fatalf("run 1: %+v, want 3 pages", s1)
	}
	if s2.Calls["GET /api/v2/users/{userId}"][404] != 1 || s2.Total() != 1 {
		t.Fatalf("run 2: %+v, want one 404", s2)
	}
	if d := c.Stats().Sub(before); d.Total() != 5 || d.Endpoint("GET /api/v2/users") != 3 || d.TokenFetches != 1 {
		t.Fatalf("client diff: %+v, want 4 calls", d)
	}
}

// TestDetailsJobCursorPaging submits a users details job, waits for it and
// reads its results by cursor in small pages: every user's segments equal
// the emulator's truth.
func TestDetailsJobCursorPaging(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 250, Seed: 4})
	c := e.client(t)
	ctx := context.Background()
	horizon := e.Analytics().Horizon()
	to := horizon.Truncate(time.Hour)
	from := to.Add(-24 * time.Hour)
	avail, err := c.UserDetailsAvailability(ctx)
	if err != nil || avail.DataAvailabilityDate.IsZero() {
		t.Fatalf("availability %+v: %v", avail, err)
	}
	jobID, err := c.SubmitUserDetailsJob(ctx, genesys.AsyncUserDetailsQuery{Interval: from.Format(time.RFC3339) + "/" + to.Format(time.RFC3339)})
	if err != nil || jobID == "" {
		t.Fatalf("submit: %q, %v", jobID, err)
	}
	st, err := c.WaitUserDetailsJob(ctx, jobID, 20*time.Millisecond)
	if err != nil || st.State != genesys.JobFulfilled {
		t.Fatalf("wait: %+v, %v", st, err)
	}
	pages, users, segments := 0, 0, 0
	for p, err := range c.UserDetailsJobResultPages(ctx, jobID, 25) {
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, d := range p.UserDetails {
			users++
			want := e.Analytics().Detail(d.UserID, from, to)
			if len(d.PrimaryPresence) != len(want.PrimaryPresence) || len(d.RoutingStatus) != len(want.RoutingStatus) {
				t.Fatalf("user %s: %d presence / %d routing segments, want %d / %d", d.UserID,
					len(d.PrimaryPresence), len(d.RoutingStatus), len(want.PrimaryPresence), len(want.RoutingStatus))
			}
			for i, seg := range d.PrimaryPresence {
				w := want.PrimaryPresence[i]
				if !seg.StartTime.Equal(w.Start) || !seg.EndTime.Equal(w.End) || seg.SystemPresence != w.SystemPresence {
					t.Fatalf("user %s presence %d: %+v, want %+v", d.UserID, i, seg, w)
				}
			}
			segments += len(d.PrimaryPresence) + len(d.RoutingStatus)
		}
	}
	if pages < 2 || users == 0 || segments == 0 {
		t.Fatalf("%d pages, %d users, %d segments: want several pages of data", pages, users, segments)
	}
	// Expected users: the active ones with activity (truth says so by
	// having segments).
	wantUsers := 0
	for _, u := range e.Users() {
		d := e.Analytics().Detail(u.ID, from, to)
		if len(d.PrimaryPresence)+len(d.RoutingStatus) > 0 {
			wantUsers++
		}
	}
	if users != wantUsers {
		t.Fatalf("%d users in the results, want %d", users, wantUsers)
	}
}

func TestAggregatesJob(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 100, Seed: 5})
	c := e.client(t)
	ctx := context.Background()
	to := e.Analytics().Horizon().Truncate(24 * time.Hour)
	from := to.Add(-24 * time.Hour)
	jobID, err := c.SubmitUserAggregatesJob(ctx, genesys.UserAsyncAggregationQuery{
		Interval:    from.Format(time.RFC3339) + "/" + to.Format(time.RFC3339),
		Granularity: "PT1H",
		GroupBy:     []string{"userId"},
		Metrics:     []string{"tSystemPresence", "tOrganizationPresence", "tAgentRoutingStatus"},
		PageSize:    20,
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.WaitUserAggregatesJob(ctx, jobID, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	groups, metrics := 0, 0
	for r, err := range c.UserAggregatesJobResults(ctx, jobID) {
		if err != nil {
			t.Fatal(err)
		}
		if r.Group["userId"] == "" {
			t.Fatalf("group without userId: %+v", r.Group)
		}
		groups++
		for _, d := range r.Data {
			metrics += len(d.Metrics)
		}
	}
	if groups == 0 || metrics == 0 {
		t.Fatalf("%d groups, %d metrics: want data", groups, metrics)
	}
}

func TestJobFailure(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 50})
	c := e.client(t)
	ctx := context.Background()
	e.setFaults(t, emulator.Faults{JobFailureRate: 1})
	to := e.Analytics().Horizon().Truncate(time.Hour)
	jobID, err := c.SubmitUserDetailsJob(ctx, genesys.AsyncUserDetailsQuery{Interval: to.Add(-time.Hour).Format(time.RFC3339) + "/" + to.Format(time.RFC3339)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.WaitUserDetailsJob(ctx, jobID, 20*time.Millisecond)
	var je *genesys.JobError
	if !errors.As(err, &je) || je.State != genesys.JobFailed || je.JobID != jobID {
		t.Fatalf("err = %v, want a FAILED *JobError", err)
	}
	// A job id that does not exist.
	if _, err := c.UserDetailsJobStatus(ctx, "no-such-job"); !errors.Is(err, genesys.ErrNotFound) {
		t.Fatalf("unknown job: %v, want ErrNotFound", err)
	}
	_ = http.StatusOK
}

// TestIteratorStopsWhenTheCallerDoes: breaking out of an iteration makes
// no further call.
func TestIteratorStopsWhenTheCallerDoes(t *testing.T) {
	t.Parallel()
	e := newEmu(t, emulator.Config{Users: 300})
	c := e.client(t)
	acct := genesys.NewAccounting()
	ctx := genesys.WithAccounting(context.Background(), acct)
	n := 0
	for _, err := range c.Users(ctx, &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 10}, Expand: []string{"skills", "languages"}}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 15 {
			break
		}
	}
	if got := acct.Snapshot().Endpoint("GET /api/v2/users"); got != 2 {
		t.Fatalf("%d calls for 15 users at 10 a page, want 2", got)
	}
}
