package load_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/store"
)

var usersStream = load.Stream{Pipeline: "nightly", Name: "users", Snapshot: true}

func sampleUsers() ([]load.UserRow, []load.UserSkillRow) {
	users := []load.UserRow{
		{ID: "u1", Name: "Ada", Email: "ada@example.com", State: "active", DivisionID: "d1", Title: "Agent", Version: 1, Raw: json.RawMessage(`{"id":"u1"}`)},
		{ID: "u2", Name: "Bob", Email: "bob@example.com", State: "active", DivisionID: "d1", ManagerID: "u1", Version: 3},
		{ID: "u3", Name: "Cy", Email: "cy@example.com", State: "inactive", DivisionID: "d2", Version: 1},
	}
	skills := []load.UserSkillRow{
		{UserID: "u1", SkillID: "s1", SkillName: "Billing", Proficiency: 3},
		{UserID: "u1", SkillID: "s2", SkillName: "Sales", Proficiency: 1},
		{UserID: "u2", SkillID: "s1", SkillName: "Billing", Proficiency: 5},
	}
	return users, skills
}

func ids(users []load.UserRow) []string {
	out := make([]string, len(users))
	for i, u := range users {
		out[i] = u.ID
	}
	return out
}

func loadUsers(t *testing.T, e *env, users []load.UserRow, skills []load.UserSkillRow) load.Stats {
	t.Helper()
	return e.stream(t, usersStream, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Users(ctx, users); err != nil {
			return err
		}
		return tx.UserSkills(ctx, ids(users), skills)
	})
}

func TestReloadIsIdempotent(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, skills := sampleUsers()
	first := loadUsers(t, e, users, skills)
	want := load.Stats{
		"users":       {Inserted: 3},
		"user_skills": {Inserted: 3},
	}
	if d := cmp.Diff(want, first); d != "" {
		t.Errorf("first load stats (-want +got):\n%s", d)
	}
	var before time.Time
	if err := e.pool.QueryRow(context.Background(), "SELECT max(updated_at) FROM users").Scan(&before); err != nil {
		t.Fatal(err)
	}
	second := loadUsers(t, e, users, skills)
	want = load.Stats{
		"users":       {Unchanged: 3},
		"user_skills": {Unchanged: 3},
	}
	if d := cmp.Diff(want, second); d != "" {
		t.Errorf("reload stats (-want +got):\n%s", d)
	}
	var after time.Time
	if err := e.pool.QueryRow(context.Background(), "SELECT max(updated_at) FROM users").Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !after.Equal(before) {
		t.Errorf("reload rewrote users: updated_at %v -> %v", before, after)
	}
	if n := e.count(t, "SELECT count(*) FROM users_history"); n != 3 {
		t.Errorf("users_history has %d rows after an identical reload, want 3", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_skills_history"); n != 3 {
		t.Errorf("user_skills_history has %d rows after an identical reload, want 3", n)
	}
	// Unchanged rows cost no write: no new tuple versions.
	if n := e.count(t, "SELECT count(*) FROM users WHERE xmin <> (SELECT xmin FROM users WHERE id = 'u1')"); n != 0 {
		t.Errorf("%d users rows written by a transaction other than the first load", n)
	}
}

func TestChangeDetectionAndHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, skills := sampleUsers()
	loadUsers(t, e, users, skills)

	// Ada changes title; Bob unchanged; Ada's Sales proficiency changes,
	// Billing is removed and Support added; Bob loses every skill.
	users[0].Title = "Team lead"
	skills = []load.UserSkillRow{
		{UserID: "u1", SkillID: "s2", SkillName: "Sales", Proficiency: 4},
		{UserID: "u1", SkillID: "s3", SkillName: "Support", Proficiency: 2},
	}
	got := loadUsers(t, e, users, skills)
	want := load.Stats{
		"users":       {Updated: 1, Unchanged: 2},
		"user_skills": {Inserted: 1, Updated: 1, Deleted: 2},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("second load stats (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u1'"); n != 2 {
		t.Errorf("u1 has %d history versions, want 2", n)
	}
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u2'"); n != 1 {
		t.Errorf("unchanged u2 has %d history versions, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u1' AND valid_to IS NULL AND title = 'Team lead'"); n != 1 {
		t.Errorf("u1's open version is not the new title")
	}
	if n := e.count(t, "SELECT count(*) FROM user_skills_history WHERE valid_to IS NOT NULL"); n != 3 {
		t.Errorf("%d closed skill versions, want 3 (u1/s1 removed, u1/s2 changed, u2/s1 removed)", n)
	}
	e.checkHistory(t, "users_history", "users", "id")
	e.checkHistory(t, "user_skills_history", "user_skills", "user_id", "skill_id")

	// u3 vanishes from the next complete snapshot.
	got = loadUsers(t, e, users[:2], skills)
	if got["users"].Deleted != 1 {
		t.Errorf("snapshot without u3: deleted %d users, want 1", got["users"].Deleted)
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE id = 'u3' AND deleted_at IS NOT NULL"); n != 1 {
		t.Error("u3 not marked deleted")
	}
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u3' AND valid_to IS NULL"); n != 0 {
		t.Error("u3's history still open after deletion")
	}
	e.checkHistory(t, "users_history", "users", "id")

	// u3 comes back, and Bob's Billing skill too: new versions open.
	skills = append(skills, load.UserSkillRow{UserID: "u2", SkillID: "s1", SkillName: "Billing", Proficiency: 5})
	got = loadUsers(t, e, users, skills)
	if got["users"].Updated != 1 || got["user_skills"].Inserted != 1 {
		t.Errorf("reappearance stats = %+v", got)
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE id = 'u3' AND deleted_at IS NULL"); n != 1 {
		t.Error("u3 still deleted after reappearing")
	}
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u3'"); n != 2 {
		t.Errorf("u3 has %d versions after reappearing, want 2", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_skills_history WHERE user_id = 'u2' AND skill_id = 's1'"); n != 2 {
		t.Errorf("u2/s1 has %d versions after reappearing, want 2", n)
	}
	e.checkHistory(t, "users_history", "users", "id")
	e.checkHistory(t, "user_skills_history", "user_skills", "user_id", "skill_id")
}

