package load

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Tx loads the batches of one stream in one transaction. Batches are merged
// as they arrive (the rows go to Postgres, not into memory); Commit finishes
// the snapshot, writes the watermark and commits everything at once.
//
// A Tx is not safe for concurrent use. After an error the transaction is
// rolled back and every later call returns an error wrapping ErrDone.
type Tx struct {
	l       *Loader
	tx      pgx.Tx
	stream  Stream
	run     any // RunID or nil
	dbStart time.Time
	start   time.Time // monotonic clock at dbStart
	lastTS  time.Time
	created map[string]bool // temp tables created in this transaction
	parts   map[string]bool // month partitions ensured in this transaction
	touched []*table        // tables loaded, in first-load order
	partial map[string]bool // tables Incomplete names: not finished as a snapshot
	stats   Stats
	batches int
	err     error // set once the transaction is finished
}

// Incomplete says that what this Tx loads into the named tables is not
// their complete state although the stream is a snapshot (a listing read
// only up to the API's paging cap): at Commit, rows not loaded keep their
// deleted_at as it was.
func (t *Tx) Incomplete(tables ...string) {
	if t.partial == nil {
		t.partial = map[string]bool{}
	}
	for _, name := range tables {
		t.partial[name] = true
	}
}

// Users merges a batch of users.
func (t *Tx) Users(ctx context.Context, rows []UserRow) error {
	return loadRows(ctx, t, usersTable, nil, rows)
}

// Divisions merges a batch of divisions.
func (t *Tx) Divisions(ctx context.Context, rows []DivisionRow) error {
	return loadRows(ctx, t, divisionsTable, nil, rows)
}

// Skills merges a batch of routing skills.
func (t *Tx) Skills(ctx context.Context, rows []SkillRow) error {
	return loadRows(ctx, t, skillsTable, nil, rows)
}

// Languages merges a batch of routing languages.
func (t *Tx) Languages(ctx context.Context, rows []LanguageRow) error {
	return loadRows(ctx, t, languagesTable, nil, rows)
}

// Queues merges a batch of queues.
func (t *Tx) Queues(ctx context.Context, rows []QueueRow) error {
	return loadRows(ctx, t, queuesTable, nil, rows)
}

// Roles merges a batch of roles.
func (t *Tx) Roles(ctx context.Context, rows []RoleRow) error {
	return loadRows(ctx, t, rolesTable, nil, rows)
}

// UserSkills replaces the skills of every user in users and of every user
// with a row in rows: skills of those users missing from rows are removed.
// Name users with no skills in users so their old skills are removed.
func (t *Tx) UserSkills(ctx context.Context, users []string, rows []UserSkillRow) error {
	return loadRows(ctx, t, userSkillsTable, users, rows)
}

// UserLanguages replaces the languages of the users named (see UserSkills).
func (t *Tx) UserLanguages(ctx context.Context, users []string, rows []UserLanguageRow) error {
	return loadRows(ctx, t, userLanguagesTable, users, rows)
}

// QueueMembersByUser replaces the queue memberships of the users named
// (the per-user strategy; see UserSkills).
func (t *Tx) QueueMembersByUser(ctx context.Context, users []string, rows []QueueMemberRow) error {
	return loadRows(ctx, t, userQueuesByUserTable, users, rows)
}

// QueueMembersByQueue replaces the members of the queues named and of every
// queue with a row in rows (the queue-side strategy).
func (t *Tx) QueueMembersByQueue(ctx context.Context, queues []string, rows []QueueMemberRow) error {
	return loadRows(ctx, t, userQueuesByQueueTable, queues, rows)
}

// UserGroups replaces the groups of the users named (see UserSkills).
func (t *Tx) UserGroups(ctx context.Context, users []string, rows []UserGroupRow) error {
	return loadRows(ctx, t, userGroupsTable, users, rows)
}

// UserLocations replaces the locations of the users named (see UserSkills).
func (t *Tx) UserLocations(ctx context.Context, users []string, rows []UserLocationRow) error {
	return loadRows(ctx, t, userLocationsTable, users, rows)
}

// RoleGrants replaces the role grants of the users named (see UserSkills).
func (t *Tx) RoleGrants(ctx context.Context, users []string, rows []RoleGrantRow) error {
	return loadRows(ctx, t, roleGrantsTable, users, rows)
}

