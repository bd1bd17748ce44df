package pipeline

import (
	"context"
	"fmt"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamQueues reads every queue membership, joined and not joined, by the
// cheaper of two strategies.
const StreamQueues = "queues"

func init() {
	Register(Spec{
		Name:  StreamQueues,
		Order: 30,
		Reads: fmt.Sprintf("memberships, joined and not joined, by the cheaper strategy, decided per run: "+
			"queue side (`/routing/queues/{id}/members`, Σ⌈members/%d⌉) or per user (2 calls per user)", genesys.MaxQueueMembersPageSize),
		Cost:   "usually the queue side",
		Tables: []string{"user_queues"},
		// Not After users: the memberships are read while users load, and
		// only the per-user strategy waits for the user ids.
		After:  []string{StreamReference},
		Awaits: []string{StreamUsers},
		Estimate: func(s Sizes, cfg ForwardConfig) (int64, bool) {
			if s.Reference == nil {
				return 0, false
			}
			c := extract.EstimateQueueCosts(memberCounts(s.Reference.Queues), s.Holders())
			switch {
			case cfg.QueueStrategy == QueueStrategyQueue:
				return int64(c.QueueSide), true
			case s.Users == nil:
				return 0, false
			case cfg.QueueStrategy == QueueStrategyPerUser || c.Cheaper() == extract.PerUser:
				return int64(c.PerUser), true
			}
			return int64(c.QueueSide), true
		},
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			return Stream{Snapshot: true, Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
				return nil, readQueues(ctx, api, cfg, out)
			}}, nil
		},
	})
}

// Queue memberships are merged once this many rows or owners are pending;
// the per-user strategy sends the memberships of this many users at a time.
const (
	membershipFlushRows     = 20_000
	membershipFlushOwners   = 500
	usersPerMembershipBatch = 100
)

func readQueues(ctx context.Context, api ForwardAPI, cfg ForwardConfig, out *Out) error {
	ref, err := Get(ctx, out, RefData)
	if err != nil {
		return err
	}
	strategy := cfg.QueueStrategy
	if strategy == QueueStrategyAuto {
		if strategy, err = chooseQueueStrategy(ctx, cfg, ref, out); err != nil {
			return err
		}
	}
	var ids []string
	if strategy == QueueStrategyPerUser {
		// The user ids come from the users stream of this run: wait for it.
		if !out.InRun(StreamUsers) {
			return fmt.Errorf("the per-user queue strategy needs the users stream in the same pipeline")
		}
		if ids, err = Get(ctx, out, UserIDs); err != nil {
			return fmt.Errorf("the per-user queue strategy: %w", err)
		}
	}
	// Room for a merge's worth of owners: the readers keep calling while
	// the previous rows merge, instead of stalling behind them (at 6,000
	// calls a minute, that took the 50,000-user run from 77 % of the
	// allowed rate to 98 %).
	room := membershipFlushOwners // queue side: one queue per batch
	produce := func(ctx context.Context, batches chan<- extract.MembershipBatch) error {
		return extract.QueueMembershipsByQueue(ctx, api, ref.Queues, cfg.Workers, out.Progress(), batches)
	}
	if strategy == QueueStrategyPerUser {
		room = max(cfg.Workers, membershipFlushOwners/usersPerMembershipBatch)
		produce = func(ctx context.Context, batches chan<- extract.MembershipBatch) error {
			return extract.QueueMembershipsByUser(ctx, api, ids, cfg.Workers, usersPerMembershipBatch, out.Progress(), batches)
		}
	}
	return consume(ctx, room, produce, func(ctx context.Context, batches <-chan extract.MembershipBatch) error {
		// Queue-side batches hold one queue each: merge many at once, so a
		// large org costs a few dozen merges instead of one per queue (each
		// merge probes the table, which grows inside the transaction
		// without fresh planner statistics).
		var pend extract.MembershipBatch
		flush := func() error {
			if len(pend.Owners) == 0 {
				return nil
			}
			b := pend
			pend = extract.MembershipBatch{}
			return out.Send(ctx, membershipBatch(b))
		}
		for b := range batches {
			pend.ByQueue = b.ByQueue
			pend.Owners = append(pend.Owners, b.Owners...)
			pend.Rows = append(pend.Rows, b.Rows...)
			if len(pend.Rows) >= membershipFlushRows || len(pend.Owners) >= membershipFlushOwners {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	})
}

// membershipBatch replaces the memberships of the batch's owners (queues
// or users).
func membershipBatch(b extract.MembershipBatch) Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		rows := membershipRows(b.Rows)
		replace := tx.QueueMembersByUser
		if b.ByQueue {
			replace = tx.QueueMembersByQueue
		}
		return int64(len(rows)), replace(ctx, b.Owners, rows)
	}
}

// chooseQueueStrategy decides, for one run, whether reading the memberships
// queue by queue or user by user costs fewer calls. The queue side's cost is
// known from the member counts; the per-user cost needs the number of users,
// which the users stream reports state by state from its first pages
// (UserTotals), so the memberships are read while the users are still
// loading. It waits only until the queue side is sure to be cheaper, every
// state is counted, or the users stream ended (then its exact count is
// used, when it succeeded).
func chooseQueueStrategy(ctx context.Context, cfg ForwardConfig, ref *extract.Reference, out *Out) (string, error) {
	if !out.InRun(StreamUsers) {
		return QueueStrategyQueue, nil // no user ids: per user cannot be chosen
	}
	counts := memberCounts(ref.Queues)
	queueSide := extract.EstimateQueueCosts(counts, 0).QueueSide
	users, counted := 0, 0
	// Per user costs at least two calls a user.
	sure := func() bool { return 2*users >= queueSide || counted >= len(cfg.States) }
	if !sure() {
		for t := range Updates(ctx, out, UserTotals) {
			counted++
			if t.State != genesys.StateDeleted { // deleted users hold no memberships
				users += t.Total
			}
			if sure() {
				break
			}
		}
	}
	if !sure() {
		// The users stream ended before it counted every state.
		if ctx.Err() != nil {
			return "", context.Cause(ctx)
		}
		ids, err := Get(ctx, out, UserIDs)
		if err != nil {
			return QueueStrategyQueue, nil
		}
		users = len(ids)
	}
	return string(extract.EstimateQueueCosts(counts, max(users, 1)).Cheaper()), nil
}

func memberCounts(queues []genesys.Queue) []int {
	counts := make([]int, len(queues))
	for i, q := range queues {
		counts[i] = q.MemberCount
	}
	return counts
}

// membershipRows drops members without a user id and duplicates (the
// per-user listings of joined and unjoined queues may overlap).
func membershipRows(ms []extract.Membership) []load.QueueMemberRow {
	seen := make(map[[2]string]bool, len(ms))
	rows := make([]load.QueueMemberRow, 0, len(ms))
	for _, m := range ms {
		k := [2]string{m.UserID, m.QueueID}
		if m.UserID == "" || seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, load.QueueMemberRow{UserID: m.UserID, QueueID: m.QueueID, Joined: m.Joined})
	}
	return rows
}
