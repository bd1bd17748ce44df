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
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
)

// StreamExternalIDs is the stream that reads users' external ids.
const StreamExternalIDs = "external_ids"

// RefreshPipeline names the runs of Refresh in sync_runs.
const RefreshPipeline = "reverse-refresh"

// externalIDBatch bounds the users whose external ids one load call
// replaces.
const externalIDBatch = 500

// Reads says what a plan read of the org, so that apply and its
// verification read the same again. The plan carries it (diff.Plan.Reads).
type Reads = diff.Reads

// needs works out what a feed can change: the users listing (with skills,
// languages and employerInfo, free) always; every queue membership only
// when the feed has a queues column, every role grant only when it has a
// roles column; the users' locations (an expand of the same listing) and
// the org's locations listing only when it has a location column.
// Leavers' memberships are read user by user instead (membersOf), when the
// offboarding policy touches them.
func needs(columns feed.FieldSet, cfg diff.Config, skipRoles bool) Reads {
	return lifecycleNeeds(Reads{
		AllQueues: columns.Has(feed.FieldQueues),
		AllRoles:  columns.Has(feed.FieldRoles) && !skipRoles,
		Locations: columns.Has(feed.FieldLocation),
	}, columns, cfg)
}

// storedNames reads a dimension of names (locations, stations) from the
// table the directory stream loaded: a plan's refresh loads it when the
// feed has a location or default_station column, and a plan within
// refresh_max_age of a load uses it as it stands, without a call.
func (s *Service) storedNames(ctx context.Context, table string) (feed.Dimension, error) {
	var d feed.Dimension
	if err := s.store.DimensionNames(ctx, table, d.Add); err != nil {
		return d, err
	}
	return d, nil
}

// streamsFor lists the forward streams a refresh with these reads runs.
func streamsFor(r Reads) []string {
	names := []string{pipeline.StreamReference, pipeline.StreamUsers, pipeline.StreamSkills, pipeline.StreamLanguages}
	if r.AllQueues {
		names = append(names, pipeline.StreamQueues)
	}
	if r.AllRoles {
		names = append(names, pipeline.StreamRoles)
	}
	if r.Locations || r.Stations {
		// The names a location or default_station column resolves
		// against (storedNames).
		names = append(names, pipeline.StreamDirectory)
	}
	return names
}

// Refresh loads the current state into Postgres through the forward
// streams a plan with these reads needs (reference data, users of every
// state with skills, languages, employerInfo and team; queue memberships and
// role grants only when the feed speaks for them), plus the external ids
// of the users named in reread (the users an apply registered ids on).
func (s *Service) Refresh(ctx context.Context, r Reads, reread []string) (pipeline.Summary, error) {
	// employerInfo and team are columns of users, so the refresh reads them
	// as the forward pipelines do: a column it left out would read as a
	// change of every user (a history version each) when the two alternate.
	// station fills user_stations, where a plan takes its leavers'
	// stations from (Reads.StoredStations).
	expand := []string{"skills", "languages", "employerInfo", "team", "station"}
	if r.Locations {
		expand = append(expand, "locations")
	}
	streams, err := pipeline.ForwardStreams(s.api, pipeline.ForwardConfig{
		Streams: streamsFor(r),
		States:  []string{genesys.StateActive, genesys.StateInactive, genesys.StateDeleted},
		Expand:  expand,
		Workers: s.workers,
	})
	if err != nil {
		return pipeline.Summary{}, err
	}
	if len(reread) > 0 {
		streams = append(streams, pipeline.Stream{Name: StreamExternalIDs, After: []string{pipeline.StreamUsers}, Load: s.externalIDsLoad(reread)})
	}
	sum, err := s.runner.Run(ctx, RefreshPipeline, streams, nil)
	if err != nil {
		return sum, fmt.Errorf("refresh the current state: %w", err)
	}
	return sum, nil
}

