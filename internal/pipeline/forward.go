package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// ForwardAPI is every API call the forward streams make.
type ForwardAPI interface {
	extract.UsersAPI
	extract.ReferenceAPI
	extract.QueuesAPI
	extract.RolesAPI
	extract.AnalyticsAPI
}

// Stream names of the forward path.
const (
	StreamReference      = "reference"
	StreamUsers          = "users"
	StreamQueues         = "queues"
	StreamRoles          = "roles"
	StreamUserDetails    = "user_details"
	StreamUserAggregates = "user_aggregates"
)

// Queue membership strategies.
const (
	QueueStrategyAuto    = "auto"
	QueueStrategyQueue   = string(extract.QueueSide)
	QueueStrategyPerUser = string(extract.PerUser)
)

// ForwardConfig says what a forward pipeline reads. The zero value reads
// reference data and active users.
type ForwardConfig struct {
	// Streams to run: reference, users, skills, languages, queues, roles,
	// user_details, user_aggregates. skills and languages are loaded by the
	// users stream (from its expands) and only decide whether it loads them.
	// reference is added when a stream needs it.
	Streams []string
	// States of users to read. Default active. Users are marked deleted
	// (deleted_at) only when all of active, inactive and deleted are read.
	States []string
	// Expand of GET /api/v2/users; skills and languages are added when those
	// streams are on.
	Expand []string
	// PageSize of GET /api/v2/users. Default 500.
	PageSize int
	// QueueStrategy is auto, queue or user. Default auto.
	QueueStrategy string
	// Workers is how many calls a stream keeps in flight. Default 4.
	Workers int
	// PagingCap is the API's deep-paging cap. Default genesys.PagingCap.
	PagingCap int
	// Analytics configures user_details and user_aggregates. Unless its
	// Slots are set, both streams share one set of MaxConcurrentJobs slots.
	Analytics extract.AnalyticsConfig
}

func (c ForwardConfig) has(s string) bool { return slices.Contains(c.Streams, s) }

// forwardState is what streams hand to the streams that run after them.
// Each field is written by one stream before it finishes and read only by
// streams that run after it (After) or have waited for it (WaitFor).
type forwardState struct {
	ref     *extract.Reference
	userIDs []string // users that can hold queue memberships and grants (not deleted)
	usersOK bool
	// userTotals receives the number of users of each state of the users
	// stream as soon as it is known (buffered: one per state).
	userTotals chan stateTotal
}

type stateTotal struct {
	state string
	total int
}