// ExternalIDs replaces the external ids of the users named (see UserSkills).
func (t *Tx) ExternalIDs(ctx context.Context, users []string, rows []ExternalIDRow) error {
	return loadRows(ctx, t, externalIDsTable, users, rows)
}

// Groups merges a batch of groups.
func (t *Tx) Groups(ctx context.Context, rows []GroupRow) error {
	return loadRows(ctx, t, groupsTable, nil, rows)
}

// Locations merges a batch of locations.
func (t *Tx) Locations(ctx context.Context, rows []LocationRow) error {
	return loadRows(ctx, t, locationsTable, nil, rows)
}

// Stations merges a batch of stations.
func (t *Tx) Stations(ctx context.Context, rows []StationRow) error {
	return loadRows(ctx, t, stationsTable, nil, rows)
}

// UserStations replaces the station row of the users named and of every
// user with a row in rows: a user named without a row loses theirs. No
// history: the associated station moves at every login.
func (t *Tx) UserStations(ctx context.Context, users []string, rows []UserStationRow) error {
	return loadRows(ctx, t, userStationsTable, users, rows)
}

// UserPresence replaces the current presence of the users named (see
// UserStations).
func (t *Tx) UserPresence(ctx context.Context, users []string, rows []UserPresenceRow) error {
	return loadRows(ctx, t, userPresenceTable, users, rows)
}

// UserRoutingStatus replaces the current routing status of the users named
// (see UserStations).
func (t *Tx) UserRoutingStatus(ctx context.Context, users []string, rows []UserRoutingStatusRow) error {
	return loadRows(ctx, t, userRoutingStatusTable, users, rows)
}

// UserLastLogin replaces the last login of the users named (see
// UserStations). Rows with a zero LastLoginAt are left out: their users,
// when named, have no row.
func (t *Tx) UserLastLogin(ctx context.Context, users []string, rows []UserLastLoginRow) error {
	return loadRows(ctx, t, userLastLoginTable, users, without(rows, func(r *UserLastLoginRow) bool { return r.LastLoginAt.IsZero() }))
}

// OutOfOffice upserts out-of-office periods by user and start: a new one is
// inserted, a known one takes the end, active and indefinite given, and
// none is ever deleted, so past periods stay queryable after the API
// stops showing them. Rows with a zero Start are no period and are left out.
func (t *Tx) OutOfOffice(ctx context.Context, rows []OutOfOfficeRow) error {
	return loadRows(ctx, t, outOfOfficeTable, nil, without(rows, func(r *OutOfOfficeRow) bool { return r.Start.IsZero() }))
}

// UserProfileSkills replaces the profile skills of the users named (see
// UserSkills), with history.
func (t *Tx) UserProfileSkills(ctx context.Context, users []string, rows []UserProfileSkillRow) error {
	return loadRows(ctx, t, userProfileSkillsTable, users, rows)
}

// UserCertifications replaces the certifications of the users named (see
// UserSkills), with history.
func (t *Tx) UserCertifications(ctx context.Context, users []string, rows []UserCertificationRow) error {
	return loadRows(ctx, t, userCertificationsTable, users, rows)
}

// Utilization replaces the utilization (one row per media type) of the
// users named (see UserSkills), with history.
func (t *Tx) Utilization(ctx context.Context, users []string, rows []UtilizationRow) error {
	return loadRows(ctx, t, utilizationTable, users, rows)
}

// DevelopmentActivities upserts development activities by activity and
// attendee: new ones are inserted, changed ones updated, identical ones cost
// nothing, and none is deleted (a window of activities is not a snapshot).
func (t *Tx) DevelopmentActivities(ctx context.Context, rows []DevelopmentActivityRow) error {
	return loadRows(ctx, t, developmentActivitiesTable, nil, rows)
}

// without returns rows less those skip reports, sharing rows' array when
// none is skipped.
func without[R any](rows []R, skip func(*R) bool) []R {
	for i := range rows {
		if skip(&rows[i]) {
			out := slices.Clone(rows[:i])
			for j := i + 1; j < len(rows); j++ {
				if !skip(&rows[j]) {
					out = append(out, rows[j])
				}
			}
			return out
		}
	}
	return rows
}