// fresh reports whether every stream these reads need was read completely
// less than maxAge ago (by any pipeline of this schema), and when the
// oldest of them was. It also marks, in the Reads it returns, the
// memberships a complete load holds within maxAge (queues, roles), which
// a plan then takes from Postgres instead of reading its leavers', and
// whether the latest users load read the stations (StoredStations).
func (s *Service) fresh(ctx context.Context, r Reads, maxAge time.Duration) (bool, Reads, error) {
	if maxAge <= 0 {
		return false, r, nil
	}
	names := slices.DeleteFunc(streamsFor(r), func(n string) bool { return n == pipeline.StreamSkills || n == pipeline.StreamLanguages })
	at, err := s.store.SnapshotTimes(ctx, append(names, pipeline.StreamQueues, pipeline.StreamRoles))
	if err != nil {
		return false, r, err
	}
	young := func(n string) bool { t, ok := at[n]; return ok && time.Since(t) <= maxAge }
	var oldest time.Time
	for _, n := range names {
		if !young(n) {
			return false, r, nil
		}
		if t := at[n]; oldest.IsZero() || t.Before(oldest) {
			oldest = t
		}
	}
	// The latest users load records the expands it read: a feed with a
	// location column needs the users' locations, and the leavers'
	// stations come from it when it read them.
	_, cursor, err := s.store.LatestSnapshot(ctx, pipeline.StreamUsers)
	if err != nil {
		return false, r, err
	}
	if r.Locations && !pipeline.Expanded(cursor, "locations") {
		return false, r, nil
	}
	r.StateAt = oldest
	r.StoredQueues = !r.AllQueues && young(pipeline.StreamQueues)
	r.StoredRoles = !r.AllRoles && young(pipeline.StreamRoles)
	r.StoredStations = pipeline.Expanded(cursor, "station")
	return true, r, nil
}

// storedStationsOf takes the stations of users from Postgres
// (user_stations, Reads.StoredStations) into into.stationsOf: a user
// without a row has none.
func (s *Service) storedStationsOf(ctx context.Context, users []string, into *orgReads) error {
	if len(users) == 0 {
		return nil
	}
	ids, err := s.store.UserStationIDs(ctx, users)
	if err != nil {
		return err
	}
	if into.stationsOf == nil {
		into.stationsOf = map[string]genesys.UserStations{}
	}
	for _, u := range users {
		var st genesys.UserStations
		if id := ids[u][0]; id != "" {
			st.DefaultStation = &genesys.UserStation{ID: id}
		}
		if id := ids[u][1]; id != "" {
			st.AssociatedStation = &genesys.UserStation{ID: id}
		}
		into.stationsOf[u] = st
	}
	return nil
}

// readMembersOf reads the queue memberships and role grants of users one
// by one (pipeline.MembersOfStream) into Postgres.
func (s *Service) readMembersOf(ctx context.Context, users []string, queues, roles bool) (pipeline.Summary, error) {
	if len(users) == 0 || (!queues && !roles) {
		return pipeline.Summary{}, nil
	}
	sum, err := s.runner.Run(ctx, RefreshPipeline, []pipeline.Stream{pipeline.MembersOfStream(s.api, users, queues, roles, s.workers)}, nil)
	if err != nil {
		return sum, fmt.Errorf("read the memberships of %d users: %w", len(users), err)
	}
	return sum, nil
}

// leaverReads lists the users whose memberships a plan must read one by
// one: the active users it offboards (the ones leaving now), when the
// offboarding policy touches queues or roles the feed does not speak for.
// Users already inactive keep what Postgres holds for them.
func leaverReads(p *diff.Plan, cur *diff.Current, r Reads) (users []string, queues, roles bool) {
	off := p.Settings.Offboard
	queues = !r.AllQueues && !r.StoredQueues && (off.UnjoinQueues || off.RemoveQueues)
	// Deactivating or deleting drops the grants: only a leaver kept active
	// has roles to strip.
	roles = !r.AllRoles && !r.StoredRoles && off.StripRoles && off.Action == diff.OffboardNone
	if !queues && !roles {
		return nil, false, false
	}
	active := map[string]bool{}
	for i := range cur.Users {
		if cur.Users[i].State == diff.StateActive {
			active[cur.Users[i].ID] = true
		}
	}
	for _, u := range p.Users {
		if u.Action == diff.ActionOffboard && active[u.UserID] {
			users = append(users, u.UserID)
		}
	}
	slices.Sort(users)
	return users, queues, roles
}

