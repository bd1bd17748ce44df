package reverse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
)

// The reads of the joiner and leaver steps: a users listing of its own
// with the station, profileSkills, dateWelcomeSent and dateLastLogin
// expands the feed's columns need (the forward users stream leaves them
// out of users.raw: they change without the user changing), the MFA verifiers,
// utilization and stations of the leavers leaving now (a call each), and
// the journal's deactivations for offboard.delete_after. None of it is
// stored in Postgres: a plan holds it in memory (orgReads) and the
// verification after an apply reads it again.

// Stream names of these reads (sync_stream_runs of the reverse-refresh
// pipeline).
const (
	StreamLeavers       = "leavers"
	StreamUserLifecycle = "user_lifecycle"
)

// lifecycleNeeds adds to r what the feed's joiner columns and the plan's
// leaver policy read.
func lifecycleNeeds(r Reads, columns feed.FieldSet, cfg diff.Config) Reads {
	cfg = cfg.WithDefaults()
	r.Stations = columns.Has(feed.FieldDefaultStation)
	r.ProfileSkills = columns.Has(feed.FieldProfileSkills)
	r.Invites = cfg.Onboard.ResendAfter > 0
	r.Deactivations = cfg.Offboard.DeleteAfter > 0
	return r
}

// lifecycleExpands are the expands of the lifecycle users listing these
// reads need (none: no such listing).
func lifecycleExpands(r Reads) []string {
	var out []string
	if r.Stations {
		out = append(out, "station")
	}
	if r.ProfileSkills {
		out = append(out, "profileSkills")
	}
	if r.Invites {
		out = append(out, "dateWelcomeSent", "dateLastLogin")
	}
	return out
}

// orgReads is what a plan read beyond Postgres's tables; compute lays it
// over the state read from them.
type orgReads struct {
	r           Reads
	locations   *feed.Dimension
	stations    *feed.Dimension
	verifiers   map[string][]string
	utilization map[string]*diff.Utilization
	stationsOf  map[string]genesys.UserStations
	// users holds what the lifecycle users listing answered, by user id.
	users       map[string]*userLifecycle
	deactivated map[string]time.Time
	asOf        time.Time
}

// overlay lays what was read over st.
func (o *orgReads) overlay(st *State) {
	if o == nil {
		return
	}
	if o.locations != nil {
		st.Refs.Locations = *o.locations
	}
	if o.stations != nil {
		st.Refs.Stations = *o.stations
	}
	st.Current.AsOf = o.asOf
	for i := range st.Current.Users {
		u := &st.Current.Users[i]
		if l := o.users[u.ID]; l != nil {
			// The listing expanded these for every user it answered: one
			// without a station has none.
			u.StationsKnown, u.ProfileSkillsKnown, u.InviteKnown = o.r.Stations, o.r.ProfileSkills, o.r.Invites
			u.DefaultStationID, u.AssociatedStationID = l.defaultStation, l.associatedStation
			u.ProfileSkills = slices.Clone(l.profileSkills)
			u.WelcomeSent, u.LoggedIn = l.welcomeSent, l.loggedIn
		}
		if vs, ok := o.verifiers[u.ID]; ok {
			u.Verifiers, u.VerifiersKnown = slices.Clone(vs), true
		}
		if ut, ok := o.utilization[u.ID]; ok {
			c := *ut
			u.Utilization = &c
		}
		if s, ok := o.stationsOf[u.ID]; ok {
			u.DefaultStationID, u.AssociatedStationID = stationIDs(&s)
			u.StationsKnown = true
		}
		if at, ok := o.deactivated[u.ID]; ok {
			u.OffboardedAt = at
		}
	}
}

// userLifecycle is what the lifecycle users listing says of a user.
type userLifecycle struct {
	defaultStation, associatedStation string
	profileSkills                     []string
	welcomeSent                       time.Time
	loggedIn                          bool
}

