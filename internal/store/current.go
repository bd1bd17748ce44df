package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// CurrentState is the org as the forward streams last loaded it: what the
// reverse path diffs an HR feed against. Rows marked deleted_at (vanished
// from a complete snapshot) are left out.
type CurrentState struct {
	Users       []CurrentUser
	Skills      []CurrentLevel // user skills
	Languages   []CurrentLevel // user languages
	Queues      []CurrentQueue
	Grants      []CurrentGrant
	ExternalIDs []CurrentExternalID
	// Locations are the users' locations (user_locations, loaded when the
	// users listing expands locations), with the location names.
	Locations []CurrentLocation

	DivisionNames  []NamedID
	SkillNames     []NamedID
	LanguageNames  []NamedID
	RoleNames      []NamedID
	QueueNames     []NamedID
	HomeDivisionID string
	// QueueJoined is each queue's joinedMemberCount, by queue id.
	QueueJoined map[string]int
}

// CurrentUser is one row of users.
type CurrentUser struct {
	ID, Name, Email, Title, Department, State, DivisionID, ManagerID, EmployeeID string
	ACDAutoAnswer                                                                bool
	Version                                                                      int
	// Addresses is the user's addresses as the API answered them (the JSON
	// array of Contact from users.raw), nil when it has none.
	Addresses []byte
	// DateHire, OfficialName and EmployeeType are the rest of employerInfo
	// (from users.raw; empty when the listing did not expand it).
	DateHire, OfficialName, EmployeeType string
}

// CurrentLocation is a user's location.
type CurrentLocation struct{ UserID, LocationID, Name string }

// CurrentLevel is a user's skill or language with its proficiency.
type CurrentLevel struct {
	UserID, ID  string
	Proficiency float64
}

// CurrentQueue is a user's queue membership.
type CurrentQueue struct {
	UserID, QueueID string
	Joined          bool
}

// CurrentGrant is a role granted to a user in a division.
type CurrentGrant struct{ UserID, RoleID, DivisionID string }

// CurrentExternalID is an external id registered on a user.
type CurrentExternalID struct{ UserID, Authority, Key string }

// NamedID is a dimension row.
type NamedID struct{ ID, Name string }

