package reverse_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/reverse"
)

// TestDocumentedFeedDefaults: the defaults table of docs/feeds.md is what
// a feed configured with no keys plans with, key by key, and every
// setting with a default is in the table. The docs and the code cannot
// drift apart.
func TestDocumentedFeedDefaults(t *testing.T) {
	b, err := os.ReadFile("../../docs/feeds.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(b), "<!-- defaults:begin -->")
	table, _, ok2 := strings.Cut(table, "<!-- defaults:end -->")
	if !ok || !ok2 {
		t.Fatal("docs/feeds.md has no defaults table between <!-- defaults:begin --> and <!-- defaults:end -->")
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z_.]+)` \\| `([^`]*)` \\|")
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		documented[m[1]] = m[2]
	}

	cfg, err := config.Parse("c.yaml", []byte("feeds:\n  hr:\n    path: hr.csv\n"), func(string) (string, bool) { return "", false })
	if err != nil {
		t.Fatal(err)
	}
	sp, err := reverse.SpecFromConfig(cfg.Feeds["hr"], 300)
	if err != nil {
		t.Fatal(err)
	}
	d := sp.Diff.WithDefaults()
	read, err := feed.Read(strings.NewReader("email,name\na@example.com,A\n"), sp.Feed)
	if err != nil {
		t.Fatal(err)
	}
	owned := []string{}
	for _, f := range d.Owned.List() {
		switch f {
		case feed.FieldManagerEmployeeID:
			owned = append(owned, "manager")
		case feed.FieldPhoneWork:
			owned = append(owned, "phone")
		case feed.FieldManagerEmail, feed.FieldExtension:
		default:
			owned = append(owned, f.String())
		}
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	days := func(v time.Duration) string { return num(v.Hours()/24) + "d" }
	actual := map[string]string{
		"mode":                          string(read.Mode),
		"external_id_authority":         d.Authority,
		"match_org_employee_id":         fmt.Sprint(!d.IgnoreOrgEmployeeID),
		"owns":                          strings.Join(owned, ", "),
		"offboard.action":               string(d.Offboard.Action),
		"offboard.unjoin_queues":        fmt.Sprint(d.Offboard.UnjoinQueues && d.Offboard.RemoveQueues),
		"offboard.strip_skills":         fmt.Sprint(d.Offboard.StripSkills && d.Offboard.StripLanguages),
		"offboard.strip_roles":          fmt.Sprint(d.Offboard.StripRoles),
		"offboard.revoke_mfa":           fmt.Sprint(d.Offboard.RevokeMFA),
		"offboard.release_stations":     fmt.Sprint(d.Offboard.ReleaseStations),
		"offboard.reset_utilization":    fmt.Sprint(d.Offboard.ResetUtilization),
		"offboard.delete_after":         days(d.Offboard.DeleteAfter),
		"onboard.send_invite":           fmt.Sprint(*d.Onboard.SendInvite),
		"onboard.resend_invite_after":   days(d.Onboard.ResendAfter),
		"onboard.utilization_profiles":  fmt.Sprint(len(d.Onboard.UtilizationProfiles)),
		"guards.max_offboards":          fmt.Sprint(*d.Guards.MaxOffboards),
		"guards.max_offboard_percent":   num(*d.Guards.MaxOffboardPercent),
		"guards.max_changes":            fmt.Sprint(*d.Guards.MaxChanges),
		"guards.max_queue_loss_percent": num(*d.Guards.MaxQueueLossPercent),
		"guards.min_queue_loss":         fmt.Sprint(*d.Guards.MinQueueLoss),
		"guards.max_rejected_percent":   num(*d.Guards.MaxRejectedPercent),
		"approval_expiry":               durationText(reverse.ApprovalExpiry(cfg.Feeds["hr"])),
	}
	sortList := func(s string) string {
		parts := strings.Split(s, ", ")
		slices.Sort(parts)
		return strings.Join(parts, ", ")
	}
	documented["owns"], actual["owns"] = sortList(documented["owns"]), sortList(actual["owns"])
	for key, want := range actual {
		got, ok := documented[key]
		switch {
		case !ok:
			t.Errorf("docs/feeds.md's defaults table has no row for %s (the code's default: %s)", key, want)
		case got != want:
			t.Errorf("docs/feeds.md says %s defaults to %q; the code plans with %q", key, got, want)
		}
	}
	for key := range documented {
		if _, ok := actual[key]; !ok {
			t.Errorf("docs/feeds.md documents a default for %s, which this test does not check", key)
		}
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, phrase := range []string{
		fmt.Sprintf("| users offboarded (%d; 0: none) |", *d.Guards.MaxOffboards),
		fmt.Sprintf("| offboarded, %% of in-scope users (%s) |", num(*d.Guards.MaxOffboardPercent)),
		fmt.Sprintf("| users changed in any way (%d; 0: no limit) |", *d.Guards.MaxChanges),
		fmt.Sprintf("| joined agents a queue loses, %% (%s, counted from %d agents) |", num(*d.Guards.MaxQueueLossPercent), *d.Guards.MinQueueLoss),
		fmt.Sprintf("| feed rows rejected, %% of its data rows (%s; 100: no limit) |", num(*d.Guards.MaxRejectedPercent)),
	} {
		if !strings.Contains(string(readme), phrase) {
			t.Errorf("README.md's guards table lacks %q (the code's default)", phrase)
		}
	}
	if want := "a plan awaiting approval expires after `feeds.NAME.approval_expiry` (default " + durationText(reverse.DefaultApprovalExpiry) + ")"; !strings.Contains(strings.Join(strings.Fields(string(readme)), " "), want) {
		t.Errorf("README.md's approvals section lacks %q (the code's default)", want)
	}
	example, err := os.ReadFile("../../configs/syncer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if want := "approval_expiry: " + durationText(reverse.DefaultApprovalExpiry) + " "; !strings.Contains(string(example), want) {
		t.Errorf("configs/syncer.example.yaml lacks %q (the code's default)", want)
	}
	if sp.Diff.Offboard != diff.DefaultOffboard {
		t.Errorf("a feed without offboard keys plans with %+v, want diff.DefaultOffboard %+v", sp.Diff.Offboard, diff.DefaultOffboard)
	}
}

// durationText writes a duration as the docs do: 24h, 90m, 30s.
func durationText(d time.Duration) string {
	s := d.String()
	for _, zero := range []string{"0s", "0m"} {
		if strings.HasSuffix(s, zero) && len(s) > 2 {
			s = strings.TrimSuffix(s, zero)
		}
	}
	return s
}
