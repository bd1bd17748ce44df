package apply

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/ratelimit"
	"github.com/usersync/syncer/internal/store"
)

// Defaults of Config.
const (
	DefaultWorkers            = 4
	DefaultMaxConflictRetries = 5
	DefaultJoinWait           = 30 * time.Second
)

// Sentinel errors of Apply. Match them with errors.Is.
var (
	// ErrStale: the state changed since the plan was computed.
	ErrStale = errors.New("apply: the plan is stale")
	// ErrGuard: a guard of the plan is tripped.
	ErrGuard = errors.New("apply: a guard is tripped")
	// ErrSchema: the plan was written by another version of syncer.
	ErrSchema = errors.New("apply: unsupported plan schema")
	// ErrExists: a joiner's employee id is already registered to a user
	// the plan did not know (a create operation fails with it).
	ErrExists = errors.New("the person already has an account")
	// ErrInvalid: an operation of the plan is of a kind this syncer does
	// not know, or not of the shape its kind declares (diff.Plan.Validate).
	ErrInvalid = errors.New("apply: invalid plan")
	// ErrBusy: another process is applying the same plan (serve's feed
	// job, an approval, another `syncer apply`): two appliers would both
	// take an operation the journal says is running, and make its call
	// twice.
	ErrBusy = errors.New("another process is applying this plan (syncer serve's feed job, an approval or another syncer apply); " +
		"wait until it ends, then resume it if it did not finish")
)

// LockName is the name of the lock an apply of the plan id holds while it
// runs (store.Store.TryLock), so that one process at a time applies a plan.
func LockName(id string) string { return "apply:" + id }

// Config configures an Applier. The zero value works (no stale check, no
// verification).
type Config struct {
	// Workers is how many calls of one phase run at once. Default
	// DefaultWorkers.
	Workers int
	// MaxConflictRetries bounds the re-read-and-retry rounds of a versioned
	// write that meets 409. Default DefaultMaxConflictRetries.
	MaxConflictRetries int
	// JoinWait bounds how long a joined-flag update waits for queue
	// memberships added earlier in the plan to show (the queue-side add is
	// asynchronous). Default DefaultJoinWait.
	JoinWait time.Duration
	// Fingerprint, when set, reads the current state afresh and returns its
	// fingerprint (diff.Fingerprint). A new plan whose fingerprint differs is
	// refused (ErrStale) unless Force. A resumed plan is not checked: its
	// own operations changed the state.
	Fingerprint func(ctx context.Context) (string, error)
	// Force applies a stale plan.
	Force bool
	// Verify, when set, runs after the operations: it re-reads the users
	// and returns a fresh plan for the same feed, which should be empty.
	Verify func(ctx context.Context, touched []string) (*diff.Plan, error)
	// Logger receives one line per failed operation and the summary.
	// Default: discard.
	Logger *slog.Logger

	// BeforeCall and AfterCall are called around each operation's API call
	// (BeforeCall after the journal marks it running). An error from either
	// stops the apply at once, without journaling the outcome: this is how
	// tests kill an apply at an operation boundary.
	BeforeCall func(ctx context.Context, op *diff.Operation) error
	AfterCall  func(ctx context.Context, op *diff.Operation) error
}

// Applier executes plans. It is safe to use from one goroutine at a time
// per plan.
type Applier struct {
	api API
	j   Journal
	cfg Config
	log *slog.Logger
}

// New returns an Applier that calls api and journals in j.
func New(api API, j Journal, cfg Config) *Applier {
	cfg.Workers = cmp.Or(cfg.Workers, DefaultWorkers)
	cfg.MaxConflictRetries = cmp.Or(cfg.MaxConflictRetries, DefaultMaxConflictRetries)
	cfg.JoinWait = cmp.Or(cfg.JoinWait, DefaultJoinWait)
	return &Applier{api: api, j: j, cfg: cfg, log: cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))}
}

// PlanID returns a plan's id: a hash of its operations and of the state it
// was computed from. The same plan always has the same id, so applying it
// again resumes it instead of repeating it.
func PlanID(p *diff.Plan) string {
	h := sha256.New()
	_, _ = io.WriteString(h, p.Fingerprint)
	_ = json.NewEncoder(h).Encode(p.Operations)
	return "plan-" + hex.EncodeToString(h.Sum(nil))[:16]
}