// ForwardStreams builds the streams of a forward pipeline.
func ForwardStreams(api ForwardAPI, cfg ForwardConfig) ([]Stream, error) {
	cfg.PageSize = cmp.Or(cfg.PageSize, genesys.MaxUsersPageSize)
	cfg.Workers = cmp.Or(cfg.Workers, 4)
	cfg.PagingCap = cmp.Or(cfg.PagingCap, genesys.PagingCap)
	cfg.QueueStrategy = cmp.Or(cfg.QueueStrategy, QueueStrategyAuto)
	if len(cfg.States) == 0 {
		cfg.States = []string{genesys.StateActive}
	}
	switch cfg.QueueStrategy {
	case QueueStrategyAuto, QueueStrategyQueue, QueueStrategyPerUser:
	default:
		return nil, fmt.Errorf("forward pipeline: queue strategy %q is not auto, queue or user", cfg.QueueStrategy)
	}
	st := &forwardState{userTotals: make(chan stateTotal, len(cfg.States))}
	var streams []Stream
	needRef := cfg.has(StreamReference) || cfg.has(StreamUsers) || cfg.has(StreamQueues) || cfg.has(StreamRoles)
	if needRef {
		streams = append(streams, Stream{Name: StreamReference, Snapshot: true, Load: referenceLoad(api, st)})
	}
	if cfg.has(StreamUsers) || cfg.has("skills") || cfg.has("languages") {
		expand := slices.Clone(cfg.Expand)
		for _, e := range []string{"skills", "languages"} {
			if cfg.has(e) && !slices.Contains(expand, e) {
				expand = append(expand, e)
			}
		}
		complete := slices.Contains(cfg.States, genesys.StateActive) && slices.Contains(cfg.States, genesys.StateInactive) && slices.Contains(cfg.States, genesys.StateDeleted)
		streams = append(streams, Stream{Name: StreamUsers, After: []string{StreamReference}, Snapshot: complete, Load: usersLoad(api, cfg, expand, st)})
	}
	if cfg.has(StreamQueues) {
		// Not After users: the memberships are read while users load, and
		// only the per-user strategy waits for the user ids (WaitFor).
		streams = append(streams, Stream{Name: StreamQueues, After: []string{StreamReference}, Snapshot: true, Load: queuesLoad(api, cfg, st)})
	}
	if cfg.has(StreamRoles) {
		// Not After users either: only the per-user fallback needs the ids.
		streams = append(streams, Stream{Name: StreamRoles, After: []string{StreamReference}, Snapshot: true, Load: rolesLoad(api, cfg, st)})
	}
	if cfg.has(StreamUserDetails) || cfg.has(StreamUserAggregates) {
		acfg := cfg.Analytics
		if _, err := extract.ParseGranularity(cmp.Or(acfg.Granularity, extract.DefaultAnalyticsGranularity)); err != nil {
			return nil, fmt.Errorf("forward pipeline: user_aggregates: %w", err)
		}
		if acfg.Slots == nil {
			acfg.Slots = extract.NewJobSlots(cmp.Or(acfg.MaxConcurrentJobs, extract.DefaultMaxConcurrentJobs))
		}
		if cfg.has(StreamUserDetails) {
			streams = append(streams, analyticsStream(StreamUserDetails, detailsLoad(api, acfg)))
		}
		if cfg.has(StreamUserAggregates) {
			streams = append(streams, analyticsStream(StreamUserAggregates, aggregatesLoad(api, acfg)))
		}
	}
	return streams, nil
}

func referenceLoad(api ForwardAPI, st *forwardState) func(context.Context, *load.Tx, *StreamProgress) (*load.Watermark, error) {
	return func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
		ref, err := extract.ReadReference(ctx, api, p)
		if err != nil {
			return nil, err
		}
		divs := make([]load.DivisionRow, len(ref.Divisions))
		for i, d := range ref.Divisions {
			divs[i] = load.DivisionRow{ID: d.ID, Name: d.Name, Description: d.Description, HomeDivision: d.HomeDivision, Raw: mustJSON(d)}
		}
		skills := make([]load.SkillRow, len(ref.Skills))
		for i, s := range ref.Skills {
			skills[i] = load.SkillRow{ID: s.ID, Name: s.Name, State: s.State, Raw: mustJSON(s)}
		}
		langs := make([]load.LanguageRow, len(ref.Languages))
		for i, l := range ref.Languages {
			langs[i] = load.LanguageRow{ID: l.ID, Name: l.Name, State: l.State, Raw: mustJSON(l)}
		}
		roles := make([]load.RoleRow, len(ref.Roles))
		for i, r := range ref.Roles {
			roles[i] = load.RoleRow{ID: r.ID, Name: r.Name, Description: r.Description, Raw: mustJSON(r)}
		}
		queues := make([]load.QueueRow, len(ref.Queues))
		for i, q := range ref.Queues {
			queues[i] = load.QueueRow{ID: q.ID, Name: q.Name, DivisionID: divisionID(q.Division), MemberCount: q.MemberCount, JoinedMemberCount: q.JoinedMemberCount, Raw: mustJSON(q)}
		}
		for _, step := range []func() error{
			func() error { return tx.Divisions(ctx, divs) },
			func() error { return tx.Skills(ctx, skills) },
			func() error { return tx.Languages(ctx, langs) },
			func() error { return tx.Roles(ctx, roles) },
			func() error { return tx.Queues(ctx, queues) },
		} {
			if err := step(); err != nil {
				return nil, err
			}
		}
		p.Rows(int64(len(divs) + len(skills) + len(langs) + len(roles) + len(queues)))
		st.ref = ref
		return nil, nil
	}
}

