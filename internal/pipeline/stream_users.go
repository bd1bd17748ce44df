package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamUsers reads the users listing of every configured state, with its
// expands (RegisterExpand loads their lists), and hands the ids of the
// users over.
const StreamUsers = "users"

// Expands that are streams of their own: listing them turns the expand on.
const (
	StreamSkills    = "skills"
	StreamLanguages = "languages"
)

// UserIDs are the ids of the users the users stream read that can hold
// queue memberships and grants (not deleted), sorted: what per-user reads
// read for.
var UserIDs = Handoff[[]string]{From: StreamUsers, What: "user ids"}

// StationIDs are the ids of the stations the users' station expands name
// (default, associated, effective, last associated), sorted: the stations
// the directory stream reads by id when the org has more than its listing
// can page.
var StationIDs = Handoff[[]string]{From: StreamUsers, What: "station ids"}

// UserTotals are the users stream's counts, state by state, as soon as the
// first page of a state says them (Updates), so that a stream may choose
// its strategy before the listing is read.
var UserTotals = Handoff[StateTotal]{From: StreamUsers, What: "user counts"}

// StateTotal is the number of users of one state.
type StateTotal struct {
	State string
	Total int
}

func init() {
	Register(Spec{
		Name:  StreamUsers,
		Order: 20,
		Reads: fmt.Sprintf("`GET /api/v2/users` per state at pageSize %d with expands; skills and languages from the expands, "+
			"re-read per user only when an expand is missing or looks truncated", genesys.MaxUsersPageSize),
		Cost:   fmt.Sprintf("⌈users/%d⌉ per state", genesys.MaxUsersPageSize),
		Tables: []string{"users"},
		After:  []string{StreamReference},
		Estimate: func(s Sizes, cfg ForwardConfig) (int64, bool) {
			var n int64
			for _, st := range cfg.States {
				total, ok := s.Users[st]
				if !ok {
					return 0, false
				}
				n += int64(genesys.Pages(total, cfg.PageSize))
			}
			return n, true
		},
		New: newUsersStream,
	})
	RegisterExpand(Expand{Name: StreamSkills, Stream: true, Default: true, Tables: []string{"user_skills"},
		Load: expandLoad(func(u genesys.User, add func(load.UserSkillRow)) {
			for _, s := range u.Skills {
				add(load.UserSkillRow{UserID: u.ID, SkillID: s.ID, SkillName: s.Name, Proficiency: s.Proficiency})
			}
		}, (*load.Tx).UserSkills)})
	RegisterExpand(Expand{Name: StreamLanguages, Stream: true, Default: true, Tables: []string{"user_languages"},
		Load: expandLoad(func(u genesys.User, add func(load.UserLanguageRow)) {
			for _, l := range u.Languages {
				add(load.UserLanguageRow{UserID: u.ID, LanguageID: l.ID, LanguageName: l.Name, Proficiency: l.Proficiency})
			}
		}, (*load.Tx).UserLanguages)})
	RegisterExpand(Expand{Name: "groups", Default: true, Tables: []string{"user_groups"},
		Load: expandLoad(func(u genesys.User, add func(load.UserGroupRow)) {
			for _, g := range u.Groups {
				add(load.UserGroupRow{UserID: u.ID, GroupID: g.ID, GroupName: g.Name})
			}
		}, (*load.Tx).UserGroups)})
	RegisterExpand(Expand{Name: "locations", Default: true, Tables: []string{"user_locations"},
		Load: expandLoad(func(u genesys.User, add func(load.UserLocationRow)) {
			seen := map[string]bool{} // a user may list a location twice
			for _, l := range u.Locations {
				row := load.UserLocationRow{UserID: u.ID, LocationID: l.ID, Notes: l.Notes}
				if l.LocationDefinition != nil {
					row.LocationID = cmp.Or(l.LocationDefinition.ID, l.ID)
					row.LocationName = l.LocationDefinition.Name
				}
				if !seen[row.LocationID] {
					seen[row.LocationID] = true
					add(row)
				}
			}
		}, (*load.Tx).UserLocations)})
}

// expandLoad is an Expand's Load: rows adds the rows of one user, write
// replaces the owners' rows with them.
func expandLoad[R any](rows func(u genesys.User, add func(R)), write func(*load.Tx, context.Context, []string, []R) error) func(context.Context, *load.Tx, []string, []genesys.User) (int64, error) {
	return func(ctx context.Context, tx *load.Tx, owners []string, users []genesys.User) (int64, error) {
		var all []R
		add := func(r R) { all = append(all, r) }
		for _, u := range users {
			rows(u, add)
		}
		return int64(len(all)), write(tx, ctx, owners, all)
	}
}