// Failure is one operation that did not succeed.
type Failure struct {
	Seq  int       `json:"seq"`
	OpID string    `json:"op_id"`
	Kind diff.Kind `json:"kind"`
	// User names the user (email or key) or, for batches, the target.
	User          string `json:"user"`
	HTTPStatus    int    `json:"http_status,omitempty"`
	Code          string `json:"code,omitempty"`
	Message       string `json:"message"`
	CorrelationID string `json:"correlation_id,omitempty"`
	// Skipped is true when the operation was not tried because an
	// operation it depends on failed.
	Skipped bool `json:"skipped,omitempty"`
}

// Result is what an apply did.
type Result struct {
	PlanID string `json:"plan_id"`
	// Resumed is true when the plan had been started before.
	Resumed bool `json:"resumed"`
	// AlreadyApplied is true when the plan had been applied before and
	// nothing was done.
	AlreadyApplied bool `json:"already_applied,omitempty"`
	Total          int  `json:"total"`
	// Done counts operations done in this apply, Previously those done by
	// an earlier, interrupted apply of the same plan.
	Done       int `json:"done"`
	Previously int `json:"previously"`
	Failed     int `json:"failed"`
	Skipped    int `json:"skipped"`
	// Writes counts the write calls made, Reads the look-ups (version
	// re-reads, user look-ups before re-creating).
	Writes   int       `json:"writes"`
	Reads    int       `json:"reads"`
	Failures []Failure `json:"failures,omitempty"`
	// Created maps the key of each user the plan created to its id.
	Created map[string]string `json:"created,omitempty"`
	// Touched lists the ids of the users the operations changed.
	Touched []string `json:"touched,omitempty"`
	// Remaining is the fresh plan of the verification (nil without
	// Config.Verify); it should have no operations.
	Remaining *diff.Plan    `json:"-"`
	Duration  time.Duration `json:"duration_ns"`
}

// Converged reports whether the verification found nothing left to do.
func (r *Result) Converged() bool { return r.Remaining == nil || !r.Remaining.HasChanges() }

// OK reports whether every operation succeeded and the verification (if
// any) found nothing left.
func (r *Result) OK() bool { return r.Failed == 0 && r.Skipped == 0 && r.Converged() }

// run is the state of one apply.
type run struct {
	a      *Applier
	plan   *diff.Plan
	id     string
	ops    []store.Operation // journal rows, by seq
	status []string          // journal status by seq, updated as the apply goes
	byID   map[string]int    // operation id → seq

	mu       sync.Mutex
	created  map[string]string // user key → id
	versions map[string]int    // user id → version known from our own writes
	bumps    map[string]int    // user id → version bumps of unversioned writes (division moves) since the plan
	touched  map[string]bool
	res      *Result
	writes   atomic.Int64
	reads    atomic.Int64
}

