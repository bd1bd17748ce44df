package emulator

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestOfficialSDK drives the emulator with the official Genesys Cloud
// JavaScript SDK (purecloud-platform-client-v2 262.0.0) through its gateway
// setting, and compares what the SDK saw with the emulator's truth. It needs
// node and npm (or SYNCER_SDK_NODE_MODULES naming a node_modules that holds
// the SDK), so it runs only with SYNCER_SDK_CHECK=1; scripts/sdk-check.sh
// runs it.
func TestOfficialSDK(t *testing.T) {
	if os.Getenv("SYNCER_SDK_CHECK") != "1" {
		t.Skip("set SYNCER_SDK_CHECK=1 to run the official JavaScript SDK against the emulator (needs node and npm; see scripts/sdk-check.sh)")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("SYNCER_SDK_CHECK=1 but node is not on PATH")
	}
	modules := os.Getenv("SYNCER_SDK_NODE_MODULES")
	if modules == "" {
		dir := t.TempDir()
		cmd := exec.Command("npm", "install", "--no-audit", "--no-fund", "--silent", "purecloud-platform-client-v2@262.0.0")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm install purecloud-platform-client-v2@262.0.0: %v\n%s", err, out)
		}
		modules = filepath.Join(dir, "node_modules")
	}

	s, err := New(Config{Users: 800, Seed: 7, ClientID: "sdk-client", ClientSecret: "sdk-secret"})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()

	cmd := exec.Command(node, filepath.Join("testdata", "sdk_check.js"))
	cmd.Env = append(os.Environ(), "GENESYS_BASE_URL="+ts.URL, "GENESYS_CLIENT_ID=sdk-client",
		"GENESYS_CLIENT_SECRET=sdk-secret", "NODE_PATH="+modules)
	done := make(chan struct{})
	var out []byte
	go func() {
		defer close(done)
		out, err = cmd.Output()
	}()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		_ = cmd.Process.Kill()
		t.Fatal("SDK check did not finish in 2 minutes")
	}
	if err != nil {
		var stderr string
		if ee, ok := err.(*exec.ExitError); ok {
			stderr = string(ee.Stderr)
		}
		t.Fatalf("SDK check: %v\n%s\n%s", err, out, stderr)
	}
	t.Logf("SDK saw: %s", out)
	var got struct {
		Login                    bool           `json:"login"`
		Users                    map[string]int `json:"users"`
		Skills, Languages, Pages int
		QueuesJoined             int    `json:"queues_joined"`
		QueuesChecked            int    `json:"queues_checked"`
		GetUser                  bool   `json:"get_user"`
		SearchTotal              int    `json:"search_total"`
		RoutingQueues            int    `json:"routing_queues"`
		OverLimitStatus          int    `json:"over_limit_status"`
		OverLimitCode            string `json:"over_limit_code"`

		Groups               int       `json:"groups"`
		GroupMembers         int       `json:"group_members"`
		Locations            int       `json:"locations"`
		LocationsWithAddress int       `json:"locations_with_address"`
		Stations             int       `json:"stations"`
		StationsAssociated   int       `json:"stations_associated"`
		UtilizationLevel     string    `json:"utilization_level"`
		UtilizationTypes     int       `json:"utilization_types"`
		People               sdkPeople `json:"people"`
		ActivityUsers        []string  `json:"activity_users"`
		Activities           int       `json:"activities"`
		ActivitiesOverLimit  int       `json:"activities_over_limit_status"`
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(string(out))), &got); err != nil {
		t.Fatalf("SDK output %q: %v", out, err)
	}

	views := s.Users()
	want := map[string]int{}
	skills, languages := 0, 0
	var active []UserView
	for _, v := range views {
		want[v.State]++
		skills += len(v.Skills)
		languages += len(v.Languages)
		if v.State == StateActive {
			active = append(active, v)
		}
	}
	slices.SortFunc(active, func(a, b UserView) int { return cmpNameID(a.Name, a.ID, b.Name, b.ID) })
	joined := 0
	for _, v := range active[:20] {
		for _, q := range v.Queues {
			if q.Joined {
				joined++
			}
		}
	}
	if !got.Login || !got.GetUser {
		t.Errorf("login %v, getUser %v", got.Login, got.GetUser)
	}
	for _, st := range []string{StateActive, StateInactive, StateDeleted} {
		if got.Users[st] != want[st] {
			t.Errorf("SDK paged %d %s users, want %d", got.Users[st], st, want[st])
		}
	}
	if got.Skills != skills || got.Languages != languages {
		t.Errorf("SDK saw %d skills and %d languages, want %d and %d", got.Skills, got.Languages, skills, languages)
	}
	if got.QueuesChecked != 20 || got.QueuesJoined != joined {
		t.Errorf("SDK saw %d joined queues for %d users, want %d for 20", got.QueuesJoined, got.QueuesChecked, joined)
	}
	if got.SearchTotal != 1 || got.RoutingQueues != len(s.Queues()) {
		t.Errorf("search total %d (want 1), routing queues %d (want %d)", got.SearchTotal, got.RoutingQueues, len(s.Queues()))
	}
	if got.OverLimitStatus != 400 || got.OverLimitCode != "bad.request" {
		t.Errorf("pageSize 501 through the SDK: %d %q, want 400 bad.request", got.OverLimitStatus, got.OverLimitCode)
	}
	if n := s.Stats().Count("POST /oauth/token", 200); n != 1 {
		t.Errorf("SDK logins counted %d, want 1", n)
	}
	checkSDKPeople(t, s, got.Groups, got.GroupMembers, got.Locations, got.LocationsWithAddress, got.Stations,
		got.StationsAssociated, got.UtilizationLevel, got.UtilizationTypes)
	if want := wantSDKPeople(views); got.People != want {
		t.Errorf("SDK saw people expands %+v, want %+v", got.People, want)
	}
	var batch []string // the last 100 active users in listing order
	for _, v := range active[max(0, len(active)-100):] {
		batch = append(batch, v.ID)
	}
	if want := activitiesOf(s, batch); got.Activities != want || want == 0 {
		t.Errorf("SDK saw %d activities of the last 100 active users, want %d", got.Activities, want)
	}
	if got.ActivitiesOverLimit != 400 {
		t.Errorf("101 user ids through the SDK: %d, want 400", got.ActivitiesOverLimit)
	}
}