// PresenceSegments upserts presence segments: new ones are inserted, an
// open one that arrives finished is closed, identical ones cost nothing.
func (t *Tx) PresenceSegments(ctx context.Context, rows []PresenceSegmentRow) error {
	return loadRows(ctx, t, presenceTable, nil, rows)
}

// RoutingStatusSegments upserts routing status segments (see PresenceSegments).
func (t *Tx) RoutingStatusSegments(ctx context.Context, rows []RoutingStatusSegmentRow) error {
	return loadRows(ctx, t, routingTable, nil, rows)
}

// Aggregates upserts user aggregate metrics: a row whose user, interval
// start, granularity, metric and qualifier are stored replaces the stored
// statistics, identical ones cost nothing, others are kept. They are stored
// packed, one row per user, UTC day and granularity (see aggregates.go), and
// read through the view user_aggregates; the stats count rows as given here,
// under that name.
func (t *Tx) Aggregates(ctx context.Context, rows []AggregateRow) error {
	if t.err != nil {
		return t.doneErr()
	}
	days, entries, err := packAggregates(rows)
	if err != nil {
		return t.fail(ctx, fmt.Errorf("load %s/%s: %s batch %d: %w", t.stream.Pipeline, t.stream.Name, aggregatesTable.statsName(), t.batches+1, err))
	}
	b := tableBatch(aggregatesTable, nil, days)
	b.units, b.fresh = len(rows), entries
	return t.load(ctx, &aggregatesTable.table, b)
}

// loadRows merges one batch of rows into tb; owners are the owners a child
// batch names besides those of its rows.
func loadRows[R any](ctx context.Context, t *Tx, tb *tableOf[R], owners []string, rows []R) error {
	return t.load(ctx, &tb.table, tableBatch(tb, owners, rows))
}

// batch is one call's rows as the merge takes them.
type batch struct {
	n      int              // rows to write
	owners []string         // child: owners named besides those of the rows
	fill   func(int, []any) // the values of row i
	// month, for a partitioned table, is the partition column of row i.
	month func(int) time.Time
	// units is what the stats count (rows as given to the Tx), fresh how
	// many of them a batch of new keys inserts: both n, except for a packed
	// table (entries; fresh leaves out repeats).
	units, fresh int
}

func tableBatch[R any](tb *tableOf[R], owners []string, rows []R) batch {
	b := batch{n: len(rows), owners: owners, fill: tb.fill(rows), units: len(rows), fresh: len(rows)}
	if tb.partition != "" {
		get := tb.get[tb.colIndex(tb.partition)]
		b.month = func(i int) time.Time { return get(&rows[i]).(time.Time) }
	}
	return b
}

// Commit finishes the stream: for a snapshot it marks vanished entities
// deleted and removes child rows of owners not named, then writes wm (when
// not nil) as the stream's watermark, and commits all of it in one
// transaction. On error nothing of the stream is kept and the old
// watermark stays.
func (t *Tx) Commit(ctx context.Context, wm *Watermark) (Stats, error) {
	if t.err != nil {
		return nil, t.doneErr()
	}
	name := t.stream.Pipeline + "/" + t.stream.Name
	if t.stream.Snapshot {
		ts := t.now()
		for _, tb := range t.touched {
			if tb.kind == segment || t.partial[tb.name] {
				continue
			}
			sq := t.l.sql[tb]
			args := []any{ts, t.run}
			if tb.kind == child {
				args = nil
				if tb.history != "" {
					args = []any{ts}
				}
			}
			var n int64
			if err := t.tx.QueryRow(ctx, sq.finishSnap, args...).Scan(&n); err != nil {
				return nil, t.fail(ctx, fmt.Errorf("load %s: finish snapshot of %s: %w", name, tb.name, err))
			}
			st := t.stats[tb.statsName()]
			st.Deleted += n
			t.stats[tb.statsName()] = st
		}
	}
	if wm != nil {
		if _, err := t.tx.Exec(ctx, t.l.upsertWatermark, t.stream.Pipeline, t.stream.Name, nullTime(wm.Time), nullString(wm.Cursor), t.run); err != nil {
			return nil, t.fail(ctx, fmt.Errorf("load %s: watermark: %w", name, err))
		}
	}
	if err := t.tx.Commit(ctx); err != nil {
		return nil, t.fail(ctx, fmt.Errorf("load %s: commit: %w", name, err))
	}
	t.err = ErrDone
	for _, tb := range t.stats.Tables() {
		st := t.stats[tb]
		t.l.log.Info("stream table loaded", "pipeline", t.stream.Pipeline, "stream", t.stream.Name, "table", tb,
			"inserted", st.Inserted, "updated", st.Updated, "unchanged", st.Unchanged, "deleted", st.Deleted)
	}
	return t.stats, nil
}