// Apply executes plan: it journals the plan (or finds it journaled), checks
// it, and runs its operations phase by phase. It returns an error only
// when the apply could not run or was interrupted; failed operations are
// listed in the Result.
func (a *Applier) Apply(ctx context.Context, plan *diff.Plan) (*Result, error) {
	start := time.Now()
	if plan.Schema != diff.SchemaVersion {
		return nil, fmt.Errorf("%w: plan schema %d, this syncer reads %d", ErrSchema, plan.Schema, diff.SchemaVersion)
	}
	if err := validate(plan); err != nil {
		return nil, err
	}
	id := PlanID(plan)
	res := &Result{PlanID: id, Total: len(plan.Operations), Created: map[string]string{}}
	lock, err := a.lockPlan(ctx, id)
	switch {
	case errors.Is(err, store.ErrLocked):
		return res, fmt.Errorf("apply %s: %w", id, ErrBusy)
	case err != nil:
		return res, fmt.Errorf("apply %s: take the plan's lock: %w", id, err)
	}
	defer lock.Release(context.WithoutCancel(ctx))
	saved, err := a.j.Plan(ctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		if tripped := plan.Tripped(); len(tripped) > 0 {
			return res, guardError(tripped)
		}
		if err := a.checkFresh(ctx, plan); err != nil {
			return res, err
		}
		if err := a.journal(ctx, id, plan); err != nil {
			return res, err
		}
	case err != nil:
		return res, fmt.Errorf("apply %s: %w", id, err)
	case saved.Status == store.PlanApplied:
		res.AlreadyApplied = true
		return res, nil
	case saved.Status == store.PlanRefused || saved.Status == store.PlanPending:
		if tripped := plan.Tripped(); len(tripped) > 0 {
			return res, guardError(tripped)
		}
		if err := a.checkFresh(ctx, plan); err != nil {
			return res, err
		}
	default:
		res.Resumed = true
	}
	if err := a.j.SetPlanStatus(ctx, id, store.PlanApplying); err != nil {
		return res, fmt.Errorf("apply %s: %w", id, err)
	}
	ops, err := a.j.Operations(ctx, id)
	if err != nil {
		return res, fmt.Errorf("apply %s: %w", id, err)
	}
	if len(ops) != len(plan.Operations) {
		return res, fmt.Errorf("apply %s: the journal has %d operations, the plan %d", id, len(ops), len(plan.Operations))
	}
	r := &run{a: a, plan: plan, id: id, ops: ops, status: make([]string, len(ops)), byID: map[string]int{},
		created: res.Created, versions: map[string]int{}, bumps: map[string]int{}, touched: map[string]bool{}, res: res}
	for i := range plan.Operations {
		r.byID[plan.Operations[i].ID] = i
		r.status[i] = ops[i].Status
		if ops[i].Status == store.OpDone {
			res.Previously++
			r.recall(&plan.Operations[i], ops[i].Result)
		}
	}
	a.log.Info("apply start", "plan_id", id, "operations", len(ops), "resumed", res.Resumed, "previously_done", res.Previously)

	runErr := r.execute(genesys.WithPriority(ctx, ratelimit.High))
	res.Writes, res.Reads = int(r.writes.Load()), int(r.reads.Load())
	res.Touched = sortedKeys(r.touched)
	if runErr != nil {
		// Interrupted: the plan stays applying, so --resume finds it.
		res.Duration = time.Since(start)
		return res, fmt.Errorf("apply %s interrupted: %w", id, runErr)
	}
	final := store.PlanApplied
	if res.Failed > 0 || res.Skipped > 0 {
		final = store.PlanFailed
	}
	if err := a.j.SetPlanStatus(context.WithoutCancel(ctx), id, final); err != nil {
		return res, fmt.Errorf("apply %s: %w", id, err)
	}
	if a.cfg.Verify != nil {
		remaining, err := a.cfg.Verify(ctx, res.Touched)
		if err != nil {
			return res, fmt.Errorf("apply %s: verify: %w", id, err)
		}
		res.Remaining = remaining
	}
	res.Duration = time.Since(start)
	a.log.Info("apply end", "plan_id", id, "done", res.Done, "previously_done", res.Previously, "failed", res.Failed,
		"skipped", res.Skipped, "writes", res.Writes, "reads", res.Reads, "converged", res.Converged())
	return res, nil
}

// validate refuses, before any call, a plan with an operation its kind
// does not declare or no executor can run.
func validate(plan *diff.Plan) error {
	if err := plan.Validate(); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	for i := range plan.Operations {
		if o := &plan.Operations[i]; !HasExecutor(o.Kind) {
			return fmt.Errorf("%w: operation %d (%s): kind %s has no executor", ErrInvalid, i+1, o.ID, o.Kind)
		}
	}
	return nil
}

// GuardError is returned when a plan's guard is tripped.
type GuardError struct{ Tripped []diff.Verdict }

func (e *GuardError) Error() string {
	msg := "apply refused: "
	for i, v := range e.Tripped {
		if i > 0 {
			msg += "; "
		}
		msg += v.Message
	}
	return msg
}

// Is matches ErrGuard.
func (e *GuardError) Is(target error) bool { return target == ErrGuard }

func guardError(v []diff.Verdict) error { return &GuardError{Tripped: v} }