func TestDuplicateKeysAcrossAndWithinBatches(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Paging can return a user twice; the last version wins, history stays sound.
	stats := e.stream(t, usersStream, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Users(ctx, []load.UserRow{{ID: "u1", Title: "a"}, {ID: "u1", Title: "b"}}); err != nil {
			return err
		}
		return tx.Users(ctx, []load.UserRow{{ID: "u1", Title: "c"}})
	})
	if stats["users"].Inserted != 1 || stats["users"].Updated != 1 {
		t.Errorf("stats = %+v, want 1 inserted then 1 updated", stats["users"])
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE title = 'c'"); n != 1 {
		t.Error("last version did not win")
	}
	e.checkHistory(t, "users_history", "users", "id")
}

func TestFailedSnapshotMarksNothingDeleted(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	users, skills := sampleUsers()
	loadUsers(t, e, users, skills)
	ctx := context.Background()

	// A snapshot that sees only u1 and is abandoned.
	tx, err := e.loader.Begin(ctx, usersStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Users(ctx, users[:1]); err != nil {
		t.Fatal(err)
	}
	if err := tx.UserSkills(ctx, []string{"u1"}, nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	// A snapshot that fails on a bad row.
	tx, err = e.loader.Begin(ctx, usersStream)
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.Users(ctx, users[:1]); err != nil {
		t.Fatal(err)
	}
	if err := tx.Users(ctx, []load.UserRow{{ID: ""}}); err == nil {
		t.Fatal("user with an empty id loaded without error")
	}
	if _, err := tx.Commit(ctx, nil); !errors.Is(err, load.ErrDone) {
		t.Errorf("Commit after a failed batch: err = %v, want ErrDone", err)
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d users marked deleted by failed snapshots", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_skills"); n != 3 {
		t.Errorf("%d skills left after failed snapshots, want 3", n)
	}
	// A non-snapshot stream never deletes.
	e.stream(t, load.Stream{Pipeline: "nightly", Name: "users-delta"}, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.Users(ctx, users[:1])
	})
	if n := e.count(t, "SELECT count(*) FROM users WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d users marked deleted by a partial (non-snapshot) stream", n)
	}
}

