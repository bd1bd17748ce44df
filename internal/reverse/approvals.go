package reverse

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// DefaultApprovalExpiry is how long a parked plan awaits a decision when
// feeds.NAME.approval_expiry is not set: a day, so that a nightly feed's
// plan can be decided during the next working day; the feed's next run
// plans again anyway.
const DefaultApprovalExpiry = 24 * time.Hour

// Limits on what a decision records.
const (
	MaxActorLength  = 128
	MaxReasonLength = 1000
)

// Errors of the approvals API. Match them with errors.Is.
var (
	// ErrPlanNotFound: no plan, parked or journaled, has the id.
	ErrPlanNotFound = errors.New("no such plan")
	// ErrAmbiguousPlan: the id given is the start of several plans' ids.
	ErrAmbiguousPlan = errors.New("several plans match")
	// ErrNotAwaiting: the plan cannot be decided: it was decided already,
	// expired, was superseded, or was never parked. The message says which,
	// and who decided when.
	ErrNotAwaiting = errors.New("the plan is not awaiting approval")
	// ErrNotApproved: ApplyApproved was asked to apply a plan nobody
	// approved.
	ErrNotApproved = errors.New("the plan is not approved")
	// ErrInvalidDecision: the actor or the reason of a decision cannot be
	// recorded (empty actor, too long, control characters).
	ErrInvalidDecision = errors.New("invalid decision")
)

// Approvals is the approval workflow's side that needs only the database:
// listing and showing plans, and people's decisions. Applying an approved
// plan calls the org: Service.RunFeed (serve's scheduled feed job, which
// applies approved plans first) and Service.ApplyApproved do it, under the
// feed job's lock.
//
// Exactly once: a decision is one conditional update (of two approvers at
// once, one wins; the other gets ErrNotAwaiting naming the decision that
// stands), and an approved plan is applied only by the holder of its feed
// job's lock, through the apply journal, so a second applier finds it
// applied and an apply cut short is resumed, never repeated.
type Approvals struct {
	store *store.Store
}

// NewApprovals returns the approvals of the plans kept in st.
func NewApprovals(st *store.Store) *Approvals { return &Approvals{store: st} }

// Approvals returns the approval workflow over the service's store.
func (s *Service) Approvals() *Approvals { return NewApprovals(s.store) }

// PlanFilter selects plans for ListPlans. The zero value lists the newest
// 50 plans of every feed and status.
type PlanFilter struct {
	// Feed keeps the plans of one feed (feeds.NAME).
	Feed string
	// Statuses keeps the plans whose PlanSummary.Status is one of these.
	Statuses []string
	// Limit caps the plans listed: default 50, at most 500.
	Limit int
}

// PlanSummary is a plan as a list shows it.
type PlanSummary struct {
	ID string `json:"id"`
	// Feed is the feed's name (feeds.NAME); empty for a plan applied from
	// the command line without a configured feed.
	Feed string `json:"feed"`
	// Status of a parked plan: awaiting_approval, approved (decided, not
	// yet applied), applying, applied, failed, rejected, expired,
	// superseded (a later run of the feed parked another plan or found the
	// guards hold) or replanned (stale when approved: planned again into
	// ReplacedBy). A plan that was never parked has its apply journal's
	// status: pending, applying, applied, failed or refused.
	Status string `json:"status"`
	// Parked is true for a plan parked for approval.
	Parked bool `json:"parked"`
	// CreatedAt is when it was parked (or first journaled); ExpiresAt,
	// for a parked plan, when it can no longer be approved.
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	// RunID is the feed run (sync_runs) that parked it; 0 when none.
	RunID int64 `json:"run_id,omitempty"`
	// Totals counts the people and operations of the plan.
	Totals diff.Totals `json:"totals"`
	// Tripped are the guard verdicts that tripped when it was parked.
	Tripped []diff.Verdict `json:"tripped"`
	// Decision is who approved or rejected it, when and why; nil until
	// someone did.
	Decision *Decision `json:"decision"`
	// Replaces is the stale approved plan this one was planned again
	// from; ReplacedBy the plan that took this one's place.
	Replaces   string `json:"replaces,omitempty"`
	ReplacedBy string `json:"replaced_by,omitempty"`
}

