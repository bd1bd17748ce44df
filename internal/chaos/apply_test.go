package chaos

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
)

// orgState renders the emulator's users keyed by email, with references
// to other users by email, so orgs whose new users got other ids compare
// equal when they hold the same people.
func orgState(srv *emulator.Server) []string {
	users := srv.Users()
	email := map[string]string{}
	for _, u := range users {
		email[u.ID] = u.Email
	}
	var out []string
	for _, u := range users {
		var parts []string
		for _, s := range u.Skills {
			parts = append(parts, fmt.Sprintf("s:%s=%v", s.ID, s.Proficiency))
		}
		for _, l := range u.Languages {
			parts = append(parts, fmt.Sprintf("l:%s=%v", l.ID, l.Proficiency))
		}
		for _, q := range u.Queues {
			parts = append(parts, fmt.Sprintf("q:%s=%t", q.QueueID, q.Joined))
		}
		for _, g := range u.Grants {
			parts = append(parts, fmt.Sprintf("g:%s/%s", g.RoleID, g.DivisionID))
		}
		for _, x := range u.ExternalIDs {
			parts = append(parts, fmt.Sprintf("x:%v", x))
		}
		out = append(out, strings.Join([]string{u.Email, u.Name, u.Title, u.Department, u.State, u.DivisionID,
			email[u.ManagerID], u.EmployeeID, fmt.Sprint(u.Version), fmt.Sprint(u.AcdAutoAnswer), strings.Join(parts, ",")}, "|"))
	}
	sort.Strings(out)
	return out
}

// duplicateEmails returns the emails held by more than one user.
func duplicateEmails(srv *emulator.Server) []string {
	seen := map[string]int{}
	var dup []string
	for _, u := range srv.Users() {
		k := strings.ToLower(u.Email)
		if seen[k]++; seen[k] == 2 {
			dup = append(dup, k)
		}
	}
	return dup
}

// hrFeed writes a delta feed over srv's org: joiners new people (tag keeps
// their emails apart between feeds), retitles and offboards existing ones.
func hrFeed(t *testing.T, dir, tag string, srv *emulator.Server, joiners, retitles, offboards int, title string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("employee_id,email,name,title,department,action\n")
	for i := range joiners {
		fmt.Fprintf(&b, "J%s%04d,joiner.%s.%d@example.com,Joiner %s %d,%s,Chaos,upsert\n", tag, i, tag, i, tag, i, csvField(title))
	}
	var n, off int
	for _, u := range srv.Users() {
		if u.State != "active" || u.EmployeeID == "" {
			continue
		}
		switch {
		case n < retitles:
			fmt.Fprintf(&b, "%s,%s,%s,%s,Chaos,upsert\n", u.EmployeeID, u.Email, csvField(u.Name), csvField(title+" "+tag))
			n++
		case off < offboards:
			fmt.Fprintf(&b, "%s,,,,,offboard\n", u.EmployeeID)
			off++
		}
	}
	p := filepath.Join(dir, "feed-"+tag+".csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func csvField(s string) string {
	if strings.ContainsAny(s, ",\"\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

var guardFlags = []string{"--max-offboards", "100", "--max-offboard-percent", "100"}

// Apply: an apply under faults leaves the org as a fault-free apply does.
func TestApplyUnderFaultsEqualsFaultFree(t *testing.T) {
	t.Parallel()
	const users, seed = 150, 33
	clean := newEnv(t, users, seed, "")
	faulty := newEnv(t, users, seed, "")
	feed := hrFeed(t, clean.dir, "a", clean.srv, 12, 15, 4, "Agent")

	if code, out, stderr := clean.syncer(t, context.Background(), append([]string{"apply", feed}, guardFlags...)...); code != 0 {
		t.Fatalf("fault-free apply = %d\n%s\n%s", code, out, stderr)
	}
	if err := faulty.srv.SetFaults(apiFaults); err != nil {
		t.Fatal(err)
	}
	storm(t, faulty, 10, 30)
	code, out, _ := faulty.syncer(t, context.Background(), append([]string{"apply", feed}, guardFlags...)...)
	st := faulty.srv.Stats()
	addFaults(st)
	if code != 0 {
		// A real operator resumes; the org must still end the same.
		t.Logf("apply under faults = %d; resuming\n%s", code, lastLines(out, 6))
		// The faults are still on, so a resume can meet new ones: resume
		// until the plan is done, as an operator would. Each resume retries
		// the failed operations and those skipped because of them.
		resumed := false
		for attempt := 1; attempt <= 4 && !resumed; attempt++ {
			code, out, stderr := faulty.syncer(t, context.Background(), "apply", "--resume")
			resumed = code == 0
			if !resumed {
				t.Logf("resume %d under faults = %d\n%s\n%s", attempt, code, lastLines(out, 4), lastLines(stderr, 3))
			}
		}
		if !resumed {
			t.Fatal("four resumes under faults did not finish the plan")
		}
	}
	want, got := orgState(clean.srv), orgState(faulty.srv)
	n := compareDumps(t, map[string][]string{"users": want}, map[string][]string{"users": got})
	if d := duplicateEmails(faulty.srv); len(d) > 0 {
		t.Errorf("users with the same email: %v", d)
	}
	if c, f := clean.srv.Stats().Count("POST /api/v2/users", 200), faulty.srv.Stats().Count("POST /api/v2/users", 200); c != 12 || f != 12 {
		t.Errorf("users created: fault-free %d, under faults %d; want 12 each", c, f)
	}
	t.Logf("apply under faults: %d requests, answers by status %v, %d users compared", st.Total, st.ByStatus, n)
}
