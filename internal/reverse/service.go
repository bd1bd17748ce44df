package reverse

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/apply"
	"github.com/usersync/syncer/internal/config"
	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
	"github.com/usersync/syncer/internal/store"
	"github.com/usersync/syncer/internal/textfmt"
)

// API is every call of the reverse path: the forward streams that refresh
// the state, the external-id reads, and apply's writes.
type API interface {
	pipeline.ForwardAPI
	apply.API
	GetUserExternalIDs(ctx context.Context, userID string) ([]genesys.UserExternalIdentifier, error)
	Locations(ctx context.Context, opts *genesys.ListOptions) iter.Seq2[genesys.LocationDefinition, error]
	Stations(ctx context.Context, opts *genesys.ListOptions) iter.Seq2[genesys.Station, error]
	UserVerifiers(ctx context.Context, userID string) ([]genesys.Verifier, error)
	UserUtilization(ctx context.Context, userID string) (genesys.AgentMaxUtilizationResponse, error)
}

// Config configures a Service. The zero value works.
type Config struct {
	// Workers is how many external-id reads run at once during a refresh
	// and how many calls of one apply phase run at once. Default 4.
	Workers int
	// Logger receives refresh runs and apply progress. Default: discard.
	Logger *slog.Logger
	// SkipRoleGrants leaves role grants out of the refresh, for feeds
	// that do not speak for roles in orgs where a role has more subjects
	// than its listing can page through (the roles stream then fails).
	SkipRoleGrants bool
	// BeforeCall and AfterCall are apply.Config's test hooks for the
	// applies of scheduled feeds and approved plans (RunFeed,
	// ApplyApproved): an error from either stops the apply at once.
	BeforeCall, AfterCall func(ctx context.Context, op *diff.Operation) error
}

// Service plans and applies HR feeds against one org and its Postgres copy.
type Service struct {
	api     API
	store   *store.Store
	runner  *pipeline.Runner
	workers int
	noRoles bool
	log     *slog.Logger
	// beforeCall and afterCall are Config's test hooks.
	beforeCall, afterCall func(ctx context.Context, op *diff.Operation) error
}

