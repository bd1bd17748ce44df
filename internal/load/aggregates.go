package load

import (
	"cmp"
	"fmt"
	"slices"
	"time"
)

// Aggregates are stored packed (user_aggregate_days): the API's rows, one
// per user, bucket, metric and qualifier, repeat the user id, the
// granularity, the metric and qualifier names and a wide key for every
// statistic, about 58 KB a user-day at PT30M. Packed one row per user, UTC
// day of the bucket start and granularity, with the day's entries in
// parallel arrays, the names and key are stored once a day and Postgres
// compresses the row (it passes the 2 KB TOAST threshold): 2.3 KB a
// user-day, with every value kept (the view user_aggregates gives back the
// rows as loaded). BenchmarkWarehouse measures both.

// aggregateDay is one row of user_aggregate_days: the entries of one user,
// UTC day and granularity, ordered by interval start, metric and qualifier
// (bytewise), one element each in every slice.
type aggregateDay struct {
	UserID      string
	Day         time.Time // UTC midnight
	Granularity string
	Starts      []time.Time
	Ends        []time.Time
	Metrics     []string
	Qualifiers  []string
	Sums        []*float64
	Counts      []*int64
	Mins        []*float64
	Maxes       []*float64
}

// packAggregates packs rows into days, in key order. A row repeating the
// user, interval start, granularity, metric and qualifier of an earlier one
// replaces it (two overlapping windows in one batch: the later wins, as for
// segments). It returns the days and how many entries they hold, or what
// makes a row unstorable.
func packAggregates(rows []AggregateRow) ([]aggregateDay, int, error) {
	idx := make([]int, len(rows))
	for i := range idx {
		idx[i] = i
	}
	// Times are compared as Postgres stores them, to the microsecond.
	start := func(i int) time.Time { return rows[i].IntervalStart.Truncate(time.Microsecond) }
	slices.SortStableFunc(idx, func(a, b int) int {
		ra, rb := &rows[a], &rows[b]
		sa, sb := start(a), start(b)
		return cmp.Or(
			utcDay(sa).Compare(utcDay(sb)),
			cmp.Compare(ra.UserID, rb.UserID),
			cmp.Compare(ra.Granularity, rb.Granularity),
			sa.Compare(sb),
			cmp.Compare(ra.Metric, rb.Metric),
			cmp.Compare(ra.Qualifier, rb.Qualifier),
		)
	})
	var days []aggregateDay
	entries := 0
	for k, i := range idx {
		r := &rows[i]
		if k+1 < len(idx) {
			// A later row with the same entry key (sorted next, stably) wins.
			n := &rows[idx[k+1]]
			if n.UserID == r.UserID && n.Granularity == r.Granularity && n.Metric == r.Metric && n.Qualifier == r.Qualifier &&
				start(idx[k+1]).Equal(start(i)) {
				continue
			}
		}
		if r.UserID == "" {
			return nil, 0, fmt.Errorf("an aggregate row without a user id (interval %s)", r.IntervalStart.UTC().Format(time.RFC3339))
		}
		s, e := start(i), r.IntervalEnd.Truncate(time.Microsecond)
		if !e.After(s) {
			return nil, 0, fmt.Errorf("aggregate of user %s: interval %s/%s ends before it starts", r.UserID,
				s.UTC().Format(time.RFC3339Nano), e.UTC().Format(time.RFC3339Nano))
		}
		day := utcDay(s)
		if n := len(days); n == 0 || days[n-1].UserID != r.UserID || days[n-1].Granularity != r.Granularity || !days[n-1].Day.Equal(day) {
			days = append(days, aggregateDay{UserID: r.UserID, Day: day, Granularity: r.Granularity})
		}
		d := &days[len(days)-1]
		d.Starts = append(d.Starts, s)
		d.Ends = append(d.Ends, e)
		d.Metrics = append(d.Metrics, r.Metric)
		d.Qualifiers = append(d.Qualifiers, r.Qualifier)
		d.Sums = append(d.Sums, r.Sum)
		d.Counts = append(d.Counts, r.Count)
		d.Mins = append(d.Mins, r.Min)
		d.Maxes = append(d.Maxes, r.Max)
		entries++
	}
	return days, entries, nil
}

// utcDay is midnight UTC of t's UTC day.
func utcDay(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}
