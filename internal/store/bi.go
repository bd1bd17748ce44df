package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Table is a query's result for display: its column names and its rows'
// values as pgx decodes them (string, int64, float64, time.Time, nil for
// NULL, ...).
type Table struct {
	Columns []string
	Rows    [][]any
}

// The questions a BI analyst asks first, over the views of migration 00005
// (`syncer demo` shows them). Each names its view; the columns are the
// query's own, as a reader of the views would write it.

// AgentsPerDivision is, per division, the active agents
// (current_agents): how many, their mean number of skills and the queue
// seats they have joined; most agents first.
func (s *Store) AgentsPerDivision(ctx context.Context) (Table, error) {
	return s.tableOf(ctx, "agents per division", `
SELECT division_name, count(*) AS agents, round(avg(cardinality(skill_names)), 1)::float8 AS avg_skills,
       sum(joined_queue_count)::bigint AS queue_seats_joined
FROM `+s.table("current_agents")+` WHERE state = 'active'
GROUP BY division_name ORDER BY agents DESC`)
}

// BusiestQueues is the n queues with the most joined agents
// (queue_membership, users not deleted): joined and all members; ties by
// name.
func (s *Store) BusiestQueues(ctx context.Context, n int) (Table, error) {
	return s.tableOf(ctx, "busiest queues", `
SELECT queue_name, count(*) FILTER (WHERE joined) AS joined, count(*) AS members
FROM `+s.table("queue_membership")+` WHERE NOT user_deleted
GROUP BY queue_name ORDER BY joined DESC, queue_name LIMIT $1`, n)
}

// OnQueueHours is, for each of the last days UTC days up to today that
// has presence, the hours agents spent on queue (NULL when none did) and
// the agents with any presence (presence_daily).
func (s *Store) OnQueueHours(ctx context.Context, days int) (Table, error) {
	return s.tableOf(ctx, "on-queue hours", `
SELECT day, round((sum(seconds) FILTER (WHERE system_presence = 'ON_QUEUE') / 3600)::numeric, 1)::float8 AS on_queue_hours,
       count(DISTINCT user_id) AS agents_with_presence
FROM `+s.table("presence_daily")+` WHERE day >= current_date - ($1::int - 1)
GROUP BY day ORDER BY day`, days)
}

// UserHistoryChanges says what users_history holds beyond the first run's
// load: the users with a closed version (changed since), the users whose
// first version a later run opened (added since), and its rows.
func (s *Store) UserHistoryChanges(ctx context.Context) (Table, error) {
	h := s.table("users_history")
	return s.tableOf(ctx, "user history", `
SELECT count(DISTINCT id) FILTER (WHERE valid_to IS NOT NULL) AS users_with_a_new_version,
       count(DISTINCT id) FILTER (WHERE valid_to IS NULL AND run_id <> (SELECT min(id) FROM `+s.table("sync_runs")+`)
                                   AND id NOT IN (SELECT id FROM `+h+` WHERE valid_to IS NOT NULL)) AS users_added,
       count(*) AS history_rows
FROM `+h)
}

// The people data's questions, over the views of migration 00012.

// AgentsWithoutStation is the first n users, by name, of
// agents_without_station who are members of a queue (agents who cannot
// take a call): their division, manager, last login and presence.
func (s *Store) AgentsWithoutStation(ctx context.Context, n int) (Table, error) {
	return s.tableOf(ctx, "agents without station", `
SELECT name, division_name, manager_name, last_login_at, system_presence
FROM `+s.table("agents_without_station")+` WHERE queue_count > 0
ORDER BY name, user_id LIMIT $1`, n)
}

// OutOfOfficeThisWeek is who is out of office now (out_of_office_now)
// and who will be within seven days (out_of_office_next_7_days), the
// first n: those out now first, each by start and name. until is NULL
// for a period without an end.
func (s *Store) OutOfOfficeThisWeek(ctx context.Context, n int) (Table, error) {
	return s.tableOf(ctx, "out of office this week", `
SELECT "when", user_name, division_name, start_date AS out_from, end_date AS back_at FROM (
    SELECT 'now' AS "when", user_name, division_name, start_date, end_date, user_id FROM `+s.table("out_of_office_now")+`
    UNION ALL
    SELECT 'next 7 days', user_name, division_name, start_date, end_date, user_id FROM `+s.table("out_of_office_next_7_days")+`
) o ORDER BY "when" = 'now' DESC, start_date, user_name, user_id LIMIT $1`, n)
}

// CapacityByMediaType is, per media type (utilization_by_media_type),
// the users with a utilization, how many have settings of their own
// (custom) and how many of those differ from the org default, the
// default capacity and the range of capacities.
func (s *Store) CapacityByMediaType(ctx context.Context) (Table, error) {
	return s.tableOf(ctx, "capacity by media type", `
SELECT media_type, count(*) AS users, count(*) FILTER (WHERE custom) AS custom,
       count(*) FILTER (WHERE custom AND differs_from_default) AS custom_differing,
       max(default_maximum_capacity) AS default_capacity,
       min(maximum_capacity) AS min_capacity, max(maximum_capacity) AS max_capacity
FROM `+s.table("utilization_by_media_type")+`
GROUP BY media_type ORDER BY media_type`)
}

// OverdueByManager is the n managers with the most overdue development
// activities among their direct reports
// (overdue_development_activities_by_manager); ties by name, reports
// without a manager under a NULL name.
func (s *Store) OverdueByManager(ctx context.Context, n int) (Table, error) {
	return s.tableOf(ctx, "overdue development by manager", `
SELECT manager_name, direct_reports, reports_with_overdue, overdue_activities, overdue_coaching, max_days_overdue
FROM `+s.table("overdue_development_activities_by_manager")+`
ORDER BY overdue_activities DESC, manager_name NULLS LAST, manager_id LIMIT $1`, n)
}

// tableOf runs the query q, named what in errors, and collects its result.
func (s *Store) tableOf(ctx context.Context, what, q string, args ...any) (Table, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return Table{}, fmt.Errorf("%s: %w", what, translate(err))
	}
	defer rows.Close()
	var t Table
	for _, fd := range rows.FieldDescriptions() {
		t.Columns = append(t.Columns, fd.Name)
	}
	t.Rows, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) ([]any, error) { return row.Values() })
	if err != nil {
		return Table{}, fmt.Errorf("%s: %w", what, translate(err))
	}
	return t, nil
}