// readUserLifecycle lists the active and inactive users with the
// lifecycle expands r needs (⌈users/500⌉ calls a state, split by division
// past the paging cap as the users stream is), in a run of its own, into
// into.users. The station names met go into into.stations when the
// stations listing was not read.
func (s *Service) readUserLifecycle(ctx context.Context, r Reads, divisions []string, into *orgReads) (pipeline.Summary, error) {
	expand := lifecycleExpands(r)
	if len(expand) == 0 {
		return pipeline.Summary{}, nil
	}
	into.users = map[string]*userLifecycle{}
	st := pipeline.Stream{Name: StreamUserLifecycle, Load: func(ctx context.Context, _ *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		pages := make(chan extract.UsersPage, 4)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error { // Users closes pages when it returns
			return extract.Users(gctx, s.api, extract.UsersConfig{States: []string{genesys.StateActive, genesys.StateInactive},
				Expand: expand, Workers: s.workers, Divisions: divisions}, p, pages)
		})
		g.Go(func() error {
			for page := range pages {
				for _, u := range page.Users {
					l := &userLifecycle{profileSkills: u.ProfileSkills, loggedIn: u.DateLastLogin != ""}
					if u.Station != nil {
						l.defaultStation, l.associatedStation = stationIDs(u.Station)
					}
					if u.DateWelcomeSent != "" {
						l.welcomeSent, _ = time.Parse(time.RFC3339, u.DateWelcomeSent)
					}
					into.users[u.ID] = l
				}
			}
			return nil
		})
		return nil, g.Wait()
	}}
	sum, err := s.runner.Run(ctx, RefreshPipeline, []pipeline.Stream{st}, nil)
	if err != nil {
		return sum, fmt.Errorf("read the users' %s: %w", strings.Join(expand, ", "), err)
	}
	return sum, nil
}

// stationIDs are the ids of a user's default and associated stations.
func stationIDs(s *genesys.UserStations) (def, assoc string) {
	if d := s.DefaultStation; d != nil {
		def = d.ID
	}
	if a := s.AssociatedStation; a != nil {
		assoc = a.ID
	}
	return def, assoc
}

// leaverLookups says what a plan reads of the leavers leaving now: the MFA
// verifiers (offboard.revoke_mfa, a call each) and the stations
// (offboard.release_stations, unless the lifecycle listing expanded them
// for a default_station column: the users listing by id with the station
// expand, a call per 100). utilization is read one by one by the
// verification only (offboard.reset_utilization resets without reading:
// the DELETE costs what the read would).
type leaverLookups struct{ verifiers, utilization, stations bool }

func (l leaverLookups) any() bool { return l.verifiers || l.utilization || l.stations }

// leaversOf lists the users a plan's leaver steps apply to, whose
// verifiers, utilization and stations it reads one by one: the active
// users it offboards (leaving now), unless the policy deletes them or
// reads none of them.
func leaversOf(p *diff.Plan, cur *diff.Current, r Reads) (users []string, what leaverLookups) {
	off := p.Settings.Offboard
	what = leaverLookups{verifiers: off.RevokeMFA, stations: off.ReleaseStations && !r.Stations && !r.StoredStations}
	if off.Action == diff.OffboardDelete || !what.any() {
		return nil, leaverLookups{}
	}
	return leavingNow(p, cur), what
}

// storedStationLeavers lists the leavers leaving now whose stations a plan
// takes from Postgres (Reads.StoredStations), for
// offboard.release_stations.
func storedStationLeavers(p *diff.Plan, cur *diff.Current, r Reads) []string {
	off := p.Settings.Offboard
	if !off.ReleaseStations || r.Stations || !r.StoredStations || off.Action == diff.OffboardDelete {
		return nil
	}
	return leavingNow(p, cur)
}

// leavingNow lists the active users a plan offboards, sorted.
func leavingNow(p *diff.Plan, cur *diff.Current) []string {
	active := map[string]bool{}
	for i := range cur.Users {
		if cur.Users[i].State == diff.StateActive {
			active[cur.Users[i].ID] = true
		}
	}
	var users []string
	for _, u := range p.Users {
		if u.Action == diff.ActionOffboard && active[u.UserID] {
			users = append(users, u.UserID)
		}
	}
	slices.Sort(users)
	return users
}