func TestWatermarkCommitsWithData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	runID, err := e.store.StartRun(ctx, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	s := load.Stream{Pipeline: "nightly", Name: "user_details", RunID: runID}
	w1 := ts("2026-11-01T00:00:00Z")
	e.stream(t, s, &load.Watermark{Time: w1}, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, []load.PresenceSegmentRow{{UserID: "u1", Start: w1.Add(-time.Hour), End: w1, SystemPresence: "AVAILABLE"}})
	})
	good := []load.PresenceSegmentRow{
		{UserID: "u1", Start: w1, End: w1.Add(time.Hour), SystemPresence: "BUSY"},
		{UserID: "u2", Start: w1, End: w1.Add(time.Hour), SystemPresence: "AVAILABLE"},
	}
	failures := map[string]func(ctx context.Context, tx *load.Tx) (context.Context, error){
		"constraint violated mid-stream": func(ctx context.Context, tx *load.Tx) (context.Context, error) {
			// End before start breaks a check constraint in the second batch.
			return ctx, tx.PresenceSegments(ctx, []load.PresenceSegmentRow{{UserID: "u3", Start: w1, End: w1.Add(-time.Minute), SystemPresence: "AWAY"}})
		},
		"context cancelled before commit": func(ctx context.Context, tx *load.Tx) (context.Context, error) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			return cctx, nil
		},
		"context cancelled mid-merge": func(ctx context.Context, tx *load.Tx) (context.Context, error) {
			cctx, cancel := context.WithCancel(ctx)
			rows := make([]load.PresenceSegmentRow, 50000)
			for i := range rows {
				rows[i] = load.PresenceSegmentRow{UserID: fmt.Sprintf("x%d", i), Start: w1, SystemPresence: "AWAY"}
			}
			go func() { time.Sleep(5 * time.Millisecond); cancel() }()
			err := tx.PresenceSegments(cctx, rows)
			if err == nil {
				// The batch won the race: the cancelled context fails the commit.
				return cctx, nil
			}
			return cctx, err
		},
	}
	for name, inject := range failures {
		tx, err := e.loader.Begin(ctx, s)
		if err != nil {
			t.Fatal(err)
		}
		if err := tx.PresenceSegments(ctx, good); err != nil {
			t.Fatalf("%s: good batch: %v", name, err)
		}
		cctx, _ := inject(ctx, tx)
		if _, err := tx.Commit(cctx, &load.Watermark{Time: w1.Add(time.Hour)}); err == nil {
			t.Fatalf("%s: Commit succeeded", name)
		}
		_ = tx.Rollback(ctx)
		wm, err := e.store.Watermark(ctx, "nightly", "user_details")
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !wm.Watermark.Equal(w1) || wm.RunID != runID {
			t.Errorf("%s: watermark = %v (run %d), want the old %v (run %d)", name, wm.Watermark, wm.RunID, w1, runID)
		}
		if n := e.count(t, "SELECT count(*) FROM user_presence_segments"); n != 1 {
			t.Errorf("%s: %d segments, want only the 1 committed before", name, n)
		}
	}
	// And the same stream succeeds afterwards: watermark and rows together.
	e.stream(t, s, &load.Watermark{Time: w1.Add(time.Hour), Cursor: "c'1"}, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, good)
	})
	wm, err := e.store.Watermark(ctx, "nightly", "user_details")
	if err != nil {
		t.Fatal(err)
	}
	if !wm.Watermark.Equal(w1.Add(time.Hour)) || wm.Cursor != "c'1" {
		t.Errorf("watermark = %+v after a good commit", wm)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments"); n != 3 {
		t.Errorf("%d segments after a good commit, want 3", n)
	}
	if _, err := e.store.Watermark(ctx, "nightly", "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("unknown watermark: err = %v, want ErrNotFound", err)
	}
}