// Rollback abandons the stream: nothing it loaded is kept and nothing is
// marked deleted. It is safe to call after Commit (it does nothing), so
// `defer tx.Rollback(ctx)` is the usual pattern.
func (t *Tx) Rollback(ctx context.Context) error {
	if t.err != nil {
		return nil
	}
	t.err = ErrDone
	if err := t.tx.Rollback(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("load %s/%s: rollback: %w", t.stream.Pipeline, t.stream.Name, err)
	}
	return nil
}

// Stats returns the counts so far.
func (t *Tx) Stats() Stats { return t.stats }

func (t *Tx) doneErr() error {
	if t.err == ErrDone {
		return fmt.Errorf("load %s/%s: %w", t.stream.Pipeline, t.stream.Name, ErrDone)
	}
	return fmt.Errorf("load %s/%s: %w: %w", t.stream.Pipeline, t.stream.Name, ErrDone, t.err)
}

// fail rolls the transaction back and remembers err.
func (t *Tx) fail(ctx context.Context, err error) error {
	t.err = err
	_ = t.tx.Rollback(context.WithoutCancel(ctx))
	return err
}

// now returns the validity time of the next batch: the database clock at
// Begin plus the elapsed monotonic time, strictly increasing, so history
// rows opened by successive batches never share an instant.
func (t *Tx) now() time.Time {
	ts := t.dbStart.Add(time.Since(t.start)).Truncate(time.Microsecond)
	if !ts.After(t.lastTS) {
		ts = t.lastTS.Add(time.Microsecond)
	}
	t.lastTS = ts
	return ts
}

func (t *Tx) load(ctx context.Context, tb *table, b batch) error {
	if t.err != nil {
		return t.doneErr()
	}
	if b.n == 0 && (tb.kind != child || len(b.owners) == 0) {
		return nil
	}
	t.batches++
	if err := t.merge(ctx, tb, b); err != nil {
		return t.fail(ctx, fmt.Errorf("load %s/%s: %s batch %d: %w", t.stream.Pipeline, t.stream.Name, tb.statsName(), t.batches, err))
	}
	return nil
}