// readLeavers reads what, of users (GET /api/v2/users/{id}/verifiers and
// GET /api/v2/routing/users/{id}/utilization one by one, the stations with
// GET /api/v2/users?id=… in hundreds), in a run of its own. A user deleted
// since the listing is left out.
func (s *Service) readLeavers(ctx context.Context, users []string, what leaverLookups, into *orgReads) (pipeline.Summary, error) {
	if len(users) == 0 || !what.any() {
		return pipeline.Summary{}, nil
	}
	if into.verifiers == nil {
		into.verifiers = map[string][]string{}
	}
	if into.utilization == nil {
		into.utilization = map[string]*diff.Utilization{}
	}
	if into.stationsOf == nil {
		into.stationsOf = map[string]genesys.UserStations{}
	}
	var mu sync.Mutex
	st := pipeline.Stream{Name: StreamLeavers, Load: func(ctx context.Context, _ *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		calls := 0
		for _, on := range []bool{what.verifiers, what.utilization} {
			if on {
				calls += len(users)
			}
		}
		if what.stations {
			calls += (len(users) + genesys.MaxUserIDsPerRequest - 1) / genesys.MaxUserIDsPerRequest
		}
		p.AddTotal(int64(calls))
		p.MinCalls(int64(calls))
		if what.stations {
			for start := 0; start < len(users); start += genesys.MaxUserIDsPerRequest {
				ids := users[start:min(start+genesys.MaxUserIDsPerRequest, len(users))]
				l, err := s.api.ListUsers(ctx, &genesys.ListUsersOptions{IDs: ids, Expand: []string{"station"},
					ListOptions: genesys.ListOptions{PageSize: len(ids)}})
				p.Done(1)
				if err != nil {
					return nil, fmt.Errorf("stations of %d users: %w", len(ids), err)
				}
				for _, u := range l.Entities {
					into.stationsOf[u.ID] = cmpStations(u.Station)
				}
			}
		}
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.workers)
		for _, id := range users {
			g.Go(func() error {
				// each makes one read; a user deleted since the listing
				// (404) is left out.
				each := func(on bool, what string, read func() (func(), error)) (bool, error) {
					if !on {
						return true, nil
					}
					keep, err := read()
					p.Done(1)
					switch {
					case errors.Is(err, genesys.ErrNotFound):
						return false, nil
					case err != nil:
						return false, fmt.Errorf("%s of user %s: %w", what, id, err)
					}
					mu.Lock()
					keep()
					mu.Unlock()
					return true, nil
				}
				for _, r := range []struct {
					on   bool
					what string
					read func() (func(), error)
				}{
					{what.verifiers, "verifiers", func() (func(), error) {
						vs, err := s.api.UserVerifiers(gctx, id)
						ids := make([]string, len(vs))
						for k, v := range vs {
							ids[k] = v.ID
						}
						return func() { into.verifiers[id] = ids }, err
					}},
					{what.utilization, "utilization", func() (func(), error) {
						ut, err := s.api.UserUtilization(gctx, id)
						return func() { into.utilization[id] = utilizationOf(ut) }, err
					}},
				} {
					if more, err := each(r.on, r.what, r.read); !more || err != nil {
						return err
					}
				}
				return nil
			})
		}
		return nil, g.Wait()
	}}
	sum, err := s.runner.Run(ctx, RefreshPipeline, []pipeline.Stream{st}, nil)
	if err != nil {
		return sum, fmt.Errorf("read the verifiers and utilization of %d leavers: %w", len(users), err)
	}
	return sum, nil
}

// cmpStations is a listed user's stations (none when the expand is
// absent: the user has none).
func cmpStations(s *genesys.UserStations) genesys.UserStations {
	if s == nil {
		return genesys.UserStations{}
	}
	return *s
}

// utilizationOf is a user's utilization as the planner compares it.
func utilizationOf(a genesys.AgentMaxUtilizationResponse) *diff.Utilization {
	u := &diff.Utilization{Agent: a.Level == genesys.LevelAgent, Media: map[string]diff.MediaUtilization{}}
	for mt, m := range a.Utilization {
		u.Media[mt] = diff.MediaUtilization{MaximumCapacity: m.MaximumCapacity, InterruptableMediaTypes: slices.Clone(m.InterruptableMediaTypes),
			IncludeNonACD: m.IncludeNonAcd}
	}
	return u
}

// utilizationTouched lists the users whose utilization the verification
// after an apply reads again: those a set_utilization of the plan names by
// id, and, when one names a user the plan created, every touched user no
// operation names by id (the created ones: their ids are known only after
// their create).
func utilizationTouched(p *diff.Plan, touched []string) []string {
	named, set := map[string]bool{}, map[string]bool{}
	created := false
	for i := range p.Operations {
		o := &p.Operations[i]
		for _, r := range append([]diff.UserRef{}, o.Members...) {
			named[r.ID] = true
		}
		if o.User == nil {
			continue
		}
		named[o.User.ID] = true
		if o.Kind == diff.KindSetUtilization {
			set[o.User.ID] = true
			created = created || o.User.ID == ""
		}
	}
	var out []string
	for _, id := range touched {
		if set[id] || (created && !named[id]) {
			out = append(out, id)
		}
	}
	return out
}

// lifecycleUsers runs the lifecycle users listing when r needs one, split
// by the divisions of the stored state past the paging cap.
func (s *Service) lifecycleUsers(ctx context.Context, sp Spec, r Reads, into *orgReads) (pipeline.Summary, error) {
	if len(lifecycleExpands(r)) == 0 {
		return pipeline.Summary{}, nil
	}
	st, err := s.State(ctx, sp.Diff)
	if err != nil {
		return pipeline.Summary{}, err
	}
	return s.readUserLifecycle(ctx, r, st.Refs.Divisions.IDs(), into)
}