// lookupExternalIDs finds the users registered under the employee ids
// keys (one GET /api/v2/users/externalid/{authority}/{key} each) and reads
// and stores the external ids of those found and of users (one GET each),
// so that this plan and the next know them. See pairing.
func (s *Service) lookupExternalIDs(ctx context.Context, keys, users []string) (pipeline.Summary, error) {
	if len(keys) == 0 && len(users) == 0 {
		return pipeline.Summary{}, nil
	}
	st := pipeline.Stream{Name: StreamExternalIDs, Load: func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		p.AddTotal(int64(len(keys)))
		p.MinCalls(int64(len(keys)))
		var mu sync.Mutex
		found := slices.Clone(users)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.workers)
		for _, k := range keys {
			auth, key, _ := strings.Cut(k, "\x00")
			g.Go(func() error {
				u, err := s.api.GetUserByExternalID(gctx, auth, key, nil)
				p.Done(1)
				if errors.Is(err, genesys.ErrNotFound) {
					return nil // a joiner
				}
				if err != nil {
					return fmt.Errorf("look up external id %s/%s: %w", auth, key, err)
				}
				mu.Lock()
				found = append(found, u.ID)
				mu.Unlock()
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		slices.Sort(found)
		found = slices.Compact(found)
		return nil, s.loadExternalIDs(ctx, tx, p, found)
	}}
	sum, err := s.runner.Run(ctx, RefreshPipeline, []pipeline.Stream{st}, nil)
	if err != nil {
		return sum, fmt.Errorf("look up employee ids as external ids: %w", err)
	}
	return sum, nil
}

// pairing says which reads tell whether a feed row that no known key
// finds is an existing account: the rows' employee ids to look up as
// external ids (keys, "authority\x00key"), or the external ids of the
// accounts it could be (users). Such a row and such an account could be
// one person only when the account's external ids are unknown and, where
// the org's employee ids are the key, it has none; so when no account is
// a candidate there is nothing to read, and otherwise the smaller side is
// read (a joiner, or a candidate account, costs one call).
func pairing(f *feed.Feed, cur *diff.Current, cfg diff.Config) (keys, users []string) {
	if cfg.Authority == "" {
		return nil, nil
	}
	ext, emp, mail := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i := range cur.Users {
		u := &cur.Users[i]
		if k := u.ExternalIDs[cfg.Authority]; k != "" {
			ext[k] = true
		}
		if u.EmployeeID != "" && !cfg.IgnoreOrgEmployeeID {
			emp[strings.ToLower(u.EmployeeID)] = true
		}
		if u.Email != "" {
			mail[strings.ToLower(u.Email)] = true
		}
	}
	claimed := map[string]bool{} // emails and employee ids the feed matches
	check := func(id, email string) {
		if email != "" {
			claimed["email:"+strings.ToLower(email)] = true
		}
		if id != "" {
			claimed["employee:"+strings.ToLower(id)] = true
		}
		if id == "" || ext[id] || emp[strings.ToLower(id)] || (email != "" && mail[strings.ToLower(email)]) {
			return
		}
		keys = append(keys, cfg.Authority+"\x00"+id)
	}
	for i := range f.Employees {
		check(f.Employees[i].EmployeeID, f.Employees[i].Email)
		if m := f.Employees[i].ManagerEmployeeID; m != "" {
			check(m, "")
		}
	}
	for _, r := range f.Rejected {
		check(r.EmployeeID, r.Email)
	}
	if len(keys) == 0 {
		return nil, nil
	}
	for i := range cur.Users {
		u := &cur.Users[i]
		switch {
		case u.State == diff.StateDeleted || !u.ExternalIDsUnknown:
		case u.EmployeeID != "" && !cfg.IgnoreOrgEmployeeID:
		case claimed["email:"+strings.ToLower(u.Email)]:
		default:
			users = append(users, u.ID)
		}
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	switch {
	case len(users) == 0:
		return nil, nil
	case len(users) <= len(keys):
		return nil, users
	}
	return keys, nil
}

func (s *Service) externalIDsLoad(reread []string) func(context.Context, *load.Tx, *pipeline.StreamProgress) (*load.Watermark, error) {
	return func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		ids := slices.Clone(reread)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		return nil, s.loadExternalIDs(ctx, tx, p, ids)
	}
}

// loadExternalIDs reads the external ids of users (one call each) and
// replaces what is stored for them.
func (s *Service) loadExternalIDs(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress, ids []string) error {
	p.AddTotal(int64(len(ids)))
	p.MinCalls(int64(len(ids)))
	for start := 0; start < len(ids); start += externalIDBatch {
		batch := ids[start:min(start+externalIDBatch, len(ids))]
		var mu sync.Mutex
		var rows []load.ExternalIDRow
		var owners []string
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(s.workers)
		for _, id := range batch {
			g.Go(func() error {
				xs, err := s.api.GetUserExternalIDs(gctx, id)
				if errors.Is(err, genesys.ErrNotFound) {
					return nil // deleted since the users stream read it
				}
				if err != nil {
					return fmt.Errorf("external ids of user %s: %w", id, err)
				}
				mu.Lock()
				owners = append(owners, id)
				for _, x := range xs {
					rows = append(rows, load.ExternalIDRow{UserID: id, AuthorityName: x.AuthorityName, ExternalKey: x.ExternalKey})
				}
				mu.Unlock()
				p.Done(1)
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		slices.Sort(owners)
		if err := tx.ExternalIDs(ctx, owners, rows); err != nil {
			return err
		}
		p.Rows(int64(len(rows)))
	}
	return nil
}
