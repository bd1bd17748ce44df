package load

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Daily rollups (migration 00011). A segment table declared with a rollup
// has its closed segments summed per user, UTC day and value into that
// table, the storage of presence_days_between (and its routing twin), so that
// a month of a whole org is one month partition read as stored instead of a
// million segments split into days.
//
// The Tx keeps, per rollup and user, the span of UTC days its inserted and
// changed segments cover: a new closed segment, every day from its start to
// its end; a changed one, those of its old and new ends. At Commit, before
// the watermark, it recomputes the rollup rows of those users and days from
// the segments as stored (the Tx's own included), writes only the rows whose
// values differ and deletes the rows of days left with no closed segment:
// reloading a window that changed nothing costs no rollup write at all. Open
// segments are never stored in the rollup; presence_days_between adds them
// up to now() when it runs, as presence_daily does.
//
// The recomputation is set-based, a few thousand users per statement: each
// user's segments of the span are read by the user index (segments started
// from the day before the span) and the long-segment index (older segments
// longer than a day still running into it), split at midnight and summed
// exactly as presence_daily_between does.

// rollupChunk is how many users one recomputation statement takes.
const rollupChunk = 2_000

// daySpan is the first and last UTC day (midnight UTC) a user's changed
// segments cover.
type daySpan struct{ from, to time.Time }

// addSpan widens the span of user in rollup tb to [from, to] (times; their
// UTC days are kept).
func (t *Tx) addSpan(tb *table, user string, from, to time.Time) {
	m := t.spans[tb]
	if m == nil {
		m = map[string]daySpan{}
		t.spans[tb] = m
	}
	f, l := utcDay(from), utcDay(to)
	if s, ok := m[user]; ok {
		if s.from.Before(f) {
			f = s.from
		}
		if s.to.After(l) {
			l = s.to
		}
	}
	m[user] = daySpan{f, l}
}

// rollupSQL builds the statements of the rollup of a segment table t:
// spans is its upsert returning, besides the counts, the span of changed
// segments per user; recompute rewrites the rollup rows of users and day
// spans.
func rollupSQL(s *sqlText, t *table, q, ident func(string) string, upsertCols, key, sets, cmpOld, cmpNew, dedup string) {
	target, days, v := q(t.name), q(t.rollup), ident(t.rollupValue)
	s.rollupRel = days
	// The main query reads the table as it was before the upsert (one
	// snapshot for the whole statement): o.end_time is the old end of an
	// updated segment.
	s.upsertDirect = fmt.Sprintf(`WITH up AS (
INSERT INTO %[1]s AS t (%[2]s, first_seen_at, updated_at, updated_run)
SELECT %[2]s, $1, $1, $2 FROM (%[3]s) s
ON CONFLICT (%[4]s) DO UPDATE SET %[5]s
WHERE (%[6]s) IS DISTINCT FROM (%[7]s)
RETURNING t.first_seen_at = $1 AS inserted, t.user_id AS u, t.start_time AS st, t.end_time AS en
), sp AS (
SELECT up.u, min(up.st) AS lo, max(greatest(coalesce(up.en, up.st), coalesce(o.end_time, up.st))) AS hi
FROM up LEFT JOIN LATERAL (SELECT o.end_time FROM %[1]s o WHERE o.start_time = up.st AND o.user_id = up.u LIMIT 1) o ON true
WHERE up.en IS NOT NULL OR o.end_time IS NOT NULL
GROUP BY up.u
)
SELECT (SELECT count(*) FROM up WHERE inserted), (SELECT count(*) FROM up WHERE NOT inserted),
       coalesce(array_agg(u), '{}'), coalesce(array_agg(lo), '{}'), coalesce(array_agg(hi), '{}') FROM sp`,
		target, upsertCols, dedup, key, sets, cmpOld, cmpNew)

	// $1 users, $2 first days, $3 last days (one span per user); $4 the
	// earliest first day, $5 the latest day before a first day: bounds of
	// the long segments to read, $6 and $7 the earliest and latest days:
	// the rollup months to visit.
	part := `(date_part('epoch', least(en, day + interval '1 day') - greatest(st, day)) * 1000000)::bigint`
	s.rollupRecompute = fmt.Sprintf(`WITH k AS (
  SELECT * FROM unnest($1::text[], $2::date[], $3::date[]) AS k(user_id, d1, d2)
), s AS (
  SELECT k.user_id, k.d1, k.d2, x.v, x.st, x.en
  FROM k CROSS JOIN LATERAL (
    SELECT t.%[3]s AS v, t.start_time AT TIME ZONE 'UTC' AS st, t.end_time AT TIME ZONE 'UTC' AS en FROM %[1]s t
    WHERE t.user_id = k.user_id AND t.end_time IS NOT NULL
      AND t.start_time >= (k.d1 - 1)::timestamp AT TIME ZONE 'UTC' AND t.start_time < (k.d2 + 1)::timestamp AT TIME ZONE 'UTC'
  ) x
  UNION ALL
  SELECT k.user_id, k.d1, k.d2, t.%[3]s, t.start_time AT TIME ZONE 'UTC', t.end_time AT TIME ZONE 'UTC'
  FROM %[1]s t JOIN k ON k.user_id = t.user_id
  WHERE t.end_time - t.start_time > interval '1 day' AND t.end_time > $4 AND t.start_time < $5
    AND t.start_time < (k.d1 - 1)::timestamp AT TIME ZONE 'UTC' AND t.end_time > k.d1::timestamp AT TIME ZONE 'UTC'
), n AS (
  SELECT user_id, day::date AS day, v, sum(%[4]s) AS us, count(*)::integer AS n
  FROM (
    SELECT user_id, d1, d2, v, st, en,
           generate_series(date_trunc('day', st),
                           CASE WHEN en <= date_trunc('day', st) + interval '1 day' THEN date_trunc('day', st) ELSE en END,
                           interval '1 day') AS day
    FROM s
  ) p
  WHERE (day < en OR st = en) AND day >= d1 AND day <= d2
  GROUP BY 1, 2, 3
), w AS (
  INSERT INTO %[2]s AS d (user_id, day, %[3]s, microseconds, segments)
  SELECT user_id, day, v, us, n FROM n
  ON CONFLICT (user_id, day, %[3]s) DO UPDATE SET microseconds = EXCLUDED.microseconds, segments = EXCLUDED.segments
  WHERE (d.microseconds, d.segments) IS DISTINCT FROM (EXCLUDED.microseconds, EXCLUDED.segments)
  RETURNING 1
), r AS (
  DELETE FROM %[2]s d USING k
  WHERE d.user_id = k.user_id AND d.day >= k.d1 AND d.day <= k.d2 AND d.day >= $6 AND d.day <= $7
    AND NOT EXISTS (SELECT 1 FROM n WHERE n.user_id = d.user_id AND n.day = d.day AND n.v = d.%[3]s)
  RETURNING 1
)
SELECT (SELECT count(*) FROM w), (SELECT count(*) FROM r)`, target, days, v, part)
}