// sdkPeople is what the SDK check counts over the active users' people
// expands.
type sdkPeople struct {
	Users          int `json:"users"`
	OnQueue        int `json:"on_queue"`
	RoutingOnQueue int `json:"routing_on_queue"`
	OOOPeriods     int `json:"ooo_periods"`
	Teams          int `json:"teams"`
	Certifications int `json:"certifications"`
	Offline        int `json:"offline"`
}

// wantSDKPeople counts the same from the emulator's truth.
func wantSDKPeople(views []UserView) sdkPeople {
	var p sdkPeople
	for _, v := range views {
		if v.State != StateActive {
			continue
		}
		p.Users++
		switch v.Presence {
		case "On Queue":
			p.OnQueue++
		case "Offline":
			p.Offline++
		}
		if v.RoutingStatus != "OFF_QUEUE" {
			p.RoutingOnQueue++
		}
		if v.OutOfOffice != nil {
			p.OOOPeriods++
		}
		if v.TeamID != "" {
			p.Teams++
		}
		p.Certifications += len(v.Certifications)
	}
	return p
}

// activitiesOf counts the distinct activities the users relate to.
func activitiesOf(s *Server, users []string) int {
	n := 0
	for _, a := range s.DevelopmentActivities() {
		if slices.Contains(users, a.AttendeeID) || slices.Contains(users, a.FacilitatorID) || slices.Contains(users, a.CreatorID) {
			n++
		}
	}
	return n
}

// checkSDKPeople compares the listings the SDK read with the truth.
func checkSDKPeople(t *testing.T, s *Server, groups, groupMembers, locations, withAddress, stations, associated int, level string, types int) {
	t.Helper()
	members := 0
	for _, v := range s.Users() {
		if v.State != StateDeleted {
			members += len(v.GroupIDs)
		}
	}
	if groups != len(s.Groups()) || groupMembers != members {
		t.Errorf("SDK saw %d groups with %d members, want %d and %d", groups, groupMembers, len(s.Groups()), members)
	}
	if locations != len(s.Locations()) || withAddress != locations {
		t.Errorf("SDK saw %d locations (%d with an address), want %d", locations, withAddress, len(s.Locations()))
	}
	assoc := 0
	for _, v := range s.Users() {
		if v.AssociatedStationID != "" {
			assoc++
		}
	}
	if stations != len(s.Stations()) || associated != assoc {
		t.Errorf("SDK saw %d stations (%d associated), want %d (%d)", stations, associated, len(s.Stations()), assoc)
	}
	if (level != "Agent" && level != "Organization") || types != len(MediaTypes) {
		t.Errorf("SDK saw utilization level %q with %d media types", level, types)
	}
}