func usersLoad(api ForwardAPI, cfg ForwardConfig, expand []string, st *forwardState) func(context.Context, *load.Tx, *StreamProgress) (*load.Watermark, error) {
	return func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
		var divisions []string
		if st.ref != nil {
			for _, d := range st.ref.Divisions {
				divisions = append(divisions, d.ID)
			}
		}
		ucfg := extract.UsersConfig{States: cfg.States, Expand: expand, PageSize: cfg.PageSize, Workers: cfg.Workers, PagingCap: cfg.PagingCap, Divisions: divisions,
			OnTotal: func(state string, total int) {
				select {
				case st.userTotals <- stateTotal{state, total}:
				default: // the stream ran twice in one run: nobody needs it
				}
			}}
		pages := make(chan extract.UsersPage, cfg.Workers)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error {
			defer close(pages)
			return extract.Users(gctx, api, ucfg, p, pages)
		})
		var ids []string
		loadSkills := slices.Contains(expand, "skills")
		loadLangs := slices.Contains(expand, "languages")
		loadGroups := slices.Contains(expand, "groups")
		loadLocations := slices.Contains(expand, "locations")
		g.Go(func() error {
			for page := range pages {
				if err := loadUsersPage(gctx, tx, page.Users, loadSkills, loadLangs, loadGroups, loadLocations, p); err != nil {
					return err
				}
				for _, u := range page.Users {
					if u.State != genesys.StateDeleted {
						ids = append(ids, u.ID)
					}
				}
			}
			return nil
		})
		if err := g.Wait(); err != nil {
			return nil, err
		}
		slices.Sort(ids)
		st.userIDs, st.usersOK = ids, true
		return nil, nil
	}
}

func loadUsersPage(ctx context.Context, tx *load.Tx, users []genesys.User, skills, langs, groups, locations bool, p *StreamProgress) error {
	rows := make([]load.UserRow, len(users))
	owners := make([]string, len(users))
	var sk []load.UserSkillRow
	var lg []load.UserLanguageRow
	var gr []load.UserGroupRow
	var lo []load.UserLocationRow
	for i, u := range users {
		owners[i] = u.ID
		r := load.UserRow{ID: u.ID, Name: u.Name, Email: u.Email, Username: u.Username, Title: u.Title, Department: u.Department,
			State: u.State, DivisionID: divisionID(u.Division), AcdAutoAnswer: u.AcdAutoAnswer, Version: u.Version, Raw: stableRaw(u.Raw)}
		if u.Manager != nil {
			r.ManagerID = u.Manager.ID
		}
		if u.EmployerInfo != nil {
			r.EmployeeID = u.EmployerInfo.EmployeeID
		}
		rows[i] = r
		for _, s := range u.Skills {
			sk = append(sk, load.UserSkillRow{UserID: u.ID, SkillID: s.ID, SkillName: s.Name, Proficiency: s.Proficiency})
		}
		for _, l := range u.Languages {
			lg = append(lg, load.UserLanguageRow{UserID: u.ID, LanguageID: l.ID, LanguageName: l.Name, Proficiency: l.Proficiency})
		}
		for _, g := range u.Groups {
			gr = append(gr, load.UserGroupRow{UserID: u.ID, GroupID: g.ID, GroupName: g.Name})
		}
		for _, l := range u.Locations {
			row := load.UserLocationRow{UserID: u.ID, LocationID: l.ID, Notes: l.Notes}
			if l.LocationDefinition != nil {
				row.LocationID = cmp.Or(l.LocationDefinition.ID, l.ID)
				row.LocationName = l.LocationDefinition.Name
			}
			lo = append(lo, row)
		}
	}
	if err := tx.Users(ctx, rows); err != nil {
		return err
	}
	n := len(rows)
	if skills {
		if err := tx.UserSkills(ctx, owners, sk); err != nil {
			return err
		}
		n += len(sk)
	}
	if langs {
		if err := tx.UserLanguages(ctx, owners, lg); err != nil {
			return err
		}
		n += len(lg)
	}
	if groups {
		if err := tx.UserGroups(ctx, owners, gr); err != nil {
			return err
		}
		n += len(gr)
	}
	if locations {
		if err := tx.UserLocations(ctx, owners, dedupeLocations(lo)); err != nil {
			return err
		}
		n += len(lo)
	}
	p.Rows(int64(n))
	return nil
}