// addSpans widens the spans of a rollup from the arrays an upsert returned.
func (t *Tx) addSpans(tb *table, users []string, lo, hi []time.Time) {
	for i, u := range users {
		t.addSpan(tb, u, lo[i], hi[i])
	}
}

// flushRollups recomputes the rollup rows of the spans the Tx collected
// (see the comment at the top of this file).
func (t *Tx) flushRollups(ctx context.Context) error {
	for _, tb := range t.touched {
		spans := t.spans[tb]
		if tb.rollup == "" || len(spans) == 0 {
			continue
		}
		start := time.Now()
		sq := t.l.sql[tb]
		users := make([]string, 0, len(spans))
		for u := range spans {
			users = append(users, u)
		}
		slices.Sort(users)
		var months []time.Time
		for _, s := range spans {
			for m := monthOf(s.from); !m.After(s.to); m = m.AddDate(0, 1, 0) {
				if !slices.ContainsFunc(months, m.Equal) {
					months = append(months, m)
				}
			}
		}
		parts := sqlText{relName: sq.rollupRel, ensureParts: sq.ensureParts}
		if err := t.ensurePartitions(ctx, parts, len(months), func(i int) time.Time { return months[i] }); err != nil {
			return fmt.Errorf("%s: %w", tb.rollup, err)
		}
		var written, deleted int64
		for c := range slices.Chunk(users, rollupChunk) {
			from, to := make([]time.Time, len(c)), make([]time.Time, len(c))
			first, lastFrom, last := spans[c[0]].from, spans[c[0]].from, spans[c[0]].to
			for i, u := range c {
				s := spans[u]
				from[i], to[i] = s.from, s.to
				if s.from.Before(first) {
					first = s.from
				}
				if s.from.After(lastFrom) {
					lastFrom = s.from
				}
				if s.to.After(last) {
					last = s.to
				}
			}
			// Days travel as midnight UTC (pgx writes a time's calendar day
			// in its own location as a date).
			var w, d int64
			if err := t.tx.QueryRow(ctx, sq.rollupRecompute, c, from, to, first, lastFrom.AddDate(0, 0, -1), first, last).Scan(&w, &d); err != nil {
				return fmt.Errorf("recompute %s: %w", tb.rollup, err)
			}
			written += w
			deleted += d
		}
		t.l.log.Debug("rollup recomputed", "pipeline", t.stream.Pipeline, "stream", t.stream.Name, "table", tb.rollup,
			"users", len(users), "written", written, "deleted", deleted, "rollup_ms", time.Since(start).Milliseconds())
		delete(t.spans, tb)
	}
	return nil
}