func TestSegmentOpenThenClosed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := load.Stream{Pipeline: "nightly", Name: "user_details"}
	start := ts("2026-11-02T08:00:00Z")
	open := []load.PresenceSegmentRow{{UserID: "u1", Start: start, SystemPresence: "AVAILABLE", OrganizationPresenceID: "p1"}}
	closed := []load.PresenceSegmentRow{{UserID: "u1", Start: start, End: start.Add(90 * time.Minute), SystemPresence: "AVAILABLE", OrganizationPresenceID: "p1"}}
	routing := []load.RoutingStatusSegmentRow{{UserID: "u1", Start: start, RoutingStatus: "IDLE"}}
	steps := []struct {
		name string
		rows []load.PresenceSegmentRow
		want load.TableStats
	}{
		{"open", open, load.TableStats{Inserted: 1}},
		{"open again", open, load.TableStats{Unchanged: 1}},
		{"closed", closed, load.TableStats{Updated: 1}},
		{"closed again", closed, load.TableStats{Unchanged: 1}},
		{"open after closed", open, load.TableStats{Unchanged: 1}},
	}
	for _, st := range steps {
		got := e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
			if err := tx.PresenceSegments(ctx, st.rows); err != nil {
				return err
			}
			return tx.RoutingStatusSegments(ctx, routing)
		})
		if d := cmp.Diff(st.want, got["user_presence_segments"]); d != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, d)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments"); n != 1 {
		t.Errorf("%d presence segments, want 1 (never duplicated)", n)
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments WHERE end_time = $1", start.Add(90*time.Minute)); n != 1 {
		t.Error("segment not closed at its end time")
	}
	if n := e.count(t, "SELECT count(*) FROM user_routing_status_segments WHERE end_time IS NULL"); n != 1 {
		t.Error("open routing segment not stored once")
	}
}

func TestAggregatesUpsert(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := load.Stream{Pipeline: "nightly", Name: "user_aggregates"}
	at := ts("2026-11-02T00:00:00Z")
	sum, cnt := 1800000.0, int64(3)
	rows := []load.AggregateRow{
		{UserID: "u1", IntervalStart: at, IntervalEnd: at.Add(30 * time.Minute), Granularity: "PT30M", Metric: "tSystemPresence", Qualifier: "AVAILABLE", Sum: &sum, Count: &cnt},
		{UserID: "u1", IntervalStart: at, IntervalEnd: at.Add(30 * time.Minute), Granularity: "PT30M", Metric: "tAgentRoutingStatus", Qualifier: "IDLE", Sum: &sum},
	}
	got := e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Aggregates(ctx, rows) })
	if got["user_aggregates"].Inserted != 2 {
		t.Errorf("first load: %+v", got)
	}
	got = e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Aggregates(ctx, rows) })
	if got["user_aggregates"].Unchanged != 2 {
		t.Errorf("reload: %+v", got)
	}
	more := 2400000.0
	rows[0].Sum = &more
	got = e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Aggregates(ctx, rows) })
	if got["user_aggregates"].Updated != 1 || got["user_aggregates"].Unchanged != 1 {
		t.Errorf("reprocessed interval: %+v", got)
	}
	if n := e.count(t, "SELECT count(*) FROM user_aggregates WHERE count IS NULL AND metric = 'tAgentRoutingStatus'"); n != 1 {
		t.Error("absent count not stored as NULL")
	}
}

func TestSegmentBatchWithRepeatedKey(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	start := ts("2026-11-03T08:00:00Z")
	rows := []load.PresenceSegmentRow{
		{UserID: "u1", Start: start, SystemPresence: "AVAILABLE"},
		{UserID: "u2", Start: start, End: start.Add(time.Minute), SystemPresence: "BUSY"},
		// The same segment again, now finished (e.g. two overlapping windows in one batch).
		{UserID: "u1", Start: start, End: start.Add(time.Hour), SystemPresence: "AVAILABLE"},
	}
	got := e.stream(t, load.Stream{Pipeline: "p", Name: "details"}, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.PresenceSegments(ctx, rows)
	})
	if got["user_presence_segments"].Inserted != 2 {
		t.Errorf("stats = %+v, want 2 inserted", got["user_presence_segments"])
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments WHERE user_id = 'u1' AND end_time = $1", start.Add(time.Hour)); n != 1 {
		t.Error("the later, finished version of the repeated segment did not win")
	}
}