func dedupeLocations(rows []load.UserLocationRow) []load.UserLocationRow {
	seen := map[[2]string]bool{}
	out := rows[:0]
	for _, r := range rows {
		k := [2]string{r.UserID, r.LocationID}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

func queuesLoad(api ForwardAPI, cfg ForwardConfig, st *forwardState) func(context.Context, *load.Tx, *StreamProgress) (*load.Watermark, error) {
	return func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
		if st.ref == nil {
			return nil, fmt.Errorf("queue memberships need the reference stream's queue list")
		}
		strategy := cfg.QueueStrategy
		if strategy == QueueStrategyAuto {
			var err error
			if strategy, err = chooseQueueStrategy(ctx, cfg, st); err != nil {
				return nil, err
			}
		}
		if strategy == QueueStrategyPerUser {
			// The user ids come from the users stream of this run: wait for it.
			if !cfg.has(StreamUsers) {
				return nil, fmt.Errorf("the per-user queue strategy needs the users stream in the same pipeline")
			}
			if !WaitFor(ctx, StreamUsers) || !st.usersOK {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				return nil, fmt.Errorf("the per-user queue strategy needs the user ids, and the users stream did not succeed: %w", ErrDependencyFailed)
			}
		}
		// Room for a merge's worth of owners: the readers keep calling while
		// the previous rows merge, instead of stalling behind them (at 6,000
		// calls a minute, that took the 50,000-user run from 77 % of the
		// allowed rate to 98 %).
		room := membershipFlushOwners // queue side: one queue per batch
		if strategy == QueueStrategyPerUser {
			room = max(cfg.Workers, membershipFlushOwners/usersPerMembershipBatch)
		}
		batches := make(chan extract.MembershipBatch, room)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error {
			defer close(batches)
			if strategy == QueueStrategyPerUser {
				return extract.QueueMembershipsByUser(gctx, api, st.userIDs, cfg.Workers, usersPerMembershipBatch, p, batches)
			}
			return extract.QueueMembershipsByQueue(gctx, api, st.ref.Queues, cfg.Workers, p, batches)
		})
		g.Go(func() error {
			// Queue-side batches hold one queue each: merge many at once, so
			// a large org costs a few dozen merges instead of one per queue
			// (each merge probes the table, which grows inside the
			// transaction without fresh planner statistics).
			var pend extract.MembershipBatch
			flush := func() error {
				if len(pend.Owners) == 0 {
					return nil
				}
				rows := membershipRows(pend.Rows)
				var err error
				if pend.ByQueue {
					err = tx.QueueMembersByQueue(gctx, pend.Owners, rows)
				} else {
					err = tx.QueueMembersByUser(gctx, pend.Owners, rows)
				}
				if err != nil {
					return err
				}
				p.Rows(int64(len(rows)))
				pend = extract.MembershipBatch{}
				return nil
			}
			for b := range batches {
				pend.ByQueue = b.ByQueue
				pend.Owners = append(pend.Owners, b.Owners...)
				pend.Rows = append(pend.Rows, b.Rows...)
				if len(pend.Rows) >= membershipFlushRows || len(pend.Owners) >= membershipFlushOwners {
					if err := flush(); err != nil {
						return err
					}
				}
			}
			return flush()
		})
		if err := g.Wait(); err != nil {
			return nil, err
		}
		return nil, nil
	}
}