// ReadCurrent reads the current state in one repeatable-read transaction,
// so that users and their memberships are of one moment.
func (s *Store) ReadCurrent(ctx context.Context) (*CurrentState, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("read current state: %w", translate(err))
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	cs := &CurrentState{QueueJoined: map[string]int{}}
	t := s.table
	steps := []struct {
		what string
		sql  string
		scan func(pgx.Rows) error
	}{
		// The addresses and the rest of employerInfo have no column of their
		// own: they are read from raw, and an empty addresses array as NULL.
		{"users", `SELECT id, coalesce(name, ''), coalesce(email, ''), coalesce(title, ''), coalesce(department, ''),
			coalesce(state, ''), coalesce(division_id, ''), coalesce(manager_id, ''), coalesce(employee_id, ''),
			coalesce(acd_auto_answer, false), coalesce(version, 0),
			nullif(raw->'addresses', '[]'::jsonb)::text, coalesce(raw->'employerInfo'->>'dateHire', ''),
			coalesce(raw->'employerInfo'->>'officialName', ''), coalesce(raw->'employerInfo'->>'employeeType', '')
			FROM ` + t("users") + ` WHERE deleted_at IS NULL ORDER BY id`,
			func(r pgx.Rows) error {
				var u CurrentUser
				var addr *string
				err := r.Scan(&u.ID, &u.Name, &u.Email, &u.Title, &u.Department, &u.State, &u.DivisionID, &u.ManagerID, &u.EmployeeID, &u.ACDAutoAnswer, &u.Version,
					&addr, &u.DateHire, &u.OfficialName, &u.EmployeeType)
				if addr != nil {
					u.Addresses = []byte(*addr)
				}
				cs.Users = append(cs.Users, u)
				return err
			}},
		{"user_locations", `SELECT user_id, location_id, coalesce(location_name, '') FROM ` + t("user_locations") + ` ORDER BY user_id, location_id`, func(r pgx.Rows) error {
			var l CurrentLocation
			err := r.Scan(&l.UserID, &l.LocationID, &l.Name)
			cs.Locations = append(cs.Locations, l)
			return err
		}},
		{"user_skills", `SELECT user_id, skill_id, coalesce(proficiency, 0) FROM ` + t("user_skills"), func(r pgx.Rows) error {
			var l CurrentLevel
			err := r.Scan(&l.UserID, &l.ID, &l.Proficiency)
			cs.Skills = append(cs.Skills, l)
			return err
		}},
		{"user_languages", `SELECT user_id, language_id, coalesce(proficiency, 0) FROM ` + t("user_languages"), func(r pgx.Rows) error {
			var l CurrentLevel
			err := r.Scan(&l.UserID, &l.ID, &l.Proficiency)
			cs.Languages = append(cs.Languages, l)
			return err
		}},
		{"user_queues", `SELECT user_id, queue_id, joined FROM ` + t("user_queues"), func(r pgx.Rows) error {
			var q CurrentQueue
			err := r.Scan(&q.UserID, &q.QueueID, &q.Joined)
			cs.Queues = append(cs.Queues, q)
			return err
		}},
		{"user_role_grants", `SELECT user_id, role_id, division_id FROM ` + t("user_role_grants"), func(r pgx.Rows) error {
			var g CurrentGrant
			err := r.Scan(&g.UserID, &g.RoleID, &g.DivisionID)
			cs.Grants = append(cs.Grants, g)
			return err
		}},
		{"user_external_ids", `SELECT user_id, authority_name, external_key FROM ` + t("user_external_ids"), func(r pgx.Rows) error {
			var x CurrentExternalID
			err := r.Scan(&x.UserID, &x.Authority, &x.Key)
			cs.ExternalIDs = append(cs.ExternalIDs, x)
			return err
		}},
		{"divisions", `SELECT id, name, home_division FROM ` + t("divisions") + ` WHERE deleted_at IS NULL ORDER BY id`, func(r pgx.Rows) error {
			var d NamedID
			var home bool
			err := r.Scan(&d.ID, &d.Name, &home)
			if home {
				cs.HomeDivisionID = d.ID
			}
			cs.DivisionNames = append(cs.DivisionNames, d)
			return err
		}},
		{"skills", `SELECT id, name FROM ` + t("skills") + ` WHERE deleted_at IS NULL ORDER BY id`, func(r pgx.Rows) error {
			var d NamedID
			err := r.Scan(&d.ID, &d.Name)
			cs.SkillNames = append(cs.SkillNames, d)
			return err
		}},
		{"languages", `SELECT id, name FROM ` + t("languages") + ` WHERE deleted_at IS NULL ORDER BY id`, func(r pgx.Rows) error {
			var d NamedID
			err := r.Scan(&d.ID, &d.Name)
			cs.LanguageNames = append(cs.LanguageNames, d)
			return err
		}},
		{"roles", `SELECT id, name FROM ` + t("roles") + ` WHERE deleted_at IS NULL ORDER BY id`, func(r pgx.Rows) error {
			var d NamedID
			err := r.Scan(&d.ID, &d.Name)
			cs.RoleNames = append(cs.RoleNames, d)
			return err
		}},
		{"queues", `SELECT id, name, coalesce(joined_member_count, 0) FROM ` + t("queues") + ` WHERE deleted_at IS NULL ORDER BY id`, func(r pgx.Rows) error {
			var d NamedID
			var joined int
			err := r.Scan(&d.ID, &d.Name, &joined)
			cs.QueueNames = append(cs.QueueNames, d)
			cs.QueueJoined[d.ID] = joined
			return err
		}},
	}
	for _, st := range steps {
		rows, err := tx.Query(ctx, st.sql)
		if err != nil {
			return nil, fmt.Errorf("read current state: %s: %w", st.what, translate(err))
		}
		for rows.Next() {
			if err := st.scan(rows); err != nil {
				rows.Close()
				return nil, fmt.Errorf("read current state: %s: %w", st.what, translate(err))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("read current state: %s: %w", st.what, translate(err))
		}
	}
	return cs, nil
}

// UsersWithoutExternalIDs returns the ids of the users (not deleted) that
// have no row in user_external_ids: the users whose external ids have never
// been read.
func (s *Store) UsersWithoutExternalIDs(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT u.id FROM `+s.table("users")+` u WHERE u.deleted_at IS NULL AND coalesce(u.state, '') <> 'deleted'
		AND NOT EXISTS (SELECT 1 FROM `+s.table("user_external_ids")+` x WHERE x.user_id = u.id) ORDER BY u.id`)
	if err != nil {
		return nil, fmt.Errorf("list users without external ids: %w", translate(err))
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("list users without external ids: %w", translate(err))
	}
	return ids, nil
}

// LatestUnfinishedPlan returns the newest plan that is applying or failed:
// the one `syncer apply --resume` continues. ErrNotFound when there is none.
func (s *Store) LatestUnfinishedPlan(ctx context.Context) (Plan, error) {
	var p Plan
	err := s.pool.QueryRow(ctx, "SELECT id, fingerprint, status, body, created_at, updated_at FROM "+s.table("plans")+
		" WHERE status IN ('applying', 'failed') ORDER BY updated_at DESC, id LIMIT 1").
		Scan(&p.ID, &p.Fingerprint, &p.Status, &p.Body, &p.CreatedAt, &p.UpdatedAt)
	if err != nil {
		return Plan{}, fmt.Errorf("find the plan to resume: %w", translate(err))
	}
	return p, nil
}