func TestReferenceSnapshotDeletesAndRestores(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := load.Stream{Pipeline: "p", Name: "reference", Snapshot: true}
	skills := []load.SkillRow{{ID: "s1", Name: "Billing"}, {ID: "s2", Name: "Sales"}}
	e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Skills(ctx, skills) })
	got := e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Skills(ctx, skills[:1]) })
	if d := cmp.Diff(load.TableStats{Unchanged: 1, Deleted: 1}, got["skills"]); d != "" {
		t.Errorf("snapshot without s2 (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM skills WHERE id = 's2' AND deleted_at IS NOT NULL AND name = 'Sales'"); n != 1 {
		t.Error("s2 not soft-deleted (row kept, deleted_at set)")
	}
	// Deleting twice does nothing more; coming back clears deleted_at.
	got = e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Skills(ctx, skills[:1]) })
	if got["skills"].Deleted != 0 {
		t.Errorf("second snapshot without s2 deleted %d again", got["skills"].Deleted)
	}
	got = e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Skills(ctx, skills) })
	if d := cmp.Diff(load.TableStats{Updated: 1, Unchanged: 1}, got["skills"]); d != "" {
		t.Errorf("s2 back (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM skills WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("%d skills still deleted after reappearing", n)
	}
	// A table the snapshot never loaded is left alone.
	e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
		return tx.Roles(ctx, []load.RoleRow{{ID: "r1", Name: "Agent"}})
	})
	if n := e.count(t, "SELECT count(*) FROM skills WHERE deleted_at IS NOT NULL"); n != 0 {
		t.Errorf("a snapshot of roles deleted %d skills", n)
	}
}

func TestSegmentsOutOfOrderWindows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := load.Stream{Pipeline: "p", Name: "details"}
	t2 := ts("2026-11-05T10:00:00Z")
	seg := func(start time.Time, end time.Duration) load.PresenceSegmentRow {
		r := load.PresenceSegmentRow{UserID: "u1", Start: start, SystemPresence: "AVAILABLE"}
		if end > 0 {
			r.End = start.Add(end)
		}
		return r
	}
	steps := []struct {
		name string
		rows []load.PresenceSegmentRow
		want load.TableStats
	}{
		{"latest window", []load.PresenceSegmentRow{seg(t2, 0)}, load.TableStats{Inserted: 1}},
		{"older window (backfill)", []load.PresenceSegmentRow{seg(t2.Add(-2*time.Hour), time.Hour)}, load.TableStats{Inserted: 1}},
		{"newer plus the open one closed", []load.PresenceSegmentRow{seg(t2, 30*time.Minute), seg(t2.Add(time.Hour), 0)}, load.TableStats{Inserted: 1, Updated: 1}},
		{"same again", []load.PresenceSegmentRow{seg(t2, 30*time.Minute), seg(t2.Add(time.Hour), 0)}, load.TableStats{Unchanged: 2}},
	}
	for _, st := range steps {
		got := e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.PresenceSegments(ctx, st.rows) })
		if d := cmp.Diff(st.want, got["user_presence_segments"]); d != "" {
			t.Errorf("%s (-want +got):\n%s", st.name, d)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM user_presence_segments"); n != 3 {
		t.Errorf("%d segments, want 3", n)
	}
}