func (a *Applier) checkFresh(ctx context.Context, plan *diff.Plan) error {
	if a.cfg.Fingerprint == nil {
		return nil
	}
	fp, err := a.cfg.Fingerprint(ctx)
	if err != nil {
		return fmt.Errorf("apply: read the current state: %w", err)
	}
	if fp != plan.Fingerprint && !a.cfg.Force {
		return fmt.Errorf("%w: it was computed from state %s, the org is now at %s; plan again (or apply with --force)",
			ErrStale, short(plan.Fingerprint), short(fp))
	}
	return nil
}

func short(fp string) string {
	if len(fp) > 19 {
		return fp[:19]
	}
	return fp
}

// journal stores the plan and its operations, all pending.
func (a *Applier) journal(ctx context.Context, id string, plan *diff.Plan) error {
	body, err := json.Marshal(plan)
	if err != nil {
		return fmt.Errorf("apply %s: encode plan: %w", id, err)
	}
	ops := make([]store.Operation, len(plan.Operations))
	for i := range plan.Operations {
		o := &plan.Operations[i]
		payload, err := json.Marshal(o)
		if err != nil {
			return fmt.Errorf("apply %s: encode operation %s: %w", id, o.ID, err)
		}
		ops[i] = store.Operation{Seq: i, Kind: string(o.Kind), UserKey: opTarget(o), Payload: payload}
	}
	if err := a.j.CreatePlan(ctx, store.Plan{ID: id, Fingerprint: plan.Fingerprint, Body: body}, ops); err != nil {
		return fmt.Errorf("apply %s: %w", id, err)
	}
	return nil
}

// opTarget names what an operation is about, for the journal and reports.
func opTarget(o *diff.Operation) string {
	switch {
	case o.User != nil:
		return cmp.Or(o.User.Email, o.User.Key, o.User.ID)
	case o.QueueID != "":
		return "queue:" + o.QueueID
	case o.DivisionID != "":
		return "division:" + o.DivisionID
	}
	return o.ID
}

// opResult is what the journal keeps of a done operation.
type opResult struct {
	UserID  string `json:"user_id,omitempty"`
	Version int    `json:"version,omitempty"`
	// Adopted is true when a create found the user already there (an
	// earlier attempt whose answer was lost).
	Adopted bool `json:"adopted,omitempty"`
}

// recall takes what a done operation of an earlier apply established
// (Executor.Recall).
func (r *run) recall(o *diff.Operation, raw json.RawMessage) {
	if e := executors[o.Kind]; e.Recall != nil {
		e.Recall(&Exec{r: r}, o, raw)
	}
}

// execute runs the operations phase by phase: a phase is a run of
// operations of one kind; inside it, operations whose dependencies are
// done run concurrently.
func (r *run) execute(ctx context.Context) error {
	ops := r.plan.Operations
	for start := 0; start < len(ops); {
		end := start + 1
		for end < len(ops) && ops[end].Kind == ops[start].Kind {
			end++
		}
		if err := r.phase(ctx, start, end); err != nil {
			return err
		}
		start = end
	}
	return nil
}

