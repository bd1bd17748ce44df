package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// StatusAwaitingApproval is the status of a feed run that parked its plan
// for approval (a guard tripped): it neither failed nor applied anything.
const StatusAwaitingApproval = "awaiting_approval"

// Statuses of a parked plan (plan_approvals.status).
const (
	ApprovalAwaiting   = "awaiting_approval"
	ApprovalApproved   = "approved"   // decided; its apply has not finished
	ApprovalApplied    = "applied"    // the apply ended with every operation done
	ApprovalFailed     = "failed"     // the apply ended with failed operations, or could not run
	ApprovalRejected   = "rejected"   // never applied
	ApprovalExpired    = "expired"    // not decided in time; never applied
	ApprovalSuperseded = "superseded" // a later run of the feed parked another plan
	ApprovalReplanned  = "replanned"  // stale when approved: planned again into ReplacedBy
)

// ApprovalApplying is the status a listing shows for an approved plan whose
// apply has started and not finished (its journal says applying).
const ApprovalApplying = "applying"

// Events of the approval journal (plan_approval_events.event).
const (
	EventParked     = "parked"
	EventApproved   = "approved"
	EventRejected   = "rejected"
	EventExpired    = "expired"
	EventSuperseded = "superseded"
	EventStale      = "replanned"
	EventApplied    = "applied"
	EventFailed     = "failed"
)

// PlanEntry is a plan as the approvals listing and detail show it: a parked
// plan (a row of plan_approvals, with its apply journal's status once it is
// applied), or a plan of the apply journal alone (applied by `syncer apply`
// or by a scheduled run whose guards held).
type PlanEntry struct {
	ID   string
	Feed string
	// Status is the status to show: the parked plan's (awaiting_approval
	// past its expiry shows expired; approved with its apply under way
	// shows applying), or the journal's for a plan that was never parked.
	Status string
	// Parked is true for a plan that was parked for approval.
	Parked bool
	// ApprovalStatus and JournalStatus are the recorded statuses ("" when
	// there is no such record).
	ApprovalStatus string
	JournalStatus  string
	// CreatedAt is when it was parked (or journaled); ExpiresAt is when a
	// parked plan's chance of approval ends.
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt time.Time
	Job       string
	// RunID is the run that parked it (0: none recorded).
	RunID     int64
	DecidedBy string
	DecidedAt time.Time
	Reason    string
	// Replaces is the stale approved plan this one was planned again
	// from; ReplacedBy the plan that took this one's place.
	Replaces   string
	ReplacedBy string
	// Totals is the plan's "totals" object; Tripped the guard verdicts
	// that tripped when it was parked (a JSON array).
	Totals  json.RawMessage
	Tripped json.RawMessage
	// Body is the whole plan: filled by PlanEntry, not by ListPlans.
	Body json.RawMessage
}

// ApprovalEvent is one step of a parked plan's journal.
type ApprovalEvent struct {
	At     time.Time
	Event  string
	Actor  string // "" for syncer itself
	Reason string
	Detail string
}

// Park is a plan to park for approval.
type Park struct {
	PlanID string
	Feed   string
	Job    string
	// Body is the plan; Tripped its tripped verdicts (a JSON array).
	Body    json.RawMessage
	Tripped json.RawMessage
	RunID   int64
	// TTL is how long it may await approval.
	TTL time.Duration
	// Replaces is the stale approved plan this one was planned again from.
	Replaces string
}

