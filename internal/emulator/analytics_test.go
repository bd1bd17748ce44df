package emulator

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/usersync/syncer/internal/emulator/analytics"
)

// The analytics service is tested in its own package; these tests check
// the mounting: the pipeline (token, rate limit, stats), the users it sees,
// the job-failure fault and Reset.

type wireDetailsPage struct {
	UserDetails []struct {
		UserID          string `json:"userId"`
		PrimaryPresence []struct {
			StartTime              string  `json:"startTime"`
			EndTime                *string `json:"endTime"`
			SystemPresence         string  `json:"systemPresence"`
			OrganizationPresenceID string  `json:"organizationPresenceId"`
		} `json:"primaryPresence"`
		RoutingStatus []struct {
			StartTime     string  `json:"startTime"`
			EndTime       *string `json:"endTime"`
			RoutingStatus string  `json:"routingStatus"`
		} `json:"routingStatus"`
	} `json:"userDetails"`
	Cursor               *string `json:"cursor"`
	DataAvailabilityDate string  `json:"dataAvailabilityDate"`
}

const detailsJobsPath = "/api/v2/analytics/users/details/jobs"

func (e *env) submitJob(path string, body any) string {
	e.t.Helper()
	r := e.do("POST", path, body)
	if r.status != http.StatusAccepted {
		e.t.Fatalf("POST %s = %d %s", path, r.status, r.body)
	}
	var v struct {
		JobID string `json:"jobId"`
	}
	r.decode(e.t, &v)
	return v.JobID
}

func (e *env) jobState(path, id string) string {
	e.t.Helper()
	var st struct {
		State string `json:"state"`
	}
	e.get(path+"/"+id, http.StatusOK, &st)
	return st.State
}

func TestAnalyticsEndToEnd(t *testing.T) {
	t.Parallel()
	clock := newFakeClock() // Sunday 2026-03-01 12:00 UTC
	e := newEnv(t, Config{Users: 250, Seed: 5, Now: clock.Now, Analytics: analytics.Config{JobDelay: 300 * time.Millisecond}})
	from, to := time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC) // a Thursday
	interval := from.Format(time.RFC3339) + "/" + to.Format(time.RFC3339)

	// No token, no analytics.
	if r := e.doToken("", "POST", detailsJobsPath, map[string]any{"interval": interval}); r.status != http.StatusUnauthorized {
		t.Fatalf("POST without a token = %d %s", r.status, r.body)
	}

	id := e.submitJob(detailsJobsPath, map[string]any{"interval": interval})
	if st := e.jobState(detailsJobsPath, id); st != "QUEUED" {
		t.Fatalf("state after submission %s", st)
	}
	clock.Advance(300 * time.Millisecond)
	if st := e.jobState(detailsJobsPath, id); st != "FULFILLED" {
		t.Fatalf("state after the delay %s", st)
	}

	var got []string
	cursor := ""
	for pages := 0; ; pages++ {
		path := fmt.Sprintf("%s/%s/results?pageSize=50", detailsJobsPath, id)
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var p wireDetailsPage
		e.get(path, http.StatusOK, &p)
		for _, u := range p.UserDetails {
			got = append(got, u.UserID)
			truth := e.s.Analytics().Detail(u.UserID, from, to)
			if len(truth.PrimaryPresence) != len(u.PrimaryPresence) || len(truth.RoutingStatus) != len(u.RoutingStatus) {
				t.Fatalf("user %s: %d/%d segments, ground truth %d/%d", u.UserID,
					len(u.PrimaryPresence), len(u.RoutingStatus), len(truth.PrimaryPresence), len(truth.RoutingStatus))
			}
			if first := truth.PrimaryPresence[0].Start.Format("2006-01-02T15:04:05.000Z"); u.PrimaryPresence[0].StartTime != first {
				t.Fatalf("user %s: first segment starts %s, ground truth %s", u.UserID, u.PrimaryPresence[0].StartTime, first)
			}
		}
		if p.Cursor == nil {
			if pages < 2 {
				t.Fatalf("only %d pages", pages+1)
			}
			break
		}
		cursor = *p.Cursor
	}

	// Exactly the org's users with history, in id order; never an inactive
	// or deleted one.
	var want []string
	e.s.read(func(o *org) {
		for _, u := range o.users {
			if u.state == stActive && len(e.s.Analytics().Detail(u.id, from, to).PrimaryPresence) > 0 {
				want = append(want, u.id)
			}
		}
	})
	slices.Sort(want)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("users (-org +results):\n%s", diff)
	}
	if len(want) < 120 {
		t.Fatalf("only %d of 250 users have history", len(want))
	}

	st := e.s.Stats()
	if n := st.Count("POST "+detailsJobsPath, http.StatusAccepted); n != 1 {
		t.Fatalf("stats count %d accepted submissions", n)
	}
	if n := st.Count("GET "+detailsJobsPath+"/{jobId}/results", http.StatusOK); n < 3 {
		t.Fatalf("stats count %d results pages", n)
	}
	if st.AnalyticsJobs.Submitted != 1 || st.AnalyticsJobs.Fulfilled != 1 {
		t.Fatalf("stats analytics jobs %+v", st.AnalyticsJobs)
	}
}