func (t *Tx) merge(ctx context.Context, tb *table, b batch) error {
	n, owners, fill := b.n, b.owners, b.fill
	sq := t.l.sql[tb]
	ts := t.now()
	created, err := t.ensureStaging(ctx, tb, sq)
	if err != nil {
		return err
	}
	if b.month != nil && n > 0 {
		if err := t.ensurePartitions(ctx, sq, n, b.month); err != nil {
			return err
		}
	}
	if tb.kind == segment && n > 0 {
		inserted, err := t.insertNew(ctx, tb, sq, n, fill, ts)
		if err != nil {
			return err
		}
		if inserted {
			agg := t.stats[tb.statsName()]
			agg.Inserted += int64(b.fresh)
			agg.Unchanged += int64(b.units - b.fresh)
			t.stats[tb.statsName()] = agg
			return nil
		}
	}
	if !created {
		trunc := "TRUNCATE " + sq.stageName
		if sq.createChg != "" {
			trunc += ", " + sq.chgName
		}
		if _, err := t.tx.Exec(ctx, trunc); err != nil {
			return fmt.Errorf("truncate staging: %w", err)
		}
	}

	src := &copySource{n: n, fill: fill, data: len(tb.cols), tail: tb.hashTail(), row: make([]any, len(tb.cols)+1), ownerIdx: -1}
	if tb.hashed() {
		src.row = make([]any, len(tb.cols)+2)
		src.hash = true
	}
	if tb.kind == child {
		src.ownerIdx = tb.colIndex(tb.owner) + 1
		src.owners = make(map[string]struct{}, len(owners))
		for _, o := range owners {
			src.owners[o] = struct{}{}
		}
	}
	if tb.kind != segment {
		src.keyIdx = make([]int, len(tb.key))
		for i, k := range tb.key {
			src.keyIdx[i] = tb.colIndex(k) + 1
		}
		src.keys = newKeySet(n)
	}
	copyStart := time.Now()
	if n > 0 {
		cols := append([]string{"_ord"}, tb.colNames()...)
		if tb.hashed() {
			cols = append(cols, "row_hash")
		}
		if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{"pg_temp", "_stage_" + tb.id()}, cols, src); err != nil {
			return fmt.Errorf("copy: %w", err)
		}
	}
	var ownerList []string
	if tb.kind == child {
		ownerList = make([]string, 0, len(src.owners))
		for o := range src.owners {
			ownerList = append(ownerList, o)
		}
	}

	copyDur := time.Since(copyStart)
	mergeStart := time.Now()
	var st TableStats
	var deltas rollupDeltas // the rollup's differences, for a table with one
	pb := &pgx.Batch{}
	switch tb.kind {
	case entity, child:
		fresh, done, err := t.insertFresh(ctx, tb, sq, n, src, ownerList, ts)
		if err != nil {
			return err
		}
		if !done {
			if err := t.mergeChanged(ctx, tb, sq, ownerList, ts, &st, pb); err != nil {
				return err
			}
		}
		st.Inserted += fresh
		if t.stream.Snapshot {
			if tb.kind == child {
				pb.Queue(sq.markSeen, ownerList)
			} else {
				pb.Queue(sq.markSeen)
			}
		}
	case segment:
		if tb.rollup == "" {
			pb.Queue(sq.upsertDirect, ts, t.run).QueryRow(func(r pgx.Row) error { return r.Scan(&st.Inserted, &st.Updated) })
			break
		}
		deltas = rollupDeltas{}
		pb.Queue(sq.upsertDirect, ts, t.run).QueryRow(func(r pgx.Row) error {
			var users, values []string
			var starts []time.Time
			var ends, oldEnds []*time.Time
			var oldValues []*string
			if err := r.Scan(&st.Inserted, &st.Updated, &users, &starts, &ends, &values, &oldEnds, &oldValues); err != nil {
				return err
			}
			rollupChanged(deltas, users, starts, ends, values, oldEnds, oldValues)
			return nil
		})
	}
	if pb.Len() > 0 {
		if err := t.tx.SendBatch(ctx, pb).Close(); err != nil {
			return fmt.Errorf("merge: %w", err)
		}
	}
	if deltas != nil {
		if err := t.applyRollup(ctx, tb, deltas); err != nil {
			return err
		}
	}
	mergeDur := time.Since(mergeStart)
	st.Unchanged = max(0, int64(b.units)-st.Inserted-st.Updated)
	agg := t.stats[tb.statsName()]
	agg.Inserted += st.Inserted
	agg.Updated += st.Updated
	agg.Unchanged += st.Unchanged
	agg.Deleted += st.Deleted
	t.stats[tb.statsName()] = agg
	t.l.log.Debug("batch merged", "pipeline", t.stream.Pipeline, "stream", t.stream.Name, "table", tb.name, "batch", t.batches,
		"rows", n, "inserted", st.Inserted, "updated", st.Updated, "deleted", st.Deleted,
		"copy_ms", copyDur.Milliseconds(), "merge_ms", mergeDur.Milliseconds())
	return nil
}

