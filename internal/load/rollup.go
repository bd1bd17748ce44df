package load

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
)

// Daily rollups (migration 00011). A segment table declared with a rollup
// has its closed segments summed per user, UTC day and value (the system
// presence, the routing status) into that table, the storage of
// presence_days_between and routing_status_days_between: a month of a whole
// org is then one month partition read as stored instead of a million
// segments split into days.
//
// The rollup is kept by difference, in the Tx that writes the segments, batch
// by batch: a closed segment inserted adds its parts (one per UTC day it
// covers, split at midnight) to the rows of its user, days and value; a
// segment changed subtracts the parts it had, if it was closed, and adds its
// new ones (an open segment has none: presence_days_between adds the open
// segments up to now() when it runs, as presence_daily does). The upsert of
// a changed segment returns its old end and value: its statement reads the
// table as it was before (one snapshot per statement). A part is its length
// in whole microseconds (Postgres's precision, as presence_daily_between
// rounds each part) and one segment, so sums and differences are exact
// integers and the rollup always equals presence_daily_between's answer for
// the closed segments; a row whose count falls to zero is deleted.
// Reloading segments that did not change writes no rollup row. A batch's
// differences cost one statement (arrays, upserted in key order), and rows of
// days after the rollup's latest (a window newer than everything loaded) are
// copied straight in: far less than recomputing the days from the segments
// at Commit, which was tried first and cost 30 to 60 % of the load of the
// same window.
//
// Like the segment upserts they follow, the differences assume one writer
// per analytics stream: a concurrent Tx changing the same segment could make
// the old values read stale.

// rollupKey is one row of a rollup.
type rollupKey struct {
	user  string
	day   time.Time // UTC midnight
	value string
}

// rollupDelta is what a batch adds to one rollup row.
type rollupDelta struct {
	us int64 // microseconds
	n  int64 // segments (parts)
}

// rollupDeltas collects the differences of one batch.
type rollupDeltas map[rollupKey]rollupDelta

// add adds sign (1 or -1) times the parts of the closed segment [st, en] to
// d, exactly as presence_daily splits it: one part per UTC day from the
// day of st through the day before en (the day of en too unless en is
// midnight), a zero-length segment one part of no time in its day.
func (d rollupDeltas) add(user, value string, st, en time.Time, sign int64) {
	st, en = st.UTC().Truncate(time.Microsecond), en.UTC().Truncate(time.Microsecond)
	for day := utcDay(st); day.Before(en) || (day.Equal(utcDay(st)) && st.Equal(en)); day = day.AddDate(0, 0, 1) {
		from, to := st, en
		if day.After(from) {
			from = day
		}
		if next := day.AddDate(0, 0, 1); next.Before(to) {
			to = next
		}
		k := rollupKey{user, day, value}
		v := d[k]
		v.us += sign * to.Sub(from).Microseconds()
		v.n += sign
		d[k] = v
	}
}

// rollupSQL sets the statements of the rollup of the segment table t:
// upsertDirect, the segments' upsert, also returns the old and new end and
// value of every segment it inserted or changed; rollupApply adds arrays of
// differences to the rollup ($1 users, $2 days, $3 values, $4 microseconds,
// $5 segments), and rollupPrune deletes those of the rows given ($1 users,
// $2 days, $3 values) left with no segment.
func rollupSQL(s *sqlText, t *table, q, ident func(string) string, upsertCols, key, sets, cmpOld, cmpNew, dedup string) {
	target, days, v := q(t.name), q(t.rollup), ident(t.rollupValue)
	s.rollupRel = days
	s.upsertDirect = fmt.Sprintf(`WITH up AS (
INSERT INTO %[1]s AS t (%[2]s, first_seen_at, updated_at, updated_run)
SELECT %[2]s, $1, $1, $2 FROM (%[3]s) s
ON CONFLICT (%[4]s) DO UPDATE SET %[5]s
WHERE (%[6]s) IS DISTINCT FROM (%[7]s)
RETURNING t.first_seen_at = $1 AS inserted, t.user_id AS u, t.start_time AS st, t.end_time AS en, t.%[8]s AS v
), c AS (
SELECT up.u, up.st, up.en, up.v, o.end_time AS old_en, o.%[8]s AS old_v
FROM up LEFT JOIN LATERAL (SELECT o.end_time, o.%[8]s FROM %[1]s o WHERE o.start_time = up.st AND o.user_id = up.u LIMIT 1) o ON true
WHERE up.en IS NOT NULL OR o.end_time IS NOT NULL
)
SELECT (SELECT count(*) FROM up WHERE inserted), (SELECT count(*) FROM up WHERE NOT inserted),
       coalesce(array_agg(u), '{}'), coalesce(array_agg(st), '{}'), coalesce(array_agg(en), '{}'), coalesce(array_agg(v), '{}'),
       coalesce(array_agg(old_en), '{}'), coalesce(array_agg(old_v), '{}') FROM c`,
		target, upsertCols, dedup, key, sets, cmpOld, cmpNew, v)
	s.rollupApply = fmt.Sprintf(`INSERT INTO %[1]s AS d (user_id, day, %[2]s, microseconds, segments)
SELECT * FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[], $5::integer[])
ON CONFLICT (user_id, day, %[2]s) DO UPDATE SET microseconds = d.microseconds + EXCLUDED.microseconds, segments = d.segments + EXCLUDED.segments`, days, v)
	s.rollupLatest = "SELECT max(day) FROM " + days
	// A statement of its own: a statement cannot see the rows it updated.
	s.rollupPrune = fmt.Sprintf(`DELETE FROM %[1]s d USING unnest($1::text[], $2::date[], $3::text[]) k(user_id, day, v)
WHERE d.user_id = k.user_id AND d.day = k.day AND d.%[2]s = k.v AND d.segments <= 0`, days, v)
}