// The jobExpiryRate fault reaches the analytics service: the results of
// a job expire once their first page was served.
func TestAnalyticsJobExpiryFault(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 50, Analytics: analytics.Config{JobDelay: -1}})
	if r := e.do("PUT", "/_emulator/faults", map[string]any{"jobExpiryRate": 1}); r.status != http.StatusOK {
		t.Fatalf("PUT faults = %d %s", r.status, r.body)
	}
	if got := e.s.Analytics().Faults().ResultsExpiryRate; got != 1 {
		t.Fatalf("analytics ResultsExpiryRate = %v, want 1", got)
	}
	id := e.submitJob(detailsJobsPath, map[string]any{"interval": "2026-02-26T00:00:00Z/2026-02-27T00:00:00Z"})
	if r := e.do("GET", detailsJobsPath+"/"+id+"/results?pageSize=1", nil); r.status != http.StatusOK {
		t.Fatalf("first page = %d %s", r.status, r.body)
	}
	if st := e.jobState(detailsJobsPath, id); st != "EXPIRED" {
		t.Fatalf("after the first page: %s, want EXPIRED", st)
	}
	if r := e.do("PUT", "/_emulator/faults", map[string]any{"jobExpiryRate": 1.5}); r.status != http.StatusBadRequest {
		t.Fatalf("PUT jobExpiryRate 1.5 = %d %s", r.status, r.body)
	}
}

func TestAnalyticsJobFailureFaultAndReset(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 50, Now: clock.Now, Faults: Faults{JobFailureRate: 1}})
	body := map[string]any{"interval": "2026-02-26T00:00:00Z/2026-02-27T00:00:00Z"}
	failed := e.submitJob(detailsJobsPath, body)
	clock.Advance(time.Second)
	if st := e.jobState(detailsJobsPath, failed); st != "FAILED" {
		t.Fatalf("with jobFailureRate 1 from the config: %s", st)
	}

	// Through /_emulator/faults: off, then on again.
	if r := e.do("PUT", "/_emulator/faults", map[string]any{"jobFailureRate": 0}); r.status != http.StatusOK {
		t.Fatalf("PUT faults = %d %s", r.status, r.body)
	}
	ok := e.submitJob(detailsJobsPath, body)
	if r := e.do("PUT", "/_emulator/faults", map[string]any{"jobFailureRate": 1}); r.status != http.StatusOK {
		t.Fatalf("PUT faults = %d %s", r.status, r.body)
	}
	bad := e.submitJob(detailsJobsPath, body)
	clock.Advance(time.Second)
	if a, b := e.jobState(detailsJobsPath, ok), e.jobState(detailsJobsPath, bad); a != "FULFILLED" || b != "FAILED" {
		t.Fatalf("after toggling the fault: %s, %s", a, b)
	}

	// Reset forgets the jobs and the fault.
	if r := e.do("POST", "/_emulator/reset", nil); r.status != http.StatusNoContent {
		t.Fatalf("reset = %d", r.status)
	}
	if r := e.do("GET", detailsJobsPath+"/"+ok, nil); r.status != http.StatusNotFound {
		t.Fatalf("job after reset = %d %s", r.status, r.body)
	}
	after := e.submitJob(detailsJobsPath, body)
	clock.Advance(time.Second)
	if st := e.jobState(detailsJobsPath, after); st != "FULFILLED" {
		t.Fatalf("after reset: %s", st)
	}
}