// New returns a Service calling api, keeping its state and journal in st.
func New(api API, st *store.Store, cfg Config) *Service {
	log := cmp.Or(cfg.Logger, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ld := load.New(st.Pool(), load.Config{Schema: st.Schema()})
	return &Service{
		api: api, store: st, log: log, workers: cmp.Or(cfg.Workers, 4), noRoles: cfg.SkipRoleGrants,
		beforeCall: cfg.BeforeCall, afterCall: cfg.AfterCall,
		runner: pipeline.NewRunner(st, ld, pipeline.Config{Logger: log, Accounting: pipeline.GenesysAccounting}),
	}
}

// Spec says which feed to plan and how.
type Spec struct {
	// Path of the feed file.
	Path string
	// Feed says how to read it (File defaults to Path; Refs and Directory
	// are filled from the current state).
	Feed feed.Config
	// Diff says how to plan (Scope.Divisions are filled from
	// ScopeDivisions).
	Diff diff.Config
	// ScopeDivisions are the names of the divisions in scope (empty: all).
	ScopeDivisions []string
	// RefreshMaxAge lets Plan use Postgres as it stands when every stream
	// the plan needs was read completely less than this long ago (0:
	// always read).
	RefreshMaxAge time.Duration
}

// SpecFromConfig maps a configured feed to a Spec. ratePerMinute is the
// request budget the plan's time estimate assumes. A setting the
// configuration leaves out stays unset here, so that the planner's default
// (package diff) applies: the defaults have one definition.
func SpecFromConfig(f *config.Feed, ratePerMinute int) (Spec, error) {
	sp := Spec{Path: f.Path, ScopeDivisions: f.Scope.Divisions, RefreshMaxAge: f.RefreshMaxAge}
	sp.Feed = feed.Config{File: f.Path, Name: f.Name, Format: feed.Format(f.Format), Mode: feed.Mode(f.Mode), Columns: f.Columns,
		IgnoreColumns: f.IgnoreColumns, UtilizationProfiles: slices.Sorted(maps.Keys(f.Onboard.UtilizationProfiles))}
	if f.Delimiter != "" {
		d, err := feed.ParseDelimiter(f.Delimiter)
		if err != nil {
			return sp, fmt.Errorf("feed %s: delimiter: %w", f.Name, err)
		}
		sp.Feed.Delimiter = d
	}
	var owned feed.FieldSet
	for _, o := range f.Owns {
		switch o {
		case "manager":
			owned = owned.With(feed.FieldManagerEmployeeID, feed.FieldManagerEmail)
		case "phone":
			owned = owned.With(feed.FieldPhoneWork, feed.FieldExtension)
		default:
			fld, ok := feed.ParseField(o)
			if !ok {
				return sp, fmt.Errorf("feed %s: owns: unknown attribute %q", f.Name, o)
			}
			owned = owned.With(fld)
		}
	}
	off, err := offboardFromConfig(f)
	if err != nil {
		return sp, err
	}
	on, err := onboardFromConfig(f)
	if err != nil {
		return sp, err
	}
	g := diff.Guards{
		MaxOffboards: f.Guards.MaxOffboards, MaxOffboardPercent: f.Guards.MaxOffboardPercent,
		MaxChanges: f.Guards.MaxChanges, MaxQueueLossPercent: f.Guards.MaxQueueLossPercent,
		MinQueueLoss: f.Guards.MinQueueLoss, MaxRejectedPercent: f.Guards.MaxRejectedPercent,
	}
	if p := f.Guards.MaxChanges; p != nil && *p == 0 {
		g.MaxChanges = new(-1) // max_changes: 0 is documented as no limit
	}
	sp.Diff = diff.Config{
		FeedName: f.Name,
		Scope:    diff.Scope{EmailPatterns: f.Scope.EmailPatterns, Ignore: f.Scope.Ignore, DivisionNames: f.Scope.Divisions},
		Read: diff.ReadSettings{Format: f.Format, Mode: f.Mode, Delimiter: f.Delimiter, Columns: f.Columns,
			IgnoreColumns: f.IgnoreColumns},
		Authority: f.ExternalIDAuthority,
		Owned:     owned, Offboard: off, Guards: g, RatePerMinute: ratePerMinute, Onboard: on,
		// The queue-side add's joined state is undocumented (the emulator
		// starts new members unjoined): diff.Config's zero NewMembersJoined
		// assumes unjoined, so the plan always sets the flag.
	}
	return sp, nil
}

// SpecFromPlan is the Spec a plan was computed with, from the settings it
// carries: apply and the verification after it use this, never the
// configuration as it is now.
func SpecFromPlan(p *diff.Plan) Spec {
	r := p.Settings.Read
	fc := feed.Config{File: p.Feed, Name: p.Settings.FeedName, Format: feed.Format(r.Format), Mode: cmp.Or(p.Mode, feed.Mode(r.Mode)),
		Columns: r.Columns, IgnoreColumns: r.IgnoreColumns, UtilizationProfiles: p.Settings.Onboard.ProfileNames()}
	if d, err := feed.ParseDelimiter(r.Delimiter); err == nil && r.Delimiter != "" {
		fc.Delimiter = d
	}
	cfg := p.Settings
	cfg.NewUserGrants = p.NewUserGrants
	cfg.NewMembersJoined = p.NewMembersJoined
	return Spec{Path: p.Feed, Feed: fc, Diff: cfg}
}

// offboardFromConfig is the configured offboarding policy: the planner's
// DefaultOffboard with what the configuration sets laid over it.
func offboardFromConfig(f *config.Feed) (diff.Offboard, error) {
	off := diff.DefaultOffboard
	switch f.Offboard.Action {
	case "":
	case config.OffboardDeact:
		off.Action = diff.OffboardDeactivate
	case config.OffboardDelete:
		off.Action = diff.OffboardDelete
	case config.OffboardNone:
		off.Action = diff.OffboardNone
	default:
		return off, fmt.Errorf("feed %s: offboard.action %q is not supported by the planner (deactivate, delete or none)", f.Name, f.Offboard.Action)
	}
	if v := f.Offboard.UnjoinQueues; v != nil {
		off.UnjoinQueues, off.RemoveQueues = *v, *v
	}
	if v := f.Offboard.StripSkills; v != nil {
		off.StripSkills, off.StripLanguages = *v, *v
	}
	if v := f.Offboard.StripRoles; v != nil {
		off.StripRoles = *v
	}
	if v := f.Offboard.RevokeMFA; v != nil {
		off.RevokeMFA = *v
	}
	if v := f.Offboard.ReleaseStations; v != nil {
		off.ReleaseStations = *v
	}
	if v := f.Offboard.ResetUtilization; v != nil {
		off.ResetUtilization = *v
	}
	off.DeleteAfter = time.Duration(f.Offboard.DeleteAfter)
	return off, nil
}

// onboardFromConfig is the configured joiner policy; an absent key takes
// the planner's default (diff.Config.WithDefaults).
func onboardFromConfig(f *config.Feed) (diff.Onboard, error) {
	on := diff.Onboard{SendInvite: f.Onboard.SendInvite, ResendAfter: time.Duration(f.Onboard.ResendInviteAfter)}
	for name, media := range f.Onboard.UtilizationProfiles {
		if on.UtilizationProfiles == nil {
			on.UtilizationProfiles = map[string]diff.UtilizationProfile{}
		}
		p := diff.UtilizationProfile{}
		for mt, m := range media {
			if m.Capacity == nil {
				return on, fmt.Errorf("feed %s: onboard.utilization_profiles.%s.%s: no capacity", f.Name, name, mt)
			}
			p[mt] = diff.MediaUtilization{MaximumCapacity: *m.Capacity, InterruptableMediaTypes: slices.Clone(m.InterruptedBy), IncludeNonACD: m.IncludeNonACD}
		}
		if err := p.Check(); err != nil {
			return on, fmt.Errorf("feed %s: onboard.utilization_profiles.%s: %w", f.Name, name, err)
		}
		on.UtilizationProfiles[name] = p
	}
	return on, nil
}

// State reads the current state from Postgres (without refreshing it),
// as the feed configured by cfg matches people.
func (s *Service) State(ctx context.Context, cfg diff.Config) (*State, error) {
	cs, err := s.store.ReadCurrent(ctx)
	if err != nil {
		return nil, err
	}
	return NewState(cs, cfg), nil
}

// Planned is a plan with what it was computed from.
type Planned struct {
	Plan  *diff.Plan
	Feed  *feed.Feed
	State *State
	// Config is the diff configuration with the scope resolved.
	Config diff.Config
	// Refresh is the refresh run that preceded the plan (zero when the
	// state was planned as it stood in Postgres).
	Refresh pipeline.Summary
	// Reads is what of the org the plan read, and its calls (also in
	// Plan.Reads).
	Reads Reads
}

// RejectedError is returned by Plan when the feed's rows are all rejected,
// or more of them than guards.max_rejected_percent allows, by the checks
// that need no org data: the export is broken, and planning it would cost
// a read of the org for nothing. Feed holds every problem found.
type RejectedError struct {
	Feed    *feed.Parsed
	Verdict diff.Verdict
}

func (e *RejectedError) Error() string {
	if e.Feed.Valid() == 0 {
		return fmt.Sprintf("all %d rows of the feed %s are rejected", e.Feed.Rows, textfmt.Safe(e.Feed.File))
	}
	return fmt.Sprintf("the feed %s: %s", textfmt.Safe(e.Feed.File), e.Verdict.Message)
}

// Plan computes the plan of a feed against the org.
//
// The feed is judged first, before any API call (feed.Parse: encoding,
// delimiter, header, columns, every row's syntax and fields): a file that
// cannot be used returns a *feed.Error, and one whose rows are all
// rejected, or more than guards.max_rejected_percent, a *RejectedError,
// having cost nothing. Then, when refresh is set, the plan reads what the
// feed can change (see Reads): the users listing always, every queue
// membership or role grant only when the feed has that column, the
// memberships of the active users it offboards one by one, and the
// external ids that tell whether an unmatched row is an existing account;
// unless every stream it needs was read completely less than
// sp.RefreshMaxAge ago, when Postgres is used as it stands. Without
// refresh the plan uses Postgres as it stands and makes no call.
func (s *Service) Plan(ctx context.Context, sp Spec, refresh bool) (*Planned, error) {
	out := &Planned{}
	pre, err := s.judge(sp)
	if err != nil {
		return out, err
	}
	r := needs(pre.Columns, sp.Diff, s.noRoles)
	or := &orgReads{}
	var locs *feed.Dimension
	if refresh {
		ok, fr, err := s.fresh(ctx, r, sp.RefreshMaxAge)
		if err != nil {
			return out, err
		}
		if ok {
			r = fr
		} else {
			// The refresh reads the station expand (user_stations).
			r.Refreshed, r.StateAt, r.StoredStations = true, time.Now().UTC(), true
			sum, err := s.Refresh(ctx, r, nil)
			out.Refresh, r.Calls = sum, sum.Calls.Total
			if err != nil {
				return out, err
			}
		}
		if r.Locations {
			d, err := s.storedNames(ctx, "locations")
			if err != nil {
				return out, err
			}
			locs = &d
		}
		if r.Stations {
			d, err := s.storedNames(ctx, "stations")
			if err != nil {
				return out, err
			}
			or.stations = &d
		}
		sum, err := s.lifecycleUsers(ctx, sp, r, or)
		r.Calls += sum.Calls.Total
		if err != nil {
			return out, err
		}
	}
	or.r, or.locations, or.asOf = r, locs, cmp.Or(r.StateAt, time.Now().UTC())
	if r.Deactivations {
		at, err := s.store.Deactivations(ctx)
		if err != nil {
			return out, err
		}
		or.deactivated = at
	}
	// Without reads (no refresh), a location or station name resolves
	// against those the stored users have (NewState).
	p, err := s.compute(ctx, sp, or, pre)
	if err != nil {
		return out, err
	}
	if refresh {
		// Rows no known key finds, and accounts they could be: read the
		// smaller side's external ids (see pairing), then plan again.
		r.LookedUp = true
		if keys, users := pairing(p.Feed, p.State.Current, p.Config); len(keys)+len(users) > 0 {
			sum, err := s.lookupExternalIDs(ctx, keys, users)
			r.Calls += sum.Calls.Total
			if err != nil {
				return out, err
			}
			if p, err = s.compute(ctx, sp, or); err != nil {
				return out, err
			}
		}
		// The active users it offboards: their memberships, one by one,
		// when the policy touches what the feed does not speak for; their
		// MFA verifiers and utilization, for the leaver steps.
		users, queues, roles := leaverReads(p.Plan, p.State.Current, r)
		leavers, what := leaversOf(p.Plan, p.State.Current, r)
		if len(users) > 0 {
			sum, err := s.readMembersOf(ctx, users, queues, roles)
			r.Calls += sum.Calls.Total
			if err != nil {
				return out, err
			}
			r.MembersOf, r.QueuesOf, r.RolesOf = users, queues, roles
		}
		if len(leavers) > 0 {
			sum, err := s.readLeavers(ctx, leavers, what, or)
			r.Calls += sum.Calls.Total
			if err != nil {
				return out, err
			}
			r.LeaversOf, r.VerifiersOf, r.StationsOf = leavers, what.verifiers, what.stations
		}
		// Their stations, from Postgres when the latest users load read
		// them.
		stored := storedStationLeavers(p.Plan, p.State.Current, r)
		if err := s.storedStationsOf(ctx, stored, or); err != nil {
			return out, err
		}
		if len(users)+len(leavers)+len(stored) > 0 {
			or.r = r
			if p, err = s.compute(ctx, sp, or); err != nil {
				return out, err
			}
		}
	}
	p.Refresh, p.Reads = out.Refresh, r
	p.Plan.Reads = r
	return p, nil
}

// judge reads the whole feed and judges everything that needs no org
// data, without any call.
func (s *Service) judge(sp Spec) (*feed.Parsed, error) {
	pre, err := parseFeed(sp)
	if err != nil {
		return nil, err
	}
	if v := diff.RejectedVerdict(pre.Rows, len(pre.Rejected), sp.Diff); v.Tripped || pre.Valid() == 0 {
		return nil, &RejectedError{Feed: pre, Verdict: v}
	}
	return pre, nil
}

// parseFeed opens and parses the feed (feed.Parse: no org data needed).
func parseFeed(sp Spec) (*feed.Parsed, error) {
	fh, err := os.Open(sp.Path)
	if err != nil {
		return nil, fmt.Errorf("open feed: %w", err)
	}
	defer fh.Close()
	fc := sp.Feed
	fc.File = cmp.Or(fc.File, sp.Path)
	return feed.Parse(fh, fc)
}

// compute reads the state and the feed and computes the plan, without any
// call. or, when not nil, is what was read of the org beyond Postgres's
// tables (the locations and stations listings, the leavers' verifiers and
// utilization, the journal's deactivations), laid over the stored state;
// without a listing, a location or station name resolves against those
// the stored users have.
//
// judged, when not nil, is the feed as judged before any call: it is
// resolved instead of reading the file again (once: Resolve consumes it).
func (s *Service) compute(ctx context.Context, sp Spec, or *orgReads, judged ...*feed.Parsed) (*Planned, error) {
	out := &Planned{}
	st, err := s.State(ctx, sp.Diff)
	if err != nil {
		return out, err
	}
	or.overlay(st)
	out.State = st
	cfg, err := resolveScope(sp, st.Refs)
	if err != nil {
		return out, err
	}
	out.Config = cfg
	var f *feed.Feed
	if len(judged) > 0 && judged[0] != nil {
		f = judged[0].Resolve(st.Refs, st.dir)
	} else if f, err = s.readFeed(sp, st); err != nil {
		return out, err
	}
	out.Feed = f
	plan, err := diff.Compute(f, st.Current, st.Refs, cfg)
	if err != nil {
		return out, err
	}
	out.Plan = plan
	return out, nil
}

// readFeed reads the feed and resolves names and managers against st.
func (s *Service) readFeed(sp Spec, st *State) (*feed.Feed, error) {
	pre, err := parseFeed(sp)
	if err != nil {
		return nil, err
	}
	return pre.Resolve(st.Refs, st.dir), nil
}

// DefaultRole is the role Genesys Cloud grants every user it creates, in
// the home division.
const DefaultRole = "employee"

// resolveScope fills the diff config's division scope from names, and the
// grants a new user gets (DefaultRole in the home division) when the spec
// does not say.
func resolveScope(sp Spec, refs *feed.Refs) (diff.Config, error) {
	cfg := sp.Diff
	if role, ok := refs.Roles.ID(DefaultRole); ok && cfg.NewUserGrants == nil && refs.HomeDivisionID != "" {
		cfg.NewUserGrants = []diff.Grant{{RoleID: role, DivisionID: refs.HomeDivisionID}}
	}
	if len(sp.ScopeDivisions) == 0 {
		return cfg, nil // the whole org, or ids already resolved (SpecFromPlan)
	}
	cfg.Scope.Divisions = nil
	cfg.Scope.DivisionNames = slices.Clone(sp.ScopeDivisions)
	for _, name := range sp.ScopeDivisions {
		id, ok := refs.Divisions.ID(name)
		if !ok {
			return cfg, fmt.Errorf("scope: division %q does not exist in the org", name)
		}
		cfg.Scope.Divisions = append(cfg.Scope.Divisions, id)
	}
	return cfg, nil
}

// ApplyOptions are the choices of one apply.
type ApplyOptions struct {
	// CheckFresh refreshes the state and refuses the plan when its
	// fingerprint changed (a saved plan). Planning right before applying
	// needs no second read.
	CheckFresh bool
	// Force applies a stale plan.
	Force bool
	// Verify re-reads the state after the apply and plans the feed again;
	// the result's Remaining should be empty.
	Verify bool
	// BeforeCall and AfterCall are apply.Config's test hooks.
	BeforeCall, AfterCall func(ctx context.Context, op *diff.Operation) error
}

// Apply applies a plan computed for sp. Saved plans are journaled under
// apply.PlanID, so applying the same plan again resumes it.
//
// The state is read again as the plan read it (plan.Reads): with
// CheckFresh, a plan computed from a refresh is refused when the org
// changed since (its fingerprint); a plan computed from Postgres as it
// stood is not compared (its versioned writes still meet a 409 when a
// user changed, which re-reads that user). The verification re-reads the
// users listing, what the feed speaks for, and the memberships and
// external ids of the users the apply touched.
func (s *Service) Apply(ctx context.Context, sp Spec, plan *diff.Plan, opts ApplyOptions) (*apply.Result, error) {
	cfg := apply.Config{Workers: s.workers, Logger: s.log, Force: opts.Force, BeforeCall: opts.BeforeCall, AfterCall: opts.AfterCall}
	r := plan.Reads
	if opts.CheckFresh && r.Refreshed {
		cfg.Fingerprint = func(ctx context.Context) (string, error) {
			if _, err := s.Refresh(ctx, Reads{AllQueues: r.AllQueues, AllRoles: r.AllRoles, Locations: r.Locations}, nil); err != nil {
				return "", err
			}
			if _, err := s.readMembersOf(ctx, r.MembersOf, r.QueuesOf, r.RolesOf); err != nil {
				return "", err
			}
			st, err := s.State(ctx, sp.Diff)
			if err != nil {
				return "", err
			}
			dc, err := resolveScope(sp, st.Refs)
			if err != nil {
				return "", err
			}
			return diff.Fingerprint(st.Current, dc), nil
		}
	}
	if opts.Verify {
		cfg.Verify = func(ctx context.Context, touched []string) (*diff.Plan, error) {
			if _, err := s.Refresh(ctx, Reads{AllQueues: r.AllQueues, AllRoles: r.AllRoles, Locations: r.Locations,
				Stations: r.Stations, ProfileSkills: r.ProfileSkills, Invites: r.Invites}, touched); err != nil {
				return nil, err
			}
			or := &orgReads{r: r, asOf: time.Now().UTC()}
			if r.Locations {
				d, err := s.storedNames(ctx, "locations")
				if err != nil {
					return nil, err
				}
				or.locations = &d
			}
			if r.Stations {
				d, err := s.storedNames(ctx, "stations")
				if err != nil {
					return nil, err
				}
				or.stations = &d
			}
			if _, err := s.lifecycleUsers(ctx, sp, r, or); err != nil {
				return nil, err
			}
			if r.Deactivations {
				at, err := s.store.Deactivations(ctx)
				if err != nil {
					return nil, err
				}
				or.deactivated = at
			}
			// The leavers it offboarded are held to the leaver steps
			// although no longer active: their verifiers and utilization
			// are read again, and so is the utilization of those it gave a
			// profile.
			// Every leaver of the plan, not only those this process touched:
			// a resumed apply did the others' operations before.
			leavers := offboardedAmong(plan, planUserIDs(plan))
			if _, err := s.readLeavers(ctx, leavers, leaverLookups{verifiers: r.VerifiersOf, utilization: plan.Settings.Offboard.ResetUtilization,
				stations: r.StationsOf}, or); err != nil {
				return nil, err
			}
			if _, err := s.readLeavers(ctx, utilizationTouched(plan, touched), leaverLookups{utilization: true}, or); err != nil {
				return nil, err
			}
			// The refresh above read their stations into user_stations.
			if r.StoredStations && plan.Settings.Offboard.ReleaseStations && !r.Stations {
				if err := s.storedStationsOf(ctx, leavers, or); err != nil {
					return nil, err
				}
			}
			sp := sp
			sp.Diff.Recheck = map[string]bool{}
			for _, id := range leavers {
				sp.Diff.Recheck[id] = true
			}
			// The offboarded users it touched lost memberships the feed does
			// not speak for: read theirs again, one by one.
			if !r.AllQueues || !r.AllRoles {
				off := plan.Settings.Offboard
				q := !r.AllQueues && (off.UnjoinQueues || off.RemoveQueues)
				g := !r.AllRoles && off.StripRoles
				if _, err := s.readMembersOf(ctx, offboardedAmong(plan, planUserIDs(plan)), q, g); err != nil {
					return nil, err
				}
			}
			p, err := s.compute(ctx, sp, or)
			if err != nil {
				return nil, err
			}
			return p.Plan, nil
		}
	}
	return apply.New(s.api, s.store, cfg).Apply(ctx, plan)
}

// planUserIDs lists the ids of the users a plan changes (those it
// creates have none in the plan).
func planUserIDs(plan *diff.Plan) []string {
	var out []string
	for _, u := range plan.Users {
		if u.UserID != "" {
			out = append(out, u.UserID)
		}
	}
	return out
}

// offboardedAmong returns the users of ids the plan offboards.
func offboardedAmong(plan *diff.Plan, ids []string) []string {
	off := map[string]bool{}
	for _, u := range plan.Users {
		if u.Action == diff.ActionOffboard && u.UserID != "" {
			off[u.UserID] = true
		}
	}
	var out []string
	for _, id := range ids {
		if off[id] {
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Describe renders a failure for people.
func Describe(f apply.Failure) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s (%s)", f.Kind, f.User, f.OpID)
	if f.HTTPStatus != 0 {
		fmt.Fprintf(&b, ": HTTP %d", f.HTTPStatus)
	}
	if f.Code != "" {
		fmt.Fprintf(&b, " %s", f.Code)
	}
	if f.Message != "" {
		fmt.Fprintf(&b, ": %s", f.Message)
	}
	if f.CorrelationID != "" {
		fmt.Fprintf(&b, " [correlation %s]", f.CorrelationID)
	}
	return b.String()
}