// ParkPlan parks a plan for approval and returns its entry as it then
// stands. In one transaction:
//
//   - a plan never parked is parked; a plan parked before that expired,
//     was superseded, failed or was replanned is parked again (a new
//     chance, a new expiry); a plan awaiting approval, approved, applied
//     or rejected is left as it is (the caller reads Status: a rejected
//     plan is never applied, an approved one is the caller's to apply);
//   - every other plan of the feed awaiting approval is superseded by it;
//   - Replaces, if set, is marked replanned into it.
func (s *Store) ParkPlan(ctx context.Context, p Park) (PlanEntry, error) {
	if p.PlanID == "" || p.Feed == "" || p.Job == "" || p.TTL <= 0 {
		return PlanEntry{}, fmt.Errorf("park plan %q: %w: plan id, feed, job and a positive TTL are required", p.PlanID, ErrInvalid)
	}
	tripped := p.Tripped
	if len(tripped) == 0 {
		tripped = json.RawMessage("[]")
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		// Serialize parkings of one feed: the partial unique index allows
		// one awaiting plan per feed, and two parkings must not both try.
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "syncer park "+s.schema+"/"+p.Feed); err != nil {
			return err
		}
		var status string
		err := tx.QueryRow(ctx, "SELECT status FROM "+s.table("plan_approvals")+" WHERE plan_id = $1 FOR UPDATE", p.PlanID).Scan(&status)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			status = ""
		case err != nil:
			return err
		}
		keep := status == ApprovalAwaiting || status == ApprovalApproved || status == ApprovalApplied || status == ApprovalRejected
		if status == ApprovalAwaiting {
			// Past its expiry it is parked again, below.
			var expired bool
			if err := tx.QueryRow(ctx, "SELECT expires_at <= now() FROM "+s.table("plan_approvals")+" WHERE plan_id = $1", p.PlanID).Scan(&expired); err != nil {
				return err
			}
			if expired {
				if err := s.expireTx(ctx, tx, p.PlanID); err != nil {
					return err
				}
				keep = false
			}
		}
		if keep {
			return nil
		}
		// Others of the feed awaiting approval give way first (one
		// awaiting plan per feed).
		if _, err := s.supersedeTx(ctx, tx, p.Feed, p.PlanID, "a later run of the feed parked "+p.PlanID+" in its place"); err != nil {
			return err
		}
		ttl := fmt.Sprintf("%d microseconds", max(p.TTL.Microseconds(), 1))
		var replaces any
		if p.Replaces != "" {
			replaces = p.Replaces
		}
		detail := "guards tripped"
		if status == "" {
			_, err = tx.Exec(ctx, "INSERT INTO "+s.table("plan_approvals")+
				` (plan_id, feed, job, body, tripped, run_id, expires_at, replaces)
				  VALUES ($1, $2, $3, $4, $5, nullif($6, 0), now() + $7::interval, $8)`,
				p.PlanID, p.Feed, p.Job, p.Body, tripped, p.RunID, ttl, replaces)
		} else {
			detail = "guards tripped; parked again (it was " + status + ")"
			_, err = tx.Exec(ctx, "UPDATE "+s.table("plan_approvals")+
				` SET status = 'awaiting_approval', feed = $2, job = $3, body = $4, tripped = $5, run_id = nullif($6, 0),
				      parked_at = now(), expires_at = now() + $7::interval, decided_by = NULL, decided_at = NULL, reason = '',
				      replaces = coalesce($8, replaces), replaced_by = NULL, updated_at = now()
				  WHERE plan_id = $1`,
				p.PlanID, p.Feed, p.Job, p.Body, tripped, p.RunID, ttl, replaces)
		}
		if err != nil {
			return err
		}
		if p.Replaces != "" && p.Replaces != p.PlanID {
			detail += "; planned again from the stale " + p.Replaces
			tag, err := tx.Exec(ctx, "UPDATE "+s.table("plan_approvals")+
				` SET status = 'replanned', replaced_by = $2, updated_at = now() WHERE plan_id = $1 AND status = 'approved'`,
				p.Replaces, p.PlanID)
			if err != nil {
				return err
			}
			if tag.RowsAffected() == 1 {
				if err := s.eventTx(ctx, tx, p.Replaces, EventStale, "", "", "stale when approved: planned again into "+p.PlanID+", parked for approval"); err != nil {
					return err
				}
			}
		}
		return s.eventTx(ctx, tx, p.PlanID, EventParked, "", "", detail)
	})
	if err != nil {
		return PlanEntry{}, fmt.Errorf("park plan %s: %w", p.PlanID, translate(err))
	}
	return s.PlanEntry(ctx, p.PlanID)
}