func TestAnalyticsRateLimitedAndFollowsUserState(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Config{Users: 60, Now: clock.Now, RatePerMinute: 1000, Analytics: analytics.Config{JobDelay: -1}})
	body := map[string]any{"interval": "2026-02-26T00:00:00Z/2026-02-27T00:00:00Z"}
	r := e.do("POST", detailsJobsPath, body)
	if r.status != http.StatusAccepted || r.header.Get("inin-ratelimit-allowed") == "" {
		t.Fatalf("POST = %d, rate-limit headers %v", r.status, r.header)
	}
	// Deactivate a user with history: they leave the results.
	var victim string
	e.s.read(func(o *org) {
		for _, u := range o.users {
			if u.state == stActive && len(e.s.Analytics().Detail(u.id, time.Date(2026, 2, 26, 0, 0, 0, 0, time.UTC), time.Date(2026, 2, 27, 0, 0, 0, 0, time.UTC)).PrimaryPresence) > 0 {
				victim = u.id
				return
			}
		}
	})
	e.s.write(func(o *org) {
		i, _ := o.userByID(victim)
		o.setNameState(i, o.users[i].name, stInactive)
	})
	id := e.submitJob(detailsJobsPath, body)
	var p wireDetailsPage
	e.get(detailsJobsPath+"/"+id+"/results?pageSize=1000", http.StatusOK, &p)
	for _, u := range p.UserDetails {
		if u.UserID == victim {
			t.Fatalf("inactive user %s still has details", victim)
		}
	}
	if len(p.UserDetails) == 0 {
		t.Fatal("no details at all")
	}
}

func TestAnalyticsPagingDuringChurn(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Config{Users: 300, Analytics: analytics.Config{JobDelay: -1}})
	id := e.submitJob(detailsJobsPath, map[string]any{"interval": "2026-02-26T00:00:00Z/2026-02-27T00:00:00Z"})
	done := make(chan struct{})
	churned := make(chan int)
	go func() {
		n := 0
		defer func() { churned <- n }()
		for seed := int64(1); seed <= 6; seed++ {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
			joiners := 5
			if _, err := e.s.Mutate(MutateRequest{Seed: seed, Percent: 2, Joiners: &joiners}); err != nil {
				t.Errorf("mutate: %v", err)
				return
			}
			n++
		}
	}()
	// Users come in strictly increasing id order across pages, whatever
	// joins or leaves between two pages: no duplicate, no going back.
	last, users, cursor := "", 0, ""
	for {
		path := detailsJobsPath + "/" + id + "/results?pageSize=25"
		if cursor != "" {
			path += "&cursor=" + cursor
		}
		var p wireDetailsPage
		e.get(path, http.StatusOK, &p)
		for _, u := range p.UserDetails {
			if u.UserID <= last {
				t.Fatalf("user %s after %s", u.UserID, last)
			}
			last = u.UserID
			users++
		}
		if p.Cursor == nil {
			break
		}
		cursor = *p.Cursor
	}
	close(done)
	if n := <-churned; n == 0 || users < 150 {
		t.Fatalf("%d mutations during paging, %d users read", n, users)
	}
}