func (r *run) phase(ctx context.Context, start, end int) error {
	pending := make([]int, 0, end-start)
	for i := start; i < end; i++ {
		// A resume retries failed operations and those skipped for a failed
		// dependency: by their phase, that dependency has been retried.
		if r.status[i] == store.OpDone {
			continue
		}
		pending = append(pending, i)
	}
	for len(pending) > 0 {
		var ready, later []int
		for _, i := range pending {
			switch r.depState(i) {
			case depsDone:
				ready = append(ready, i)
			case depsFailed:
				if err := r.skip(ctx, i); err != nil {
					return err
				}
			default:
				later = append(later, i)
			}
		}
		if len(ready) == 0 {
			for _, i := range later {
				if err := r.skip(ctx, i); err != nil {
					return err
				}
			}
			return nil
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(r.a.cfg.Workers)
		for _, i := range ready {
			g.Go(func() error { return r.one(gctx, i) })
		}
		if err := g.Wait(); err != nil {
			return err
		}
		pending = later
	}
	return nil
}

const (
	depsDone = iota
	depsFailed
	depsWaiting
)

func (r *run) depState(i int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	state := depsDone
	for _, d := range r.plan.Operations[i].DependsOn {
		j, ok := r.byID[d]
		if !ok {
			continue
		}
		switch r.status[j] {
		case store.OpDone:
		case store.OpFailed, store.OpSkipped:
			return depsFailed
		default:
			state = depsWaiting
		}
	}
	return state
}

func (r *run) setStatus(i int, s string) {
	r.mu.Lock()
	r.status[i] = s
	r.mu.Unlock()
}

// skip journals an operation whose dependency failed.
func (r *run) skip(ctx context.Context, i int) error {
	o := &r.plan.Operations[i]
	msg := "not tried: an operation it depends on failed or was skipped"
	err := r.a.j.FinishOperation(context.WithoutCancel(ctx), r.id, i, store.OpResult{Status: store.OpSkipped, Error: msg})
	if err != nil {
		return err
	}
	r.setStatus(i, store.OpSkipped)
	r.mu.Lock()
	r.res.Skipped++
	r.res.Failures = append(r.res.Failures, Failure{Seq: i, OpID: o.ID, Kind: o.Kind, User: opTarget(o), Message: msg, Skipped: true})
	r.mu.Unlock()
	return nil
}

// one runs operation i: journal, call, journal.
func (r *run) one(ctx context.Context, i int) error {
	o := &r.plan.Operations[i]
	prevStatus := r.status[i]
	row, err := r.a.j.BeginOperation(ctx, r.id, i)
	if err != nil {
		return err
	}
	if h := r.a.cfg.BeforeCall; h != nil {
		if err := h(ctx, o); err != nil {
			return err
		}
	}
	// An operation journaled running or failed before may have happened:
	// the executors look before they create.
	retry := row.Attempts > 1 || prevStatus == store.OpRunning
	out, callErr := r.call(ctx, o, retry)
	if callErr != nil && ctx.Err() != nil {
		// Interrupted mid-call: the outcome is unknown and stays
		// "running" in the journal for the resume to look into.
		return ctx.Err()
	}
	if h := r.a.cfg.AfterCall; h != nil {
		if err := h(ctx, o); err != nil {
			return err
		}
	}
	fin := store.OpResult{Status: store.OpDone}
	if callErr != nil {
		fin = failResult(callErr)
	} else if out != nil {
		fin.Result, _ = json.Marshal(out)
	}
	if err := r.a.j.FinishOperation(context.WithoutCancel(ctx), r.id, i, fin); err != nil {
		return err
	}
	r.setStatus(i, fin.Status)
	r.mu.Lock()
	defer r.mu.Unlock()
	if callErr != nil {
		r.res.Failed++
		r.res.Failures = append(r.res.Failures, Failure{Seq: i, OpID: o.ID, Kind: o.Kind, User: opTarget(o),
			HTTPStatus: fin.HTTPStatus, Code: fin.ErrorCode, Message: fin.Error, CorrelationID: fin.CorrelationID})
		r.a.log.Warn("operation failed", "plan_id", r.id, "seq", i, "op", o.ID, "user", opTarget(o), "status", fin.HTTPStatus, "code", fin.ErrorCode, "error", fin.Error)
		return nil
	}
	r.res.Done++
	return nil
}

// failResult turns a call's error into the journal's outcome.
func failResult(err error) store.OpResult {
	res := store.OpResult{Status: store.OpFailed, Error: err.Error()}
	var ae *genesys.APIError
	if errors.As(err, &ae) {
		res.HTTPStatus, res.ErrorCode, res.CorrelationID = ae.Status, ae.Code, ae.CorrelationID
		res.Error = cmp.Or(ae.Message, err.Error())
	}
	return res
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// lockBusyWait is how long an apply waits for its plan's lock before
// ErrBusy: a process killed a moment ago releases it as soon as the server
// reads its closed socket, which a resume started right after may beat.
const lockBusyWait = 3 * time.Second

// lockPlan takes the plan's lock, asking again for lockBusyWait while
// another session holds it.
func (a *Applier) lockPlan(ctx context.Context, id string) (*store.Lock, error) {
	cfg := store.LockConfig{ApplicationName: fmt.Sprintf("syncer apply pid %d: plan %s", os.Getpid(), id)}
	deadline := time.Now().Add(lockBusyWait)
	for {
		lock, err := a.j.TryLock(ctx, LockName(id), cfg)
		if !errors.Is(err, store.ErrLocked) || time.Now().After(deadline) {
			return lock, err
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