// TestConcurrentLoadsOfSameEntities runs two streams loading the same new
// users at once (two pipelines, or two replicas): both succeed, the second
// waits for the first, and history keeps one open version per user.
func TestConcurrentLoadsOfSameEntities(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	users, skills := sampleUsers()
	changed := slices.Clone(users)
	changed[0].Title = "Lead"

	a, err := e.loader.Begin(ctx, load.Stream{Pipeline: "a", Name: "users", Snapshot: true})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback(ctx)
	if err := a.Users(ctx, users); err != nil {
		t.Fatal(err)
	}
	if err := a.UserSkills(ctx, ids(users), skills); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		b, err := e.loader.Begin(ctx, load.Stream{Pipeline: "b", Name: "users", Snapshot: true})
		if err != nil {
			done <- err
			return
		}
		defer b.Rollback(ctx)
		if err := b.Users(ctx, changed); err != nil {
			done <- err
			return
		}
		if err := b.UserSkills(ctx, ids(changed), skills); err != nil {
			done <- err
			return
		}
		_, err = b.Commit(ctx, nil)
		done <- err
	}()
	time.Sleep(200 * time.Millisecond) // let b reach a's row locks
	if _, err := a.Commit(ctx, nil); err != nil {
		t.Fatalf("first stream: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatalf("second stream: %v", err)
	}
	e.checkHistory(t, "users_history", "users", "id")
	e.checkHistory(t, "user_skills_history", "user_skills", "user_id", "skill_id")
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u1'"); n != 2 {
		t.Errorf("u1 has %d versions, want 2 (a's, then b's new title)", n)
	}
	if n := e.count(t, "SELECT count(*) FROM users_history WHERE id = 'u2'"); n != 1 {
		t.Errorf("u2, loaded alike by both, has %d versions, want 1", n)
	}
	if n := e.count(t, "SELECT count(*) FROM users WHERE title = 'Lead'"); n != 1 {
		t.Error("the later stream's change is not current")
	}
}

// TestConcurrentStreamsOfTheSameNameTakeTurns loads the same new rows from
// two transactions at once, as two pipelines sharing a schema do: both must
// succeed, and the rows exist once.
func TestConcurrentStreamsOfTheSameNameTakeTurns(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	rows := []load.DivisionRow{{ID: "d1", Name: "Home"}, {ID: "d2", Name: "Sales"}}
	errs := make(chan error, 2)
	for _, p := range []string{"nightly", "hourly"} {
		go func() {
			tx, err := e.loader.Begin(ctx, load.Stream{Pipeline: p, Name: "reference", Snapshot: true})
			if err != nil {
				errs <- err
				return
			}
			defer tx.Rollback(ctx)
			if err := tx.Divisions(ctx, rows); err != nil {
				errs <- err
				return
			}
			time.Sleep(50 * time.Millisecond) // hold the transaction open
			_, err = tx.Commit(ctx, nil)
			errs <- err
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatalf("concurrent load: %v", err)
		}
	}
	if n := e.count(t, "SELECT count(*) FROM divisions"); n != 2 {
		t.Errorf("divisions = %d, want 2", n)
	}
}

