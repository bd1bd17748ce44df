package pipeline

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// The users listing's expands that cost no call of their own and load a
// table each (issue 18): stations, presence, routing status and last login
// are current only (they change without the user changing); profile skills
// and certifications keep history like routing skills; out-of-office
// periods are kept as periods. employerInfo and team are columns of users
// (usersBatch).
//
// An expand is "best effort" (api-facts.md): a user the answer carries no
// such field for keeps what is stored for them, so that an expand the API
// dropped for one page never looks like a user who lost their station or
// certifications. A list the API answers empty ([]) or an object without
// the field (station {}) does replace what is stored.
func init() {
	RegisterExpand(Expand{Name: "station", Default: true, Tables: []string{"user_stations"},
		Load: presentLoad(func(u genesys.User) bool { return u.Station != nil },
			func(u genesys.User, add func(load.UserStationRow)) error {
				s := u.Station
				row := load.UserStationRow{UserID: u.ID, DefaultStationID: stationID(s.DefaultStation),
					AssociatedStationID: stationID(s.AssociatedStation), EffectiveStationID: stationID(s.EffectiveStation),
					LastAssociatedStationID: stationID(s.LastAssociatedStation)}
				if a := s.AssociatedStation; a != nil && !a.AssociatedDate.IsZero() {
					row.AssociatedDate = a.AssociatedDate.UTC()
				}
				if row != (load.UserStationRow{UserID: u.ID}) {
					add(row)
				}
				return nil
			}, (*load.Tx).UserStations)})
	RegisterExpand(Expand{Name: "presence", Default: true, Tables: []string{"user_presence"},
		Load: presentLoad(func(u genesys.User) bool { return u.Presence != nil },
			func(u genesys.User, add func(load.UserPresenceRow)) error {
				p := u.Presence
				row := load.UserPresenceRow{UserID: u.ID}
				if d := p.PresenceDefinition; d != nil {
					row.SystemPresence, row.OrganizationPresenceID = d.SystemPresence, d.ID
				}
				t, err := apiTime(u.ID, "presence.modifiedDate", p.ModifiedDate)
				if err != nil {
					return err
				}
				row.ModifiedAt = t
				add(row)
				return nil
			}, (*load.Tx).UserPresence)})
	RegisterExpand(Expand{Name: "routingStatus", Default: true, Tables: []string{"user_routing_status"},
		Load: presentLoad(func(u genesys.User) bool { return u.RoutingStatus != nil },
			func(u genesys.User, add func(load.UserRoutingStatusRow)) error {
				t, err := apiTime(u.ID, "routingStatus.startTime", u.RoutingStatus.StartTime)
				if err != nil {
					return err
				}
				add(load.UserRoutingStatusRow{UserID: u.ID, Status: u.RoutingStatus.Status, StartTime: t})
				return nil
			}, (*load.Tx).UserRoutingStatus)})
	// dateLastLogin is absent for a user who never logged in, which cannot
	// be told from a dropped expand: a user keeps their last login until
	// the API says another.
	RegisterExpand(Expand{Name: "dateLastLogin", Default: true, Tables: []string{"user_last_login"},
		Load: presentLoad(func(u genesys.User) bool { return u.DateLastLogin != "" },
			func(u genesys.User, add func(load.UserLastLoginRow)) error {
				t, err := apiTime(u.ID, "dateLastLogin", u.DateLastLogin)
				if err != nil {
					return err
				}
				add(load.UserLastLoginRow{UserID: u.ID, LastLoginAt: t})
				return nil
			}, (*load.Tx).UserLastLogin)})
	RegisterExpand(Expand{Name: "profileSkills", Default: true, Tables: []string{"user_profile_skills"},
		Load: presentLoad(func(u genesys.User) bool { return u.ProfileSkills != nil },
			func(u genesys.User, add func(load.UserProfileSkillRow)) error {
				for _, s := range distinct(u.ProfileSkills) {
					add(load.UserProfileSkillRow{UserID: u.ID, ProfileSkill: s})
				}
				return nil
			}, (*load.Tx).UserProfileSkills)})
	RegisterExpand(Expand{Name: "certifications", Default: true, Tables: []string{"user_certifications"},
		Load: presentLoad(func(u genesys.User) bool { return u.Certifications != nil },
			func(u genesys.User, add func(load.UserCertificationRow)) error {
				for _, c := range distinct(u.Certifications) {
					add(load.UserCertificationRow{UserID: u.ID, Certification: c})
				}
				return nil
			}, (*load.Tx).UserCertifications)})
	RegisterExpand(Expand{Name: "outOfOffice", Default: true, Tables: []string{"user_out_of_office"},
		Load: func(ctx context.Context, tx *load.Tx, _ []string, users []genesys.User) (int64, error) {
			var rows []load.OutOfOfficeRow
			for _, u := range users {
				row, ok, err := outOfOfficeRow(u)
				if err != nil {
					return 0, err
				}
				if ok {
					rows = append(rows, row)
				}
			}
			if len(rows) == 0 {
				return 0, nil
			}
			return int64(len(rows)), tx.OutOfOffice(ctx, rows)
		}})
}