// SupersedeApprovals marks the plans of feed awaiting approval, other than
// by, superseded by by ("" when no plan took their place), with detail as
// the journal's reason, and returns how many it marked: a later run of the
// feed planned again, so they no longer describe what it would do.
func (s *Store) SupersedeApprovals(ctx context.Context, feed, by, detail string) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		var err error
		n, err = s.supersedeTx(ctx, tx, feed, by, detail)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("supersede the plans of %s awaiting approval: %w", feed, translate(err))
	}
	return n, nil
}

func (s *Store) supersedeTx(ctx context.Context, tx pgx.Tx, feed, by, detail string) (int, error) {
	rows, err := tx.Query(ctx, "UPDATE "+s.table("plan_approvals")+
		` SET status = 'superseded', replaced_by = nullif($2, ''), updated_at = now()
		  WHERE feed = $1 AND status = 'awaiting_approval' AND plan_id <> $2 RETURNING plan_id`, feed, by)
	if err != nil {
		return 0, err
	}
	gone, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return 0, err
	}
	for _, id := range gone {
		if err := s.eventTx(ctx, tx, id, EventSuperseded, "", "", detail); err != nil {
			return 0, err
		}
	}
	return len(gone), nil
}

// DecidePlan records actor's decision on a plan awaiting approval: approve
// or reject, with reason. Exactly one decision is ever recorded: of two
// deciding at once, one wins and the other gets a *DecisionError (which
// matches ErrConflict) naming the decision that stands. A plan past its
// expiry is marked expired and returns one too; an unknown id ErrNotFound.
func (s *Store) DecidePlan(ctx context.Context, id string, approve bool, actor, reason string) (PlanEntry, error) {
	to, event := ApprovalRejected, EventRejected
	if approve {
		to, event = ApprovalApproved, EventApproved
	}
	var why error
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE "+s.table("plan_approvals")+
			` SET status = $2, decided_by = $3, decided_at = now(), reason = $4, updated_at = now()
			  WHERE plan_id = $1 AND status = 'awaiting_approval' AND expires_at > now()`, id, to, actor, reason)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 1 {
			return s.eventTx(ctx, tx, id, event, actor, reason, "")
		}
		// Why not: read the row as it stands.
		var (
			status, by, rsn string
			at              *time.Time
			expired         bool
		)
		err = tx.QueryRow(ctx, "SELECT status, coalesce(decided_by, ''), decided_at, reason, expires_at <= now() FROM "+s.table("plan_approvals")+
			" WHERE plan_id = $1 FOR UPDATE", id).Scan(&status, &by, &at, &rsn, &expired)
		if err != nil {
			return err
		}
		if status == ApprovalAwaiting && expired {
			if err := s.expireTx(ctx, tx, id); err != nil {
				return err
			}
			status = ApprovalExpired
		}
		why = notAwaiting(status, by, at, rsn)
		return nil
	})
	if err == nil && why != nil {
		err = why
	}
	var de *DecisionError
	if errors.As(err, &de) {
		return PlanEntry{}, de
	}
	if err != nil {
		return PlanEntry{}, fmt.Errorf("%s plan %s: %w", map[bool]string{true: "approve", false: "reject"}[approve], id, translate(err))
	}
	return s.PlanEntry(ctx, id)
}

// DecisionError says why a plan cannot be decided: it is not awaiting
// approval. It matches ErrConflict.
type DecisionError struct {
	// Status is the plan's status (ApprovalExpired for a plan found past
	// its expiry).
	Status string
	// By, At and Reason are the decision that stands, if any.
	By     string
	At     time.Time
	Reason string
}