// Decision is a person's approval or rejection of a parked plan.
type Decision struct {
	Approved bool `json:"approved"`
	// By is the approver: the OS user or --as NAME from the command line,
	// the logged-in account from the console.
	By     string    `json:"by"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// PlanEvent is one step of a parked plan's journal: parked, approved,
// rejected, expired, superseded, replanned, applied or failed.
type PlanEvent struct {
	At    time.Time `json:"at"`
	Event string    `json:"event"`
	// Actor is the person who took the step; empty for syncer itself.
	Actor  string `json:"actor"`
	Reason string `json:"reason"`
	Detail string `json:"detail"`
}

// PlanDetail is one plan with everything its page shows.
type PlanDetail struct {
	PlanSummary
	// Plan is the plan itself.
	Plan *diff.Plan `json:"plan"`
	// Diff is the plan rendered as `syncer plan` prints it: person by
	// person, then rejected rows, notes, warnings, guards and totals.
	// Every value from the feed or the org in it is escaped for a
	// terminal (textfmt.Safe), not for HTML.
	Diff string `json:"diff"`
	// Events is the approval journal, oldest first (empty for a plan
	// never parked).
	Events []PlanEvent `json:"events"`
	// Operations counts the plan's operations in the apply journal by
	// status (pending, running, done, failed, skipped); empty until an
	// apply journaled them.
	Operations map[string]int `json:"operations"`
}

// ListPlans returns plans, parked or applied, newest first.
func (a *Approvals) ListPlans(ctx context.Context, f PlanFilter) ([]PlanSummary, error) {
	entries, err := a.store.ListPlans(ctx, store.PlanFilter{Feed: f.Feed, Statuses: f.Statuses, Limit: f.Limit})
	if err != nil {
		return nil, err
	}
	out := make([]PlanSummary, 0, len(entries))
	for _, e := range entries {
		out = append(out, summaryOf(e))
	}
	return out, nil
}

// PlanDetail returns the plan id (or the one plan whose id starts with
// id): its summary, the plan, its rendered diff, its approval journal and
// its apply journal's counts.
func (a *Approvals) PlanDetail(ctx context.Context, id string) (*PlanDetail, error) {
	e, err := a.entry(ctx, id)
	if err != nil {
		return nil, err
	}
	id = e.ID
	d := &PlanDetail{PlanSummary: summaryOf(e), Plan: &diff.Plan{}, Events: []PlanEvent{}, Operations: map[string]int{}}
	if err := json.Unmarshal(e.Body, d.Plan); err != nil {
		return nil, fmt.Errorf("plan %s: decode: %w", id, err)
	}
	var b strings.Builder
	if err := d.Plan.Render(&b); err != nil {
		return nil, fmt.Errorf("plan %s: render: %w", id, err)
	}
	d.Diff = b.String()
	if e.Parked {
		evs, err := a.store.ApprovalEvents(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, ev := range evs {
			d.Events = append(d.Events, PlanEvent(ev))
		}
	}
	if e.JournalStatus != "" {
		ops, err := a.store.Operations(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, o := range ops {
			d.Operations[o.Status]++
		}
	}
	return d, nil
}

// Approve records actor's approval of the parked plan id, with reason,
// and returns the plan as it then stands (approved). It does not apply
// the plan: the feed's job in `syncer serve` applies approved plans (its
// scheduler asks every serve.lease_ttl/4, or at once on a Trigger), and
// `syncer plans approve` applies it itself (Service.ApplyApproved).
//
// Of two approvals (or an approval and a rejection) at once, one is
// recorded and the other returns ErrNotAwaiting, which names the decision
// that stands. A plan past its expiry, superseded, or never parked
// returns ErrNotAwaiting too; an unknown id ErrPlanNotFound; an empty or
// unprintable actor or reason ErrInvalidDecision.
func (a *Approvals) Approve(ctx context.Context, id, actor, reason string) (*PlanDetail, error) {
	return a.decide(ctx, id, true, actor, reason)
}

// Reject records actor's rejection of the parked plan id, with reason: the
// plan is never applied, and a later run of its feed that plans the same
// plan fails instead of parking it again. Errors as Approve's.
func (a *Approvals) Reject(ctx context.Context, id, actor, reason string) (*PlanDetail, error) {
	return a.decide(ctx, id, false, actor, reason)
}

func (a *Approvals) decide(ctx context.Context, id string, approve bool, actor, reason string) (*PlanDetail, error) {
	actor, reason = strings.TrimSpace(actor), strings.TrimSpace(reason)
	if err := checkDecision(actor, reason); err != nil {
		return nil, err
	}
	e, err := a.entry(ctx, id)
	if err != nil {
		return nil, err
	}
	id = e.ID
	if !e.Parked {
		return nil, fmt.Errorf("plan %s: %w: it was never parked for approval (its apply journal says %s)", id, ErrNotAwaiting, e.JournalStatus)
	}
	if _, err := a.store.DecidePlan(ctx, id, approve, actor, reason); err != nil {
		var de *store.DecisionError
		if errors.As(err, &de) {
			return nil, fmt.Errorf("plan %s: %w: %w", id, ErrNotAwaiting, de)
		}
		return nil, planErr(err)
	}
	return a.PlanDetail(ctx, id)
}

// Counts returns how many plans of feed (every feed when feed is "")
// await approval and how many approved plans wait for their apply to
// finish, marking the plans past their expiry expired first. serve's
// scheduler asks it for the syncer_plans_awaiting_approval gauge and to
// run a feed whose plan was approved.
func (a *Approvals) Counts(ctx context.Context, feed string) (awaiting, approved int, err error) {
	if _, err := a.store.ExpireApprovals(ctx); err != nil {
		return 0, 0, err
	}
	return a.store.ApprovalCounts(ctx, feed)
}

// entry reads the plan id names (its id, or the start of one plan's id).
func (a *Approvals) entry(ctx context.Context, id string) (store.PlanEntry, error) {
	full, err := a.store.ResolvePlanID(ctx, strings.TrimSpace(id))
	if err != nil {
		return store.PlanEntry{}, planErr(err)
	}
	e, err := a.store.PlanEntry(ctx, full)
	if err != nil {
		return store.PlanEntry{}, planErr(err)
	}
	return e, nil
}

// planErr maps the store's answers about a plan to the API's errors,
// keeping the store's message.
func planErr(err error) error {
	switch {
	case errors.Is(err, store.ErrNotFound):
		return fmt.Errorf("%w: %w", ErrPlanNotFound, err)
	case errors.Is(err, store.ErrInvalid):
		return fmt.Errorf("%w: %w", ErrPlanNotFound, err)
	case errors.Is(err, store.ErrAmbiguous):
		return fmt.Errorf("%w: %w", ErrAmbiguousPlan, err)
	case errors.Is(err, store.ErrConflict):
		return fmt.Errorf("%w: %w", ErrNotAwaiting, err)
	}
	return err
}

// checkDecision refuses an actor or reason that cannot be shown as it is
// given: an actor is required; both are bounded and one line of printable
// text.
func checkDecision(actor, reason string) error {
	switch {
	case actor == "":
		return fmt.Errorf("%w: the approver's name is empty", ErrInvalidDecision)
	case utf8.RuneCountInString(actor) > MaxActorLength:
		return fmt.Errorf("%w: the approver's name is longer than %d characters", ErrInvalidDecision, MaxActorLength)
	case textfmt.Safe(actor) != actor:
		return fmt.Errorf("%w: the approver's name %s holds control or invisible characters", ErrInvalidDecision, textfmt.Quote(actor))
	case utf8.RuneCountInString(reason) > MaxReasonLength:
		return fmt.Errorf("%w: the reason is longer than %d characters", ErrInvalidDecision, MaxReasonLength)
	case textfmt.Safe(reason) != reason:
		return fmt.Errorf("%w: the reason %s holds control or invisible characters (one line of text)", ErrInvalidDecision, textfmt.Quote(reason))
	}
	return nil
}

func summaryOf(e store.PlanEntry) PlanSummary {
	s := PlanSummary{
		ID: e.ID, Feed: e.Feed, Status: e.Status, Parked: e.Parked,
		CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, ExpiresAt: e.ExpiresAt, RunID: e.RunID,
		Replaces: e.Replaces, ReplacedBy: e.ReplacedBy, Tripped: []diff.Verdict{},
	}
	_ = json.Unmarshal(e.Totals, &s.Totals)
	_ = json.Unmarshal(e.Tripped, &s.Tripped)
	if e.DecidedBy != "" {
		approved := e.ApprovalStatus != store.ApprovalRejected
		s.Decision = &Decision{Approved: approved, By: e.DecidedBy, At: e.DecidedAt, Reason: e.Reason}
	}
	return s
}
