-- Approvals: a scheduled feed whose plan trips a guard parks the plan here,
-- awaiting a person's approval, instead of failing. The run that parked it
-- is recorded with a status of its own, awaiting_approval.
--
-- A parked plan is keyed by the id the apply journal (plans) gives it once
-- applied, apply.PlanID: a hash of its operations and of the state it was
-- computed from, so the same plan parked twice is one row, and an approved
-- plan's apply is found (and resumed) in plans under the same id.

-- +goose Up
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted', 'awaiting_approval'));

CREATE TABLE plan_approvals (
    plan_id     text PRIMARY KEY CHECK (plan_id <> ''),
    feed        text NOT NULL CHECK (feed <> ''),
    -- the scheduled job (feed:NAME) whose lock an apply of the plan holds
    job         text NOT NULL CHECK (job <> ''),
    -- awaiting_approval → approved → applied | failed | replanned (stale:
    -- planned again into replaced_by); awaiting_approval → rejected |
    -- expired | superseded (a later run of the feed parked another plan)
    status      text NOT NULL DEFAULT 'awaiting_approval'
                CHECK (status IN ('awaiting_approval', 'approved', 'applied', 'failed', 'rejected',
                                  'expired', 'superseded', 'replanned')),
    -- the plan as `syncer plan --out` saves it
    body        jsonb NOT NULL,
    -- the guard verdicts that tripped, as the plan has them
    tripped     jsonb NOT NULL DEFAULT '[]',
    -- the run that parked it
    run_id      bigint REFERENCES sync_runs (id) ON DELETE SET NULL,
    parked_at   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    decided_by  text,
    decided_at  timestamptz,
    reason      text NOT NULL DEFAULT '',
    -- the stale approved plan this one was planned again from
    replaces    text REFERENCES plan_approvals (plan_id) ON DELETE SET NULL,
    -- the plan that took this one's place (parked, or applied at once)
    replaced_by text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((decided_by IS NULL) = (decided_at IS NULL)),
    CHECK (status NOT IN ('approved', 'rejected', 'applied', 'failed') OR decided_by IS NOT NULL)
);
-- At most one plan of a feed awaits approval: parking a new one supersedes
-- the one before.
CREATE UNIQUE INDEX plan_approvals_one_awaiting_idx ON plan_approvals (feed) WHERE status = 'awaiting_approval';
CREATE INDEX plan_approvals_status_idx ON plan_approvals (status, parked_at);

-- The approval journal: every step of a parked plan, who took it and why.
CREATE TABLE plan_approval_events (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id text NOT NULL REFERENCES plan_approvals (plan_id) ON DELETE CASCADE,
    at      timestamptz NOT NULL DEFAULT now(),
    event   text NOT NULL CHECK (event <> ''),
    actor   text NOT NULL DEFAULT '',
    reason  text NOT NULL DEFAULT '',
    detail  text NOT NULL DEFAULT ''
);
CREATE INDEX plan_approval_events_plan_idx ON plan_approval_events (plan_id, id);

-- +goose Down
DROP TABLE plan_approval_events;
DROP TABLE plan_approvals;
UPDATE sync_runs SET status = 'failed', error = coalesce(error, 'awaiting approval (rolled back migration 00007)')
    WHERE status = 'awaiting_approval';
ALTER TABLE sync_runs DROP CONSTRAINT sync_runs_status_check;
ALTER TABLE sync_runs ADD CONSTRAINT sync_runs_status_check
    CHECK (status IN ('running', 'succeeded', 'failed', 'interrupted'));
