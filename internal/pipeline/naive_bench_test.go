package pipeline_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/store"
)

// BenchmarkForwardNaive runs the same sync twice against one emulated org
// at the same rate limit, side by side: syncer (`syncer run` subprocess,
// pages of 500 with expands, queue memberships by the cheaper strategy)
// and naiveSync below (pages of 25, no expands, per-user skills, languages
// and queues), both loading into a fresh schema through the same loader.
// It reports each side's calls and seconds and the naive/syncer ratios.
//
// The org has SYNCER_BENCH_NAIVE_USERS users (5,000): the naive sync makes
// about four calls per user, so at a scaled 3,000/min a 50,000-user org
// would take over an hour. The ratio of calls does not depend on the size.
func BenchmarkForwardNaive(b *testing.B) {
	bin := syncerBinary(b)
	srv, base := benchOrg(b, benchNaiveUsers, benchRate)
	var ours syncerResult
	var naive naiveResult
	for range b.N {
		srv.ResetStats()
		ours = runSyncer(b, srv, bin, base, benchRate)
		srv.ResetStats()
		naive = runNaive(b, srv, base, benchRate)
	}
	b.StopTimer()
	b.ReportMetric(float64(ours.calls), "syncer-calls")
	b.ReportMetric(ours.wall.Seconds(), "syncer-s")
	b.ReportMetric(float64(naive.calls), "naive-calls")
	b.ReportMetric(naive.wall.Seconds(), "naive-s")
	b.ReportMetric(float64(naive.calls)/float64(max(ours.calls, 1)), "naive/syncer-calls")
	b.ReportMetric(naive.wall.Seconds()/ours.wall.Seconds(), "naive/syncer-time")
	b.ReportMetric(0, "ns/op")
	b.Logf("%d users at %d/min: syncer %d calls in %v; naive %d calls in %v",
		benchNaiveUsers, benchRate, ours.calls, ours.wall.Round(time.Millisecond), naive.calls, naive.wall.Round(time.Millisecond))
}

type naiveResult struct {
	calls int64
	wall  time.Duration
}

// runNaive migrates a fresh schema, runs naiveSync through a client whose
// budget is the same as the syncer's, and checks the rows it loaded.
func runNaive(b *testing.B, srv *emulator.Server, base string, rate int) naiveResult {
	b.Helper()
	b.StopTimer()
	ctx := context.Background()
	dbURL, schema := pgtest.Schema(b)
	pool := pgtest.Pool(b, dbURL, schema)
	if _, err := store.New(pool, store.Config{Schema: schema}).Migrate(ctx); err != nil {
		b.Fatalf("migrate: %v", err)
	}
	c, err := genesys.NewClient(
		genesys.WithBaseURL(base),
		genesys.WithCredentials(emulator.DefaultClientID, emulator.DefaultClientSecret),
		genesys.WithBudget(ratelimit.New(ratelimit.Config{RequestsPerMinute: float64(rate), MaxInFlight: 8})),
	)
	if err != nil {
		b.Fatal(err)
	}
	b.StartTimer()
	start := time.Now()
	if err := naiveSync(ctx, c, load.New(pool, load.Config{Schema: schema}), []string{genesys.StateActive, genesys.StateInactive}, 4); err != nil {
		b.Fatalf("naive sync: %v", err)
	}
	wall := time.Since(start)
	b.StopTimer()
	checkLoaded(b, srv, dbURL, schema)
	s := c.Stats()
	return naiveResult{calls: s.Total() - s.Endpoint("POST /oauth/token"), wall: wall}
}

// naivePageSize is the API's default page size, which naive code keeps.
const naivePageSize = 25

// naiveSync is the straightforward sync, for the benchmark only: users in
// pages of 25 without expands, then for every user its skills, languages,
// joined and unjoined queues from the per-user endpoints (pages of 25), with
// workers users in flight; each page of users is loaded as it completes.
// It cannot read a state over the 10,000 paging cap (it fails there).
func naiveSync(ctx context.Context, c *genesys.Client, ld *load.Loader, states []string, workers int) error {
	tx, err := ld.Begin(ctx, load.Stream{Pipeline: "naive", Name: "users"})
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	for _, state := range states {
		for page := 1; ; page++ {
			l, err := c.ListUsers(ctx, &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: naivePageSize, PageNumber: page}, State: state})
			if err != nil {
				return fmt.Errorf("naive: list users state=%s page %d: %w", state, page, err)
			}
			if err := naiveLoadPage(ctx, c, tx, l.Entities, workers); err != nil {
				return err
			}
			if l.NextURI == "" || len(l.Entities) == 0 {
				break
			}
		}
	}
	_, err = tx.Commit(ctx, nil)
	return err
}