// TestAggregatesPacked follows aggregates through their packed storage: rows
// of one user-day arriving in several batches and Txs merge into one stored
// row entry by entry (new ones added, changed ones replaced, others kept), a
// repeated entry in a batch counts once (the later wins), and the view
// user_aggregates gives back exactly the rows loaded, NULL statistics
// included; user_aggregates_between reads a range.
func TestAggregatesPacked(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	s := load.Stream{Pipeline: "nightly", Name: "user_aggregates"}
	day := ts("2026-11-02T00:00:00Z")
	f := func(v float64) *float64 { return &v }
	n := func(v int64) *int64 { return &v }
	row := func(user string, at time.Duration, metric, qualifier string, sum *float64, count *int64) load.AggregateRow {
		start := day.Add(at)
		r := load.AggregateRow{UserID: user, IntervalStart: start, IntervalEnd: start.Add(30 * time.Minute), Granularity: "PT30M",
			Metric: metric, Qualifier: qualifier, Sum: sum, Count: count}
		if count != nil && *count == 1 {
			r.Min, r.Max = sum, sum
		}
		return r
	}
	first := []load.AggregateRow{
		row("u1", 0, "tSystemPresence", "AVAILABLE", f(1_800_000), n(1)),
		row("u1", 0, "tAgentRoutingStatus", "OFF_QUEUE", f(1_800_000), n(1)),
		row("u1", 30*time.Minute, "tSystemPresence", "AVAILABLE", f(1_000_000), n(2)),
		row("u1", 30*time.Minute, "tSystemPresence", "AVAILABLE", f(1_200_000), n(2)), // repeated: this one wins
		row("u1", 30*time.Minute, "tSystemPresence", "BREAK", f(600_000), nil),
		row("u2", 24*time.Hour+15*time.Minute, "tOrganizationPresence", "6a3af858-942f-489d-9700-5f9bcdcdae9b", nil, nil),
	}
	later := []load.AggregateRow{ // the same user-day, a later bucket, in a second batch of the Tx
		row("u1", 60*time.Minute, "tSystemPresence", "ON_QUEUE", f(1_800_000), n(1)),
	}
	got := e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error {
		if err := tx.Aggregates(ctx, first); err != nil {
			return err
		}
		return tx.Aggregates(ctx, later)
	})
	if d := cmp.Diff(load.TableStats{Inserted: 6, Unchanged: 1}, got["user_aggregates"]); d != "" {
		t.Errorf("first load (-want +got):\n%s", d)
	}
	// Genesys reprocessed the 00:30 bucket: BREAK changed, AVAILABLE did not,
	// and a MEAL appeared.
	reload := []load.AggregateRow{
		row("u1", 30*time.Minute, "tSystemPresence", "AVAILABLE", f(1_200_000), n(2)),
		row("u1", 30*time.Minute, "tSystemPresence", "BREAK", f(500_000), n(1)),
		row("u1", 30*time.Minute, "tSystemPresence", "MEAL", f(100_000), n(1)),
	}
	got = e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Aggregates(ctx, reload) })
	if d := cmp.Diff(load.TableStats{Inserted: 1, Updated: 1, Unchanged: 1}, got["user_aggregates"]); d != "" {
		t.Errorf("reprocessed bucket (-want +got):\n%s", d)
	}
	got = e.stream(t, s, nil, func(ctx context.Context, tx *load.Tx) error { return tx.Aggregates(ctx, reload) })
	if d := cmp.Diff(load.TableStats{Unchanged: 3}, got["user_aggregates"]); d != "" {
		t.Errorf("same again (-want +got):\n%s", d)
	}

	want := []load.AggregateRow{first[1], first[0], reload[0], reload[1], reload[2], later[0], first[5]}
	read := func(query string, args ...any) []load.AggregateRow {
		t.Helper()
		r, err := e.pool.Query(context.Background(), query, args...)
		if err != nil {
			t.Fatal(err)
		}
		out, err := pgx.CollectRows(r, func(r pgx.CollectableRow) (load.AggregateRow, error) {
			var a load.AggregateRow
			err := r.Scan(&a.UserID, &a.IntervalStart, &a.IntervalEnd, &a.Granularity, &a.Metric, &a.Qualifier, &a.Sum, &a.Count, &a.Min, &a.Max)
			a.IntervalStart, a.IntervalEnd = a.IntervalStart.UTC(), a.IntervalEnd.UTC()
			return a, err
		})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	const cols = "user_id, interval_start, interval_end, granularity, metric, qualifier, sum, count, min, max"
	if d := cmp.Diff(want, read("SELECT "+cols+" FROM user_aggregates ORDER BY user_id, interval_start, metric, qualifier")); d != "" {
		t.Errorf("user_aggregates (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want[2:6], read("SELECT "+cols+" FROM user_aggregates_between($1, $2) ORDER BY user_id, interval_start, metric, qualifier",
		day.Add(30*time.Minute), day.Add(24*time.Hour))); d != "" {
		t.Errorf("user_aggregates_between (-want +got):\n%s", d)
	}
	if n := e.count(t, "SELECT count(*) FROM user_aggregate_days"); n != 2 {
		t.Errorf("%d stored rows, want one per user-day: 2", n)
	}

	bad := []load.AggregateRow{row("u3", 0, "tSystemPresence", "AWAY", f(1), n(1))}
	bad[0].IntervalEnd = bad[0].IntervalStart
	tx, err := e.loader.Begin(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(context.Background())
	if err := tx.Aggregates(context.Background(), bad); err == nil || !strings.Contains(err.Error(), "aggregate of user u3") {
		t.Errorf("an interval ending at its start: err = %v, want one naming the user", err)
	}
}