// outOfOfficeRow is the period a user's outOfOffice names, if it names one
// (a user who never set one has an empty record, or none).
func outOfOfficeRow(u genesys.User) (load.OutOfOfficeRow, bool, error) {
	o := u.OutOfOffice
	if !o.HasPeriod() {
		return load.OutOfOfficeRow{}, false, nil
	}
	end := o.EndDate
	if o.Indefinite {
		end = time.Time{}
	}
	if !end.IsZero() && end.Before(o.StartDate) {
		return load.OutOfOfficeRow{}, false, fmt.Errorf("user %s: outOfOffice ends (%s) before it starts (%s)", u.ID,
			o.EndDate.Format(time.RFC3339), o.StartDate.Format(time.RFC3339))
	}
	return load.OutOfOfficeRow{UserID: u.ID, Start: o.StartDate.UTC(), End: end.UTC(), Indefinite: o.Indefinite, Active: o.Active, ID: o.ID}, true, nil
}

// presentLoad is an Expand's Load over the users whose answer carries the
// expand (present): each of them is an owner whose rows are replaced by
// those rows adds; the others keep theirs.
func presentLoad[R any](present func(genesys.User) bool, rows func(u genesys.User, add func(R)) error,
	write func(*load.Tx, context.Context, []string, []R) error) func(context.Context, *load.Tx, []string, []genesys.User) (int64, error) {
	return func(ctx context.Context, tx *load.Tx, _ []string, users []genesys.User) (int64, error) {
		var owners []string
		var all []R
		add := func(r R) { all = append(all, r) }
		for _, u := range users {
			if !present(u) {
				continue
			}
			owners = append(owners, u.ID)
			if err := rows(u, add); err != nil {
				return 0, err
			}
		}
		if len(owners) == 0 {
			return 0, nil
		}
		return int64(len(all)), write(tx, ctx, owners, all)
	}
}

func stationID(s *genesys.UserStation) string {
	if s == nil {
		return ""
	}
	return s.ID
}

// distinct returns the values of a list sorted without repeats or empty
// strings: a list the API repeats a value in is one row each.
func distinct(vals []string) []string {
	out := slices.DeleteFunc(slices.Clone(vals), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}

// apiTime parses a time of the API (ISO-8601, e.g. 2026-12-01T08:00:00.000Z;
// a date alone is midnight UTC); "" is the zero time. The error names the
// user and the field.
func apiTime(userID, field, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	t, err := parseAPITime(s)
	if err != nil {
		return time.Time{}, fmt.Errorf("user %s: %s %q is not an ISO-8601 time", userID, field, s)
	}
	return t, nil
}

// parseAPITime parses the API's time formats: RFC 3339 with or without
// fractions, the same without a zone (UTC), or a date.
func parseAPITime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999", "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("not an ISO-8601 time: %q", s)
}