func newUsersStream(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
	var expands []Expand
	for _, e := range registry.expands {
		if slices.Contains(cfg.Expand, e.Name) {
			expands = append(expands, e)
		}
	}
	run := func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
		begun := time.Now().UTC()
		ref, err := Get(ctx, out, RefData)
		if err != nil {
			return nil, err
		}
		divisions := make([]string, len(ref.Divisions))
		for i, d := range ref.Divisions {
			divisions[i] = d.ID
		}
		ucfg := extract.UsersConfig{States: cfg.States, Expand: cfg.Expand, PageSize: cfg.PageSize, Workers: cfg.Workers,
			PagingCap: cfg.PagingCap, Divisions: divisions,
			OnTotal: func(state string, total int) { Put(out, UserTotals, StateTotal{state, total}) }}
		var ids []string
		stations := map[string]bool{}
		err = Relay(ctx, out, cfg.Workers, func(ctx context.Context, pages chan<- extract.UsersPage) error {
			return extract.Users(ctx, api, ucfg, out.Progress(), pages)
		}, func(page extract.UsersPage) Batch {
			for _, u := range page.Users {
				if u.State != genesys.StateDeleted {
					ids = append(ids, u.ID)
				}
				if s := u.Station; s != nil {
					for _, st := range []*genesys.UserStation{s.DefaultStation, s.AssociatedStation, s.EffectiveStation, s.LastAssociatedStation} {
						if st != nil && st.ID != "" {
							stations[st.ID] = true
						}
					}
				}
			}
			return usersBatch(page.Users, expands)
		})
		if err != nil {
			return nil, err
		}
		slices.Sort(ids)
		Put(out, UserIDs, ids)
		Put(out, StationIDs, slices.Sorted(maps.Keys(stations)))
		// The watermark says when the read began and, in its cursor, the
		// expands it loaded, so that a plan using this load knows which
		// tables it refreshed (Expanded).
		return &load.Watermark{Time: begun, Cursor: expandCursor(cfg.Expand)}, nil
	}
	return Stream{Snapshot: cfg.completeSnapshot(), Run: run}, nil
}

// usersBatch loads a page of users, then the lists of the expands on.
func usersBatch(users []genesys.User, expands []Expand) Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		rows := make([]load.UserRow, len(users))
		owners := make([]string, len(users))
		for i, u := range users {
			owners[i] = u.ID
			rows[i] = load.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Username: u.Username, Title: u.Title, Department: u.Department,
				State: u.State, DivisionID: divisionID(u.Division), AcdAutoAnswer: u.AcdAutoAnswer, Version: u.Version, Raw: stableRaw(u.Raw)}
			if u.Manager != nil {
				rows[i].ManagerID = u.Manager.ID
			}
			if e := u.EmployerInfo; e != nil {
				rows[i].EmployeeID, rows[i].EmployeeType, rows[i].OfficialName = e.EmployeeID, e.EmployeeType, e.OfficialName
				hire, err := apiTime(u.ID, "employerInfo.dateHire", e.DateHire)
				if err != nil {
					return 0, err
				}
				rows[i].DateHire = hire
			}
			if u.Team != nil {
				rows[i].TeamID, rows[i].TeamName = u.Team.ID, u.Team.Name
			}
		}
		if err := tx.Users(ctx, rows); err != nil {
			return 0, err
		}
		n := int64(len(rows))
		for _, e := range expands {
			k, err := e.Load(ctx, tx, owners, users)
			if err != nil {
				return n, err
			}
			n += k
		}
		return n, nil
	}
}

// volatileKeys are the user fields left out of users.raw: the expanded
// lists, which have tables of their own, and fields that change without
// the user changing (presence, logins, tokens). Keeping them would make a
// run with other expands, or a user logging in, look like a change of the
// user and write a history version.
var volatileKeys = []string{
	"skills", "languages", "groups", "locations", "authorization", "profileSkills", "certifications", "team",
	"presence", "integrationPresence", "routingStatus", "conversationSummary", "outOfOffice", "geolocation",
	"station", "lastTokenIssued", "dateLastLogin", "workPlanBidRanks",
}

// stableRaw returns the user's JSON without volatileKeys, with keys in a
// stable order, so equal users give equal bytes whatever was expanded.
func stableRaw(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 {
		return raw
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return raw // not an object: keep what the API sent
	}
	for _, k := range volatileKeys {
		delete(m, k)
	}
	out, err := json.Marshal(m) // map keys are sorted
	if err != nil {
		return raw
	}
	return out
}

// expandCursorPrefix starts the users stream's watermark cursor.
const expandCursorPrefix = "expand="

// expandCursor is the users stream's watermark cursor: the expands read,
// sorted.
func expandCursor(expand []string) string {
	return expandCursorPrefix + strings.Join(slices.Sorted(slices.Values(expand)), ",")
}

// Expanded reports whether the users load whose watermark cursor is cursor
// read the expand (and so loaded its tables): false for a load recorded
// before the cursor said.
func Expanded(cursor, expand string) bool {
	list, ok := strings.CutPrefix(cursor, expandCursorPrefix)
	return ok && slices.Contains(strings.Split(list, ","), expand)
}