// mergeChanged merges the staged batch of an entity or child table into
// the current rows and their history: it upserts the rows that are new or
// differ, and queues on b the history updates and, for a child table, the
// removal of the owners' rows missing from the batch.
func (t *Tx) mergeChanged(ctx context.Context, tb *table, sq sqlText, ownerList []string, ts time.Time, st *TableStats, b *pgx.Batch) error {
	// Candidates first (reads only): an unchanged batch writes nothing,
	// a first load closes no history. The upsert then decides under
	// row locks what it really wrote.
	tag, err := t.tx.Exec(ctx, sq.findChanged)
	if err != nil {
		return fmt.Errorf("find changes: %w", err)
	}
	if tag.RowsAffected() > 0 {
		ub := &pgx.Batch{}
		ub.Queue(sq.upsertFromCh, ts, t.run)
		ub.Queue(sq.countChanged).QueryRow(func(r pgx.Row) error { return r.Scan(&st.Inserted, &st.Updated) })
		if err := t.tx.SendBatch(ctx, ub).Close(); err != nil {
			return fmt.Errorf("upsert: %w", err)
		}
	}
	if tb.history != "" && st.Updated > 0 {
		// Without statistics the planner hash-joins the temporary table
		// against the whole history; with them it probes the index of
		// open versions for the changed keys.
		b.Queue(sq.analyzeChg)
		b.Queue(sq.closeHistory, ts)
	}
	if tb.history != "" && st.Inserted+st.Updated > 0 {
		b.Queue(sq.openHistory, ts, t.run)
	}
	if tb.kind == child {
		args := []any{ownerList}
		if tb.history != "" {
			args = append(args, ts)
		}
		b.Queue(sq.removeOwned, args...).QueryRow(func(r pgx.Row) error { return r.Scan(&st.Deleted) })
	}
	return nil
}

// insertFresh is the fast path of entity and child tables: a staged batch
// whose keys (entity) or owners (child) have no rows yet — a first load, new
// users — is inserted straight into the table and its history, with no
// change detection. It returns how many rows it inserted and whether that
// finished the batch; when it did not (a key repeats in the batch, rows
// exist, or a concurrent Tx inserted some of the keys meanwhile) the merge
// runs over the whole batch and finds the rows inserted here unchanged.
func (t *Tx) insertFresh(ctx context.Context, tb *table, sq sqlText, n int, src *copySource, ownerList []string, ts time.Time) (int64, bool, error) {
	if n == 0 || src.dup {
		return 0, false, nil
	}
	var args []any
	if tb.kind == child {
		args = []any{ownerList}
	}
	var exists bool
	if err := t.tx.QueryRow(ctx, sq.stageExists, args...).Scan(&exists); err != nil {
		return 0, false, fmt.Errorf("look up keys: %w", err)
	}
	if exists {
		return 0, false, nil
	}
	var inserted int64
	if err := t.tx.QueryRow(ctx, sq.insertFresh, ts, t.run).Scan(&inserted); err != nil {
		return 0, false, fmt.Errorf("insert new rows: %w", err)
	}
	if inserted < int64(n) {
		return inserted, false, nil
	}
	if tb.kind == child {
		// A concurrent Tx may have committed other rows of these owners
		// since the look-up: the merge removes them.
		var owned int64
		if err := t.tx.QueryRow(ctx, sq.countOwned, ownerList).Scan(&owned); err != nil {
			return inserted, false, fmt.Errorf("count owned rows: %w", err)
		}
		if owned != inserted {
			return inserted, false, nil
		}
	}
	return inserted, true, nil
}

// copySource feeds a batch to CopyFrom one row at a time through one reused
// value slice (pgx encodes each row before asking for the next), so a batch
// costs no per-row allocation beyond boxing its values.
type copySource struct {
	n, i, data int
	row        []any
	fill       func(int, []any)
	hash       bool // append rowHash of the data after it
	tail       int  // the data from tail on is hashed only when one of its values is not NULL
	buf        []byte
	ownerIdx   int
	owners     map[string]struct{}
	// keyIdx, when set, are the key columns in row: dup reports whether a
	// key repeats in the batch.
	keyIdx []int
	keys   *keySet
	dup    bool
}

func (c *copySource) Next() bool {
	if c.i >= c.n {
		return false
	}
	clear(c.row)
	c.row[0] = int32(c.i)
	c.fill(c.i, c.row[1:1+c.data])
	if c.hash {
		n := c.data
		if c.tail < n && allNil(c.row[1+c.tail:1+c.data]) {
			n = c.tail // see table.appended
		}
		var h [16]byte
		h, c.buf = rowHash(c.buf, c.row[1:1+n])
		c.row[1+c.data] = h
	}
	if c.ownerIdx >= 0 {
		if o, ok := c.row[c.ownerIdx].(string); ok {
			c.owners[o] = struct{}{}
		}
	}
	if c.keyIdx != nil && !c.dup {
		c.trackKey()
	}
	c.i++
	return true
}

