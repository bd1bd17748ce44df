package load

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// ensurePartitions creates, in the Tx, the month partitions the batch's rows
// fall in and the month after the last of them (ahead of the next load),
// through ensure_month_partition (migration 00009), which does nothing for a
// month that exists. A month is checked once per Tx.
//
// In the Tx rather than on a connection of its own: a Tx waiting for another
// pool connection could wait forever on a small pool whose connections all
// hold Txs waiting likewise, and a rolled-back Tx leaves no empty month
// behind. ATTACH PARTITION holds a SHARE UPDATE EXCLUSIVE lock on the parent
// until the Tx ends, which BI queries and loads of other months do not
// wait for; retention (DROP TABLE of an old month) and another Tx adding a
// month to the same table do.
func (t *Tx) ensurePartitions(ctx context.Context, sq sqlText, n int, month func(int) time.Time) error {
	var need []time.Time
	var last time.Time
	add := func(m time.Time) {
		key := sq.relName + " " + m.Format("2006-01")
		if !t.parts[key] && !slices.ContainsFunc(need, m.Equal) {
			need = append(need, m)
		}
	}
	for i := range n {
		m := monthOf(month(i))
		if m.After(last) {
			last = m
		}
		add(m)
	}
	add(last.AddDate(0, 1, 0))
	if len(need) == 0 {
		return nil
	}
	if _, err := t.tx.Exec(ctx, sq.ensureParts, sq.relName, need); err != nil {
		return fmt.Errorf("create month partitions: %w", err)
	}
	for _, m := range need {
		t.parts[sq.relName+" "+m.Format("2006-01")] = true
	}
	return nil
}

// monthOf is the first day of t's UTC month, at midnight UTC.
func monthOf(t time.Time) time.Time {
	y, m, _ := t.UTC().Date()
	return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC)
}
