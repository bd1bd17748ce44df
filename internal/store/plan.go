package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Plan statuses.
const (
	PlanPending  = "pending"
	PlanApplying = "applying"
	PlanApplied  = "applied"
	PlanFailed   = "failed"
	PlanRefused  = "refused"
)

// Operation statuses.
const (
	OpPending = "pending"
	OpRunning = "running" // journaled before the call; after a crash: unknown outcome
	OpDone    = "done"
	OpFailed  = "failed"
	OpSkipped = "skipped"
)

// Plan is a saved plan of the reverse path.
type Plan struct {
	ID          string
	Fingerprint string // of the state the plan was computed from
	Status      string
	Body        json.RawMessage // the plan as saved with --out
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Operation is one journaled operation of a plan.
type Operation struct {
	PlanID        string
	Seq           int // order of execution, from 0
	Kind          string
	UserKey       string // the user the operation is about (id, email or employee id)
	Payload       json.RawMessage
	Status        string
	Attempts      int
	HTTPStatus    int
	CorrelationID string
	ErrorCode     string
	Error         string
	Result        json.RawMessage // e.g. the id of a created user
	StartedAt     time.Time
	FinishedAt    time.Time
}

// OpResult is the outcome of an operation's call.
type OpResult struct {
	Status        string // OpDone, OpFailed or OpSkipped
	HTTPStatus    int
	CorrelationID string
	ErrorCode     string
	Error         string
	Result        json.RawMessage
}

// CreatePlan stores a plan and its operations, all pending, in one
// transaction. A plan with the same id returns ErrConflict.
func (s *Store) CreatePlan(ctx context.Context, p Plan, ops []Operation) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("create plan %s: %w", p.ID, translate(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	body := p.Body
	if len(body) == 0 {
		body = json.RawMessage("{}")
	}
	if _, err := tx.Exec(ctx, "INSERT INTO "+s.table("plans")+" (id, fingerprint, body) VALUES ($1, $2, $3)",
		p.ID, p.Fingerprint, body); err != nil {
		return fmt.Errorf("create plan %s: %w", p.ID, translate(err))
	}
	_, err = tx.CopyFrom(ctx, pgx.Identifier{s.schema, "plan_operations"},
		[]string{"plan_id", "seq", "kind", "user_key", "payload"},
		pgx.CopyFromSlice(len(ops), func(i int) ([]any, error) {
			payload := ops[i].Payload
			if len(payload) == 0 {
				payload = json.RawMessage("{}")
			}
			return []any{p.ID, ops[i].Seq, ops[i].Kind, ops[i].UserKey, string(payload)}, nil
		}))
	if err != nil {
		return fmt.Errorf("create plan %s: operations: %w", p.ID, translate(err))
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("create plan %s: %w", p.ID, translate(err))
	}
	return nil
}

// Plan returns a stored plan.
func (s *Store) Plan(ctx context.Context, id string) (Plan, error) {
	var p Plan
	err := s.pool.QueryRow(ctx, "SELECT id, fingerprint, status, body, created_at, updated_at FROM "+s.table("plans")+" WHERE id = $1", id).
		Scan(&p.ID, &p.Fingerprint, &p.Status, &p.Body, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return Plan{}, fmt.Errorf("read plan %s: %w", id, translate(err))
	}
	return p, nil
}

// SetPlanStatus changes a plan's status.
func (s *Store) SetPlanStatus(ctx context.Context, id, status string) error {
	tag, err := s.pool.Exec(ctx, "UPDATE "+s.table("plans")+" SET status = $2, updated_at = now() WHERE id = $1", id, status)
	if err != nil {
		return fmt.Errorf("set plan %s %s: %w", id, status, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("set plan %s %s: %w", id, status, ErrNotFound)
	}
	return nil
}

// Operations returns the operations of a plan in execution order.
func (s *Store) Operations(ctx context.Context, planID string) ([]Operation, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+opColumns+" FROM "+s.table("plan_operations")+" WHERE plan_id = $1 ORDER BY seq", planID)
	if err != nil {
		return nil, fmt.Errorf("list operations of plan %s: %w", planID, translate(err))
	}
	ops, err := pgx.CollectRows(rows, scanOp)
	if err != nil {
		return nil, fmt.Errorf("list operations of plan %s: %w", planID, translate(err))
	}
	return ops, nil
}

// BeginOperation journals that an operation's call is about to be made: it
// becomes running, its attempts grow by one and started_at is set. Only a
// pending, failed or (after a crash) running operation can begin; a done or
// skipped one returns ErrConflict, so a resume never repeats it.
func (s *Store) BeginOperation(ctx context.Context, planID string, seq int) (Operation, error) {
	rows, err := s.pool.Query(ctx, "UPDATE "+s.table("plan_operations")+
		` SET status = 'running', attempts = attempts + 1, started_at = now(), finished_at = NULL
		  WHERE plan_id = $1 AND seq = $2 AND status IN ('pending', 'failed', 'running', 'skipped')
		  RETURNING `+opColumns, planID, seq)
	if err != nil {
		return Operation{}, fmt.Errorf("begin operation %s/%d: %w", planID, seq, translate(err))
	}
	op, err := pgx.CollectExactlyOneRow(rows, scanOp)
	if err == nil {
		return op, nil
	}
	err = translate(err)
	if isNotFound(err) {
		err = s.opState(ctx, planID, seq)
	}
	return Operation{}, fmt.Errorf("begin operation %s/%d: %w", planID, seq, err)
}

// FinishOperation journals the outcome of a running operation's call.
func (s *Store) FinishOperation(ctx context.Context, planID string, seq int, res OpResult) error {
	switch res.Status {
	case OpDone, OpFailed, OpSkipped:
	default:
		return fmt.Errorf("finish operation %s/%d: %w: status %q", planID, seq, ErrInvalid, res.Status)
	}
	var result any
	if len(res.Result) > 0 {
		result = string(res.Result)
	}
	tag, err := s.pool.Exec(ctx, "UPDATE "+s.table("plan_operations")+
		` SET status = $3, http_status = nullif($4, 0), correlation_id = nullif($5, ''), error_code = nullif($6, ''),
		      error = nullif($7, ''), result = $8::jsonb, finished_at = now()
		  WHERE plan_id = $1 AND seq = $2 AND status IN ('running', 'pending', 'skipped')`,
		planID, seq, res.Status, res.HTTPStatus, res.CorrelationID, res.ErrorCode, res.Error, result)
	if err != nil {
		return fmt.Errorf("finish operation %s/%d: %w", planID, seq, translate(err))
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("finish operation %s/%d: %w", planID, seq, s.opState(ctx, planID, seq))
	}
	return nil
}

// opState explains why an operation could not change state.
func (s *Store) opState(ctx context.Context, planID string, seq int) error {
	var status string
	err := s.pool.QueryRow(ctx, "SELECT status FROM "+s.table("plan_operations")+" WHERE plan_id = $1 AND seq = $2", planID, seq).Scan(&status)
	if err != nil {
		return translate(err)
	}
	return fmt.Errorf("%w: operation is %s", ErrConflict, status)
}

const opColumns = `plan_id, seq, kind, user_key, payload, status, attempts, coalesce(http_status, 0),
	coalesce(correlation_id, ''), coalesce(error_code, ''), coalesce(error, ''), result, started_at, finished_at`

func scanOp(row pgx.CollectableRow) (Operation, error) {
	var o Operation
	var started, finished *time.Time
	var result []byte
	err := row.Scan(&o.PlanID, &o.Seq, &o.Kind, &o.UserKey, &o.Payload, &o.Status, &o.Attempts, &o.HTTPStatus,
		&o.CorrelationID, &o.ErrorCode, &o.Error, &result, &started, &finished)
	if started != nil {
		o.StartedAt = *started
	}
	if finished != nil {
		o.FinishedAt = *finished
	}
	if result != nil {
		o.Result = json.RawMessage(result)
	}
	return o, err
}

// Deactivations returns, for each user an apply of this schema set
// inactive (a set_state operation done with state inactive), when it last
// did: what offboard.delete_after counts from.
func (s *Store) Deactivations(ctx context.Context) (map[string]time.Time, error) {
	rows, err := s.pool.Query(ctx, `SELECT payload->'user'->>'id', max(finished_at) FROM `+s.table("plan_operations")+`
		WHERE kind = 'set_state' AND status = 'done' AND payload->>'state' = 'inactive' AND payload->'user'->>'id' IS NOT NULL
		GROUP BY 1`)
	if err != nil {
		return nil, fmt.Errorf("read deactivations: %w", translate(err))
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var id string
		var at time.Time
		if err := rows.Scan(&id, &at); err != nil {
			return nil, fmt.Errorf("read deactivations: %w", translate(err))
		}
		out[id] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read deactivations: %w", translate(err))
	}
	return out, nil
}