// trackKey records the key of the current row and sets dup when it was
// seen before. A NULL key counts as a repeat: the merge reports it.
func (c *copySource) trackKey() {
	for _, i := range c.keyIdx {
		switch k := c.row[i].(type) {
		case string:
			c.keys.text(k)
		case time.Time:
			c.keys.time(k)
		default:
			c.keys.h.Reset()
			c.dup = true
			return
		}
	}
	c.dup = c.keys.repeated()
}

// keySet tells whether a batch repeats a key: feed one key's values with
// text and time, then ask repeated. Keys are kept as 64-bit hashes, so a
// batch costs no allocation per row; a hash collision reads as a repeat,
// which only sends the batch the slower way (the merge), never wrongly.
type keySet struct {
	h    maphash.Hash
	m    map[uint64]struct{}
	tbuf [8]byte
}

func newKeySet(n int) *keySet {
	k := &keySet{m: make(map[uint64]struct{}, n)}
	k.h.SetSeed(keySeed)
	return k
}

var keySeed = maphash.MakeSeed()

func (k *keySet) text(s string) {
	k.h.WriteString(s)
	k.h.WriteByte(0) // text cannot hold NUL: "ab","c" and "a","bc" differ
}

func (k *keySet) time(t time.Time) {
	binary.BigEndian.PutUint64(k.tbuf[:], uint64(t.UnixMicro()))
	k.h.Write(k.tbuf[:])
}

// repeated ends the current key and reports whether it was seen before.
func (k *keySet) repeated() bool {
	v := k.h.Sum64()
	k.h.Reset()
	if _, ok := k.m[v]; ok {
		return true
	}
	k.m[v] = struct{}{}
	return false
}

// allNil reports whether every value is NULL.
func allNil(vals []any) bool {
	for _, v := range vals {
		if v != nil {
			return false
		}
	}
	return true
}

func (c *copySource) Values() ([]any, error) { return c.row, nil }
func (c *copySource) Err() error             { return nil }

// ensureStaging creates the temporary tables of tb on its first batch in
// this transaction and reports whether it did.
func (t *Tx) ensureStaging(ctx context.Context, tb *table, sq sqlText) (bool, error) {
	if t.created[tb.id()] {
		return false, nil
	}
	ddl := []string{sq.createStage}
	if sq.createChg != "" {
		ddl = append(ddl, sq.createChg)
	}
	if t.stream.Snapshot && sq.createSeen != "" {
		ddl = append(ddl, sq.createSeen)
	}
	for _, stmt := range ddl {
		if _, err := t.tx.Exec(ctx, stmt); err != nil {
			return false, fmt.Errorf("create staging: %w", err)
		}
	}
	t.created[tb.id()] = true
	t.touched = append(t.touched, tb)
	return true, nil
}