func (e *DecisionError) Error() string {
	msg := "it is " + e.Status
	switch e.Status {
	case ApprovalApproved, ApprovalApplied, ApprovalFailed:
		msg = "it was approved"
	case ApprovalRejected:
		msg = "it was rejected"
	case ApprovalExpired:
		msg = "it expired without a decision"
	case ApprovalSuperseded:
		msg = "a later run of its feed took its place"
	case ApprovalReplanned:
		msg = "it was approved, found stale and planned again"
	}
	if e.By != "" && !e.At.IsZero() {
		msg += fmt.Sprintf(" by %s at %s", e.By, e.At.UTC().Format(time.RFC3339))
		if e.Reason != "" {
			msg += fmt.Sprintf(" (%q)", e.Reason)
		}
	}
	if e.Status == ApprovalApplied || e.Status == ApprovalFailed {
		msg += " and applied"
	}
	return msg
}

// Is matches ErrConflict.
func (e *DecisionError) Is(target error) bool { return target == ErrConflict }

func notAwaiting(status, by string, at *time.Time, reason string) error {
	e := &DecisionError{Status: status, By: by, Reason: reason}
	if at != nil {
		e.At = *at
	}
	return e
}

// ExpireApprovals marks every plan awaiting approval past its expiry as
// expired, journaling it, and returns how many it marked.
func (s *Store) ExpireApprovals(ctx context.Context) (int, error) {
	var n int
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, "SELECT plan_id FROM "+s.table("plan_approvals")+
			" WHERE status = 'awaiting_approval' AND expires_at <= now() FOR UPDATE SKIP LOCKED")
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := s.expireTx(ctx, tx, id); err != nil {
				return err
			}
		}
		n = len(ids)
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("expire plans awaiting approval: %w", translate(err))
	}
	return n, nil
}

func (s *Store) expireTx(ctx context.Context, tx pgx.Tx, id string) error {
	if _, err := tx.Exec(ctx, "UPDATE "+s.table("plan_approvals")+
		" SET status = 'expired', updated_at = now() WHERE plan_id = $1 AND status = 'awaiting_approval'", id); err != nil {
		return err
	}
	return s.eventTx(ctx, tx, id, EventExpired, "", "", "not decided before it expired")
}

// FinishApproval moves an approved plan to its outcome (ApprovalApplied,
// ApprovalFailed or ApprovalReplanned, with replacedBy) and journals it
// with detail. Only an approved plan moves; another returns ErrConflict.
func (s *Store) FinishApproval(ctx context.Context, id, to, replacedBy, detail string) error {
	event := map[string]string{ApprovalApplied: EventApplied, ApprovalFailed: EventFailed, ApprovalReplanned: EventStale}[to]
	if event == "" {
		return fmt.Errorf("finish approval of %s: %w: status %q", id, ErrInvalid, to)
	}
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, "UPDATE "+s.table("plan_approvals")+
			` SET status = $2, replaced_by = coalesce(nullif($3, ''), replaced_by), updated_at = now()
			  WHERE plan_id = $1 AND status = 'approved'`, id, to, replacedBy)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			var status string
			if err := tx.QueryRow(ctx, "SELECT status FROM "+s.table("plan_approvals")+" WHERE plan_id = $1", id).Scan(&status); err != nil {
				return err
			}
			return fmt.Errorf("%w: it is %s, not approved", ErrConflict, status)
		}
		return s.eventTx(ctx, tx, id, event, "", "", detail)
	})
	if err != nil {
		return fmt.Errorf("finish approval of %s: %w", id, translate(err))
	}
	return nil
}

// ApprovedPlans returns the ids of the feed's approved plans whose apply
// has not finished, oldest decision first.
func (s *Store) ApprovedPlans(ctx context.Context, feed string) ([]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT plan_id FROM "+s.table("plan_approvals")+
		" WHERE feed = $1 AND status = 'approved' ORDER BY decided_at, plan_id", feed)
	if err != nil {
		return nil, fmt.Errorf("list approved plans of %s: %w", feed, translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list approved plans of %s: %w", feed, translate(err))
	}
	return ids, nil
}