// rollupChanged adds to d the differences of the segments an upsert
// returned: their new parts, less their old ones.
func rollupChanged(d rollupDeltas, users []string, starts []time.Time, ends []*time.Time, values []string, oldEnds []*time.Time, oldValues []*string) {
	for i, u := range users {
		if ends[i] != nil {
			d.add(u, values[i], starts[i], *ends[i], 1)
		}
		if oldEnds[i] != nil && oldValues[i] != nil {
			d.add(u, *oldValues[i], starts[i], *oldEnds[i], -1)
		}
	}
}

// applyRollup writes the differences d of a batch of tb into its rollup, in
// key order, creating the months they fall in first.
func (t *Tx) applyRollup(ctx context.Context, tb *table, d rollupDeltas) error {
	start := time.Now()
	var keys, gone []rollupKey
	for k, v := range d {
		if v.us == 0 && v.n == 0 {
			continue
		}
		keys = append(keys, k)
		if v.n < 0 {
			gone = append(gone, k)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	defer func() {
		t.l.log.Debug("rollup updated", "pipeline", t.stream.Pipeline, "stream", t.stream.Name, "table", tb.rollup, "batch", t.batches,
			"rows", len(keys), "rollup_ms", time.Since(start).Milliseconds())
	}()
	slices.SortFunc(keys, func(a, b rollupKey) int {
		return cmp.Or(cmp.Compare(a.user, b.user), a.day.Compare(b.day), cmp.Compare(a.value, b.value))
	})
	sq := t.l.sql[tb]
	parts := sqlText{relName: sq.rollupRel, ensureParts: sq.ensureParts}
	if err := t.ensurePartitions(ctx, parts, len(keys), func(i int) time.Time { return keys[i].day }); err != nil {
		return fmt.Errorf("%s: %w", tb.rollup, err)
	}
	// Rows of days after the rollup's latest cannot exist yet (the usual
	// case for a window newer than everything loaded): they are copied
	// straight in, the others added to the stored rows.
	var latest *time.Time
	if err := t.tx.QueryRow(ctx, sq.rollupLatest).Scan(&latest); err != nil {
		return fmt.Errorf("%s: latest day: %w", tb.rollup, err)
	}
	var fresh [][]any
	users, days, values := make([]string, 0, len(keys)), make([]time.Time, 0, len(keys)), make([]string, 0, len(keys))
	var us []int64
	var n []int32
	for _, k := range keys {
		v := d[k]
		if v.n > 0 && (latest == nil || k.day.After(*latest)) {
			fresh = append(fresh, []any{k.user, k.day, k.value, v.us, int32(v.n)})
			continue
		}
		users, days, values = append(users, k.user), append(days, k.day), append(values, k.value)
		us, n = append(us, v.us), append(n, int32(v.n))
	}
	if len(fresh) > 0 {
		if _, err := t.tx.CopyFrom(ctx, pgx.Identifier{t.l.schema, tb.rollup}, []string{"user_id", "day", tb.rollupValue, "microseconds", "segments"},
			pgx.CopyFromRows(fresh)); err != nil {
			return fmt.Errorf("%s: copy: %w", tb.rollup, err)
		}
	}
	if len(users) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	b.Queue(sq.rollupApply, users, days, values, us, n)
	if len(gone) > 0 {
		// Only the rows a batch takes segments from can be left with none.
		pu, pd, pv := make([]string, len(gone)), make([]time.Time, len(gone)), make([]string, len(gone))
		for i, k := range gone {
			pu[i], pd[i], pv[i] = k.user, k.day, k.value
		}
		b.Queue(sq.rollupPrune, pu, pd, pv)
	}
	if err := t.tx.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("%s: %w", tb.rollup, err)
	}
	return nil
}