// insertNew is the fast path of segment tables: when no key of the batch
// exists yet and none repeats within it (a window loaded for the first
// time), the batch is copied straight into the table, with no staging and no
// merge. It reports false, having written nothing, when the batch needs the
// merge. Keys later than the table's latest time need no check; others cost
// one index probe each. A concurrent writer inserting the same keys in
// between makes the COPY, and so the Tx, fail: one writer per analytics
// stream (the next run reloads the window). Entities never take this path:
// concurrent loads of the same users or reference data must both succeed.
func (t *Tx) insertNew(ctx context.Context, tb *table, sq sqlText, n int, fill func(int, []any), ts time.Time) (bool, error) {
	keysStart := time.Now()
	keyIdx := make([]int, len(tb.key))
	for i, k := range tb.key {
		keyIdx[i] = tb.colIndex(k)
	}
	texts := make([][]string, len(tb.key))
	times := make([][]time.Time, len(tb.key))
	seen := newKeySet(n)
	row := make([]any, len(tb.cols))
	// The rollup's differences, for a table with one: the closed segments'
	// parts (all are new if the batch goes in here).
	var deltas rollupDeltas
	var userIdx, startIdx, endIdx, valueIdx int
	if tb.rollup != "" {
		deltas = rollupDeltas{}
		userIdx, startIdx, endIdx, valueIdx = tb.colIndex("user_id"), tb.colIndex("start_time"), tb.colIndex("end_time"), tb.colIndex(tb.rollupValue)
	}
	for i := range n {
		clear(row)
		fill(i, row)
		if deltas != nil {
			if end, ok := row[endIdx].(time.Time); ok {
				user, _ := row[userIdx].(string)
				start, _ := row[startIdx].(time.Time)
				value, _ := row[valueIdx].(string)
				deltas.add(user, value, start, end, 1)
			}
		}
		for j, ci := range keyIdx {
			switch v := row[ci].(type) {
			case string:
				if texts[j] == nil {
					texts[j] = make([]string, 0, n)
				}
				texts[j] = append(texts[j], v)
				seen.text(v)
			case time.Time:
				if times[j] == nil {
					times[j] = make([]time.Time, 0, n)
				}
				times[j] = append(times[j], v)
				seen.time(v)
			default:
				return false, nil // a NULL key: let the merge report it
			}
		}
		if seen.repeated() {
			return false, nil
		}
	}
	args := make([]any, len(tb.key))
	for j := range tb.key {
		if texts[j] != nil {
			args[j] = texts[j]
		} else {
			args[j] = times[j]
		}
	}
	checkStart := time.Now()
	probe, err := t.keysToProbe(ctx, tb, sq, args, texts, times)
	if err != nil {
		return false, err
	}
	if probe != nil {
		var exists bool
		if err := t.tx.QueryRow(ctx, sq.anyExisting, probe...).Scan(&exists); err != nil {
			return false, fmt.Errorf("look up keys: %w", err)
		}
		if exists {
			return false, nil
		}
	}
	checkDur := time.Since(checkStart)
	copyStart := time.Now()
	cols := append(tb.colNames(), "first_seen_at", "updated_at", "updated_run")
	src := &directSource{n: n, fill: fill, row: make([]any, len(cols)), data: len(tb.cols), extra: []any{ts, ts, t.run}}
	if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{t.l.schema, tb.name}, cols, src); err != nil {
		return false, fmt.Errorf("copy: %w", err)
	}
	if deltas != nil {
		if err := t.applyRollup(ctx, tb, deltas); err != nil {
			return false, err
		}
	}
	t.l.log.Debug("batch inserted", "pipeline", t.stream.Pipeline, "stream", t.stream.Name, "table", tb.name, "batch", t.batches, "rows", n,
		"keys_ms", checkStart.Sub(keysStart).Milliseconds(), "check_ms", checkDur.Milliseconds(), "copy_ms", time.Since(copyStart).Milliseconds())
	return true, nil
}

// keysToProbe narrows the keys insertNew must look up. Segment tables are
// keyed by time first, so keys later than the table's latest time cannot
// exist: a window newer than everything loaded (the usual case) needs no
// probe at all. It returns nil when nothing needs probing.
func (t *Tx) keysToProbe(ctx context.Context, tb *table, sq sqlText, args []any, texts [][]string, times [][]time.Time) ([]any, error) {
	if tb.kind != segment || times[0] == nil {
		return args, nil
	}
	var latest *time.Time
	if err := t.tx.QueryRow(ctx, sq.maxLeadKey).Scan(&latest); err != nil {
		return nil, fmt.Errorf("latest key: %w", err)
	}
	if latest == nil {
		return nil, nil // empty table
	}
	var keep []int
	for i, v := range times[0] {
		if !v.Truncate(time.Microsecond).After(*latest) {
			keep = append(keep, i)
		}
	}
	if len(keep) == 0 {
		return nil, nil
	}
	probe := make([]any, len(args))
	for j := range args {
		if texts[j] != nil {
			sub := make([]string, len(keep))
			for k, i := range keep {
				sub[k] = texts[j][i]
			}
			probe[j] = sub
		} else {
			sub := make([]time.Time, len(keep))
			for k, i := range keep {
				sub[k] = times[j][i]
			}
			probe[j] = sub
		}
	}
	return probe, nil
}

// directSource feeds new rows straight into their table: the data columns
// from fill, then the bookkeeping columns.
type directSource struct {
	n, i, data int
	row        []any
	fill       func(int, []any)
	extra      []any
}

func (c *directSource) Next() bool {
	if c.i >= c.n {
		return false
	}
	clear(c.row)
	c.fill(c.i, c.row[:c.data])
	copy(c.row[c.data:], c.extra)
	c.i++
	return true
}

func (c *directSource) Values() ([]any, error) { return c.row, nil }
func (c *directSource) Err() error             { return nil }