// ApprovalCounts returns, for the feed (every feed when feed is ""), how
// many plans await approval (expired ones not counted) and how many
// approved plans wait for their apply to finish.
func (s *Store) ApprovalCounts(ctx context.Context, feed string) (awaiting, approved int, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE status = 'awaiting_approval' AND expires_at > now()),
		count(*) FILTER (WHERE status = 'approved') FROM `+s.table("plan_approvals")+
		` WHERE ($1 = '' OR feed = $1) AND status IN ('awaiting_approval', 'approved')`, feed).Scan(&awaiting, &approved)
	if err != nil {
		return 0, 0, fmt.Errorf("count plans awaiting approval: %w", translate(err))
	}
	return awaiting, approved, nil
}

// PlanFilter selects plans for ListPlans. The zero value lists the newest
// DefaultPlansLimit plans of every feed and status.
type PlanFilter struct {
	// Feed keeps the plans of one feed.
	Feed string
	// Statuses keeps the plans whose shown status (PlanEntry.Status) is
	// one of these.
	Statuses []string
	// Limit caps the plans listed: default DefaultPlansLimit, at most
	// MaxPlansLimit.
	Limit int
}

// Limits of PlanFilter.Limit.
const (
	DefaultPlansLimit = 50
	MaxPlansLimit     = 500
)

// planEntrySQL is every plan, parked or journaled, with the status to
// show. Body is selected by the caller that wants it.
const planEntrySQL = `SELECT coalesce(a.plan_id, p.id) AS id,
	coalesce(a.feed, p.body->'settings'->>'feed_name', '') AS feed,
	CASE
		WHEN a.plan_id IS NULL THEN p.status
		WHEN a.status = 'awaiting_approval' AND a.expires_at <= now() THEN 'expired'
		WHEN a.status = 'approved' AND p.status = 'applying' THEN 'applying'
		ELSE a.status
	END AS shown,
	a.plan_id IS NOT NULL AS parked, coalesce(a.status, ''), coalesce(p.status, ''),
	coalesce(a.parked_at, p.created_at), greatest(a.updated_at, p.updated_at), a.expires_at, coalesce(a.job, ''),
	coalesce(a.run_id, 0), coalesce(a.decided_by, ''), a.decided_at, coalesce(a.reason, ''),
	coalesce(a.replaces, ''), coalesce(a.replaced_by, ''),
	coalesce(a.body, p.body)->'totals', coalesce(a.tripped, '[]')`

func (s *Store) planFrom() string {
	return " FROM " + s.table("plan_approvals") + " a FULL JOIN " + s.table("plans") + " p ON p.id = a.plan_id"
}

func scanPlanEntry(row pgx.CollectableRow, withBody bool) (PlanEntry, error) {
	var (
		e                   PlanEntry
		expires, decided    *time.Time
		totals, tripped, bd []byte
	)
	dest := []any{&e.ID, &e.Feed, &e.Status, &e.Parked, &e.ApprovalStatus, &e.JournalStatus,
		&e.CreatedAt, &e.UpdatedAt, &expires, &e.Job, &e.RunID, &e.DecidedBy, &decided, &e.Reason,
		&e.Replaces, &e.ReplacedBy, &totals, &tripped}
	if withBody {
		dest = append(dest, &bd)
	}
	if err := row.Scan(dest...); err != nil {
		return e, err
	}
	if expires != nil {
		e.ExpiresAt = *expires
	}
	if decided != nil {
		e.DecidedAt = *decided
	}
	e.Totals, e.Tripped = json.RawMessage(totals), json.RawMessage(tripped)
	if bd != nil {
		e.Body = json.RawMessage(bd)
	}
	return e, nil
}

// ListPlans returns plans, parked or journaled, newest first.
func (s *Store) ListPlans(ctx context.Context, f PlanFilter) ([]PlanEntry, error) {
	limit := f.Limit
	switch {
	case limit <= 0:
		limit = DefaultPlansLimit
	case limit > MaxPlansLimit:
		limit = MaxPlansLimit
	}
	statuses := f.Statuses
	if statuses == nil {
		statuses = []string{}
	}
	rows, err := s.pool.Query(ctx, "SELECT * FROM ("+planEntrySQL+s.planFrom()+`) e
		WHERE ($1 = '' OR feed = $1) AND (cardinality($2::text[]) = 0 OR shown = ANY($2))
		ORDER BY 7 DESC, 1 LIMIT $3`, f.Feed, statuses, limit)
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (PlanEntry, error) { return scanPlanEntry(r, false) })
	if err != nil {
		return nil, fmt.Errorf("list plans: %w", translate(err))
	}
	return out, nil
}

// PlanEntry returns one plan, parked or journaled, with its body.
// ErrNotFound when neither table has it.
func (s *Store) PlanEntry(ctx context.Context, id string) (PlanEntry, error) {
	rows, err := s.pool.Query(ctx, planEntrySQL+", coalesce(a.body, p.body)"+s.planFrom()+" WHERE coalesce(a.plan_id, p.id) = $1", id)
	if err != nil {
		return PlanEntry{}, fmt.Errorf("read plan %s: %w", id, translate(err))
	}
	e, err := pgx.CollectExactlyOneRow(rows, func(r pgx.CollectableRow) (PlanEntry, error) { return scanPlanEntry(r, true) })
	if err != nil {
		return PlanEntry{}, fmt.Errorf("read plan %s: %w", id, translate(err))
	}
	return e, nil
}

// ResolvePlanID returns the id of the one plan, parked or journaled, whose
// id is ref or starts with ref. ErrNotFound when none does; ErrAmbiguous,
// naming a few, when several do.
func (s *Store) ResolvePlanID(ctx context.Context, ref string) (string, error) {
	if ref == "" {
		return "", fmt.Errorf("find plan: %w: no id given", ErrInvalid)
	}
	like := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(ref) + "%"
	rows, err := s.pool.Query(ctx, `SELECT id FROM (SELECT plan_id AS id FROM `+s.table("plan_approvals")+
		` UNION SELECT id FROM `+s.table("plans")+`) ids WHERE id = $1 OR id LIKE $2 ORDER BY id = $1 DESC, id LIMIT 4`, ref, like)
	if err != nil {
		return "", fmt.Errorf("find plan %s: %w", ref, translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", fmt.Errorf("find plan %s: %w", ref, translate(err))
	}
	switch {
	case len(ids) == 0:
		return "", fmt.Errorf("find plan %s: %w", ref, ErrNotFound)
	case ids[0] == ref || len(ids) == 1:
		return ids[0], nil
	}
	more := ""
	if len(ids) > 3 {
		ids, more = ids[:3], ", …"
	}
	return "", fmt.Errorf("find plan %s: %w: several plans start so (%s%s); give more of the id", ref, ErrAmbiguous, strings.Join(ids, ", "), more)
}

// ApprovalEvents returns a parked plan's journal, oldest first.
func (s *Store) ApprovalEvents(ctx context.Context, id string) ([]ApprovalEvent, error) {
	rows, err := s.pool.Query(ctx, "SELECT at, event, actor, reason, detail FROM "+s.table("plan_approval_events")+
		" WHERE plan_id = $1 ORDER BY id", id)
	if err != nil {
		return nil, fmt.Errorf("read the approval journal of %s: %w", id, translate(err))
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ApprovalEvent, error) {
		var e ApprovalEvent
		err := r.Scan(&e.At, &e.Event, &e.Actor, &e.Reason, &e.Detail)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read the approval journal of %s: %w", id, translate(err))
	}
	return out, nil
}

func (s *Store) eventTx(ctx context.Context, tx pgx.Tx, id, event, actor, reason, detail string) error {
	_, err := tx.Exec(ctx, "INSERT INTO "+s.table("plan_approval_events")+" (plan_id, event, actor, reason, detail) VALUES ($1, $2, $3, $4, $5)",
		id, event, actor, reason, detail)
	return err
}

// inTx runs f in a transaction, committed when f returns nil.
func (s *Store) inTx(ctx context.Context, f func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit(ctx)
}