// chooseQueueStrategy decides, for one run, whether reading the memberships
// queue by queue or user by user costs fewer calls. The queue side's cost is
// known from the member counts; the per-user cost needs the number of users,
// which the users stream reports state by state from its first pages, so the
// memberships are read while the users are still loading. It waits only
// until the queue side is sure to be cheaper, every state is counted, or the
// users stream ended (then its exact count is used, when it succeeded).
func chooseQueueStrategy(ctx context.Context, cfg ForwardConfig, st *forwardState) (string, error) {
	counts := make([]int, len(st.ref.Queues))
	for i, q := range st.ref.Queues {
		counts[i] = q.MemberCount
	}
	usersDone := StreamDone(ctx, StreamUsers)
	if !cfg.has(StreamUsers) || usersDone == nil {
		return QueueStrategyQueue, nil // no user ids: per user cannot be chosen
	}
	queueSide := extract.EstimateQueueCosts(counts, 0).QueueSide
	users, counted := 0, 0
	for 2*users < queueSide && counted < len(cfg.States) { // per user costs at least two calls a user
		select {
		case t := <-st.userTotals:
			counted++
			if t.state != genesys.StateDeleted { // deleted users hold no memberships
				users += t.total
			}
		case <-usersDone:
			if !WaitFor(ctx, StreamUsers) {
				return QueueStrategyQueue, nil
			}
			users, counted = len(st.userIDs), len(cfg.States)
		case <-ctx.Done():
			return "", context.Cause(ctx)
		}
	}
	return string(extract.EstimateQueueCosts(counts, max(users, 1)).Cheaper()), nil
}

// Queue memberships are merged once this many rows or owners are pending;
// the per-user strategy sends the memberships of this many users at a time.
const (
	membershipFlushRows     = 20_000
	membershipFlushOwners   = 500
	usersPerMembershipBatch = 100
)

// membershipRows drops members without a user id and duplicates (the
// per-user listings of joined and unjoined queues may overlap).
func membershipRows(ms []extract.Membership) []load.QueueMemberRow {
	seen := make(map[[2]string]bool, len(ms))
	rows := make([]load.QueueMemberRow, 0, len(ms))
	for _, m := range ms {
		k := [2]string{m.UserID, m.QueueID}
		if m.UserID == "" || seen[k] {
			continue
		}
		seen[k] = true
		rows = append(rows, load.QueueMemberRow{UserID: m.UserID, QueueID: m.QueueID, Joined: m.Joined})
	}
	return rows
}

func rolesLoad(api ForwardAPI, cfg ForwardConfig, st *forwardState) func(context.Context, *load.Tx, *StreamProgress) (*load.Watermark, error) {
	return func(ctx context.Context, tx *load.Tx, p *StreamProgress) (*load.Watermark, error) {
		if st.ref == nil {
			return nil, fmt.Errorf("role grants need the reference stream's role list")
		}
		batches := make(chan extract.GrantBatch, 2)
		g, gctx := errgroup.WithContext(ctx)
		g.Go(func() error {
			defer close(batches)
			err := extract.RoleGrants(gctx, api, st.ref.Roles, cfg.Workers, 1000, cfg.PagingCap, p, batches)
			var over *extract.RoleOverCapError
			if errors.As(err, &over) && cfg.has(StreamUsers) {
				// Nothing was sent yet: read every user's grants instead, with
				// the ids of this run's users stream.
				if !WaitFor(gctx, StreamUsers) || !st.usersOK {
					if cerr := gctx.Err(); cerr != nil {
						return cerr
					}
					return fmt.Errorf("%w; reading grants user by user needs the user ids, and the users stream did not succeed: %w", err, ErrDependencyFailed)
				}
				return extract.RoleGrantsByUser(gctx, api, st.userIDs, cfg.Workers, 200, p, batches)
			}
			return err
		})
		g.Go(func() error { return loadGrants(gctx, tx, p, batches) })
		return nil, g.Wait()
	}
}

// loadGrants merges grant batches as they arrive, replacing each batch's
// users' grants.
func loadGrants(ctx context.Context, tx *load.Tx, p *StreamProgress, batches <-chan extract.GrantBatch) error {
	for b := range batches {
		rows := make([]load.RoleGrantRow, len(b.Rows))
		for i, r := range b.Rows {
			rows[i] = load.RoleGrantRow{UserID: r.UserID, RoleID: r.RoleID, DivisionID: r.DivisionID}
		}
		if err := tx.RoleGrants(ctx, b.Users, rows); err != nil {
			return err
		}
		p.Rows(int64(len(rows)))
	}
	return nil
}

func divisionID(d *genesys.Division) string {
	if d == nil {
		return ""
	}
	return d.ID
}

// mustJSON encodes a reference entity for the raw column. The entities are
// plain structs decoded from JSON, so encoding cannot fail.
func mustJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("encode %T: %v", v, err))
	}
	return b
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