func naiveLoadPage(ctx context.Context, c *genesys.Client, tx *load.Tx, users []genesys.User, workers int) error {
	var mu sync.Mutex
	var skills []load.UserSkillRow
	var langs []load.UserLanguageRow
	var queues []load.QueueMemberRow
	rows := make([]load.UserRow, len(users))
	ids := make([]string, len(users))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	for i, u := range users {
		ids[i] = u.ID
		rows[i] = load.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Username: u.Username, Title: u.Title, Department: u.Department,
			State: u.State, DivisionID: naiveDivision(u.Division), AcdAutoAnswer: u.AcdAutoAnswer, Version: u.Version, Raw: u.Raw}
		if u.Manager != nil {
			rows[i].ManagerID = u.Manager.ID
		}
		g.Go(func() error {
			sk, err := naivePages(func(p int) (*genesys.Listing[genesys.UserRoutingSkill], error) {
				return c.ListUserRoutingSkills(gctx, u.ID, &genesys.UserRoutingOptions{ListOptions: genesys.ListOptions{PageSize: naivePageSize, PageNumber: p}})
			})
			if err != nil {
				return fmt.Errorf("naive: skills of %s: %w", u.ID, err)
			}
			lg, err := naivePages(func(p int) (*genesys.Listing[genesys.UserRoutingLanguage], error) {
				return c.ListUserRoutingLanguages(gctx, u.ID, &genesys.UserRoutingOptions{ListOptions: genesys.ListOptions{PageSize: naivePageSize, PageNumber: p}})
			})
			if err != nil {
				return fmt.Errorf("naive: languages of %s: %w", u.ID, err)
			}
			var qs []genesys.UserQueue
			for _, joined := range []bool{true, false} {
				q, err := naivePages(func(p int) (*genesys.Listing[genesys.UserQueue], error) {
					return c.ListUserQueues(gctx, u.ID, &genesys.UserQueuesOptions{ListOptions: genesys.ListOptions{PageSize: naivePageSize, PageNumber: p}, Joined: &joined})
				})
				if err != nil {
					return fmt.Errorf("naive: queues of %s (joined=%t): %w", u.ID, joined, err)
				}
				qs = append(qs, q...)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, s := range sk {
				skills = append(skills, load.UserSkillRow{UserID: u.ID, SkillID: s.ID, SkillName: s.Name, Proficiency: s.Proficiency})
			}
			for _, l := range lg {
				langs = append(langs, load.UserLanguageRow{UserID: u.ID, LanguageID: l.ID, LanguageName: l.Name, Proficiency: l.Proficiency})
			}
			for _, q := range qs {
				queues = append(queues, load.QueueMemberRow{UserID: u.ID, QueueID: q.ID, Joined: q.Joined})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, step := range []func() error{
		func() error { return tx.Users(ctx, rows) },
		func() error { return tx.UserSkills(ctx, ids, skills) },
		func() error { return tx.UserLanguages(ctx, ids, langs) },
		func() error { return tx.QueueMembersByUser(ctx, ids, queues) },
	} {
		if err := step(); err != nil {
			return fmt.Errorf("naive: load page: %w", err)
		}
	}
	return nil
}

func naivePages[T any](fetch func(page int) (*genesys.Listing[T], error)) ([]T, error) {
	var all []T
	for p := 1; ; p++ {
		l, err := fetch(p)
		if err != nil {
			return nil, err
		}
		all = append(all, l.Entities...)
		if l.NextURI == "" || len(l.Entities) == 0 {
			return all, nil
		}
	}
}

func naiveDivision(d *genesys.Division) string {
	if d == nil {
		return ""
	}
	return d.ID
}
