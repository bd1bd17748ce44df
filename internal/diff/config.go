package diff

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/usersync/syncer/internal/feed"
)

// Defaults of Config. These are the only definitions of the feed defaults:
// package config leaves an absent key unset and reverse maps it onto a zero
// field here, and docs/feeds.md's defaults table is checked against them by
// a test.
const (
	DefaultRatePerMinute       = 300
	DefaultMaxOffboards        = 25
	DefaultMaxOffboardPercent  = 5.0
	DefaultMaxChanges          = 1000
	DefaultMaxQueueLossPercent = 30.0
	DefaultMinQueueLoss        = 2
	DefaultMaxRejectedPercent  = 10.0
	// DefaultSendInvite: the joiners a plan creates are sent the
	// activation email. Genesys Cloud's own "Add person" sends it by
	// default, and a person created through the API without it cannot set
	// a password; an org that signs in through SSO turns it off.
	DefaultSendInvite = true
)

// DefaultOffboard is the offboarding policy when none is configured:
// deactivate the account, take the leaver off every queue (unjoined first,
// so no interaction is routed meanwhile), strip skills and languages,
// revoke the MFA verifiers, release the stations, reset the utilization to
// the org's, keep direct role grants to the deactivation (Genesys Cloud
// removes an inactive user's roles itself: stripping them first would cost
// calls for nothing), never delete.
var DefaultOffboard = Offboard{Action: OffboardDeactivate, UnjoinQueues: true, RemoveQueues: true, StripSkills: true, StripLanguages: true,
	RevokeMFA: true, ReleaseStations: true, ResetUtilization: true}

// DefaultOwned are the attributes a feed owns unless configured: the
// person's profile and state, work phone, location, hire date and
// employee type (as the Genesys admin import sets them), utilization
// profile and default station. Lists (skills, languages, queues, roles,
// profile skills) are add-only by default, so a feed never strips what an
// admin granted by hand unless told to.
var DefaultOwned = feed.FieldSet(0).With(feed.FieldEmail, feed.FieldName, feed.FieldTitle, feed.FieldDepartment,
	feed.FieldManagerEmployeeID, feed.FieldManagerEmail, feed.FieldDivision, feed.FieldState, feed.FieldACDAutoAnswer,
	feed.FieldPhoneWork, feed.FieldExtension, feed.FieldLocation, feed.FieldHireDate, feed.FieldEmployeeType,
	feed.FieldUtilization, feed.FieldDefaultStation)

// Config says how to turn a feed into a plan. The zero value works: no
// external-id authority (match by email), the whole org in scope,
// DefaultOwned, DefaultOffboard, the default guards, 300 requests/minute.
//
// A plan records the Config it was computed with (Plan.Settings, defaults
// filled in), so that apply and its verification use exactly the settings
// that shaped the plan.
type Config struct {
	// FeedName is the configured feed's name (feeds.NAME), used to say why
	// an item is removed ("skills are owned by feed hr"). Empty: "the feed".
	FeedName string `json:"feed_name,omitempty"`
	// Authority is the external-id authority whose keys are the feed's
	// employee ids (e.g. "hr"). Empty: users match by email only and no
	// external id is registered.
	Authority string `json:"authority,omitempty"`
	Scope     Scope  `json:"scope"`
	// Owned lists the attributes the feed owns: an owned attribute is made
	// exactly as the feed says (an owned list loses what the feed does not
	// list); one not owned is only filled when empty (scalars) or added to
	// (lists). Zero: DefaultOwned.
	Owned    feed.FieldSet `json:"owned"`
	Offboard Offboard      `json:"offboard"`
	Guards   Guards        `json:"guards"`
	// RatePerMinute is the request budget the time estimate assumes.
	// Default DefaultRatePerMinute.
	RatePerMinute int `json:"rate_per_minute,omitempty"`
	// NewMembersJoined says that a user added to a queue through the queue
	// side starts joined. The default assumes unjoined (what the emulator
	// does; Genesys is unsure), so every joined membership the plan adds is
	// followed by a joined-flag update, which is harmless if the API had
	// joined the member already.
	NewMembersJoined bool `json:"new_members_joined,omitempty"`
	// IgnoreOrgEmployeeID says that the feed's employee ids are not the
	// org's employerInfo.employeeId (which then holds something else): no
	// matching on it, and it is never written. By default the two are the
	// same key: people are matched on it (read free with every users
	// listing), joiners get it, and matched users lacking it get it when
	// employee_id is owned (not by default: in an org that never had them
	// that is one call per person; a different one is never overwritten).
	IgnoreOrgEmployeeID bool `json:"ignore_org_employee_id,omitempty"`
	// Read says how the feed file was read. The planner does not use it;
	// the plan carries it so that the verification after an apply reads
	// the feed exactly as it was read for the plan.
	Read ReadSettings `json:"read"`
	// NewUserGrants are the role grants Genesys gives every user it
	// creates (in Genesys Cloud and the emulator: the employee role in the
	// home division). The plan counts them as present on a joiner, so that
	// an owned roles list removes them when the feed does not grant them.
	NewUserGrants []Grant `json:"new_user_grants,omitempty"`
	// Onboard is what joiners get beyond their attributes and lists.
	Onboard Onboard `json:"onboard"`
	// Recheck lists the users an apply of this plan offboarded: the
	// verification after it holds them to the leaver steps (verifiers,
	// stations, utilization) although they are no longer active. Set by
	// the verification only; never part of a plan's settings.
	Recheck map[string]bool `json:"-"`
}

// Onboard is the joiner policy.
type Onboard struct {
	// SendInvite sends each joiner the plan creates the activation email
	// (POST /api/v2/users/{userId}/invite) once its account is set up; a
	// later plan never sends it again (the person is no longer a joiner).
	// nil: DefaultSendInvite.
	SendInvite *bool `json:"send_invite,omitempty"`
	// ResendAfter, when positive, sends the activation email again
	// (force=true) to an active person the feed lists whose invitation is
	// outstanding (sent, and never followed by a password login) and was
	// sent longer ago than this. Genesys Cloud's invitations expire after
	// 30 days. 0: never resend.
	ResendAfter time.Duration `json:"resend_after,omitempty"`
	// UtilizationProfiles are the named utilizations the feed's
	// utilization column chooses from. A person without one keeps the
	// org's settings.
	UtilizationProfiles map[string]UtilizationProfile `json:"utilization_profiles,omitempty"`
}

// Profile returns the utilization profile called name (as the feed
// resolved it, feed.Employee.Utilization).
func (o Onboard) Profile(name string) (UtilizationProfile, bool) {
	p, ok := o.UtilizationProfiles[name]
	return p, ok
}

// ProfileNames lists the utilization profiles, sorted.
func (o Onboard) ProfileNames() []string { return slices.Sorted(maps.Keys(o.UtilizationProfiles)) }

// ReadSettings are the settings that shaped how a feed file was read.
type ReadSettings struct {
	Format        string            `json:"format,omitempty"`
	Mode          string            `json:"mode,omitempty"`
	Delimiter     string            `json:"delimiter,omitempty"`
	Columns       map[string]string `json:"columns,omitempty"`
	IgnoreColumns []string          `json:"ignore_columns,omitempty"`
}

// Scope says which users a plan may touch. A user outside it is never
// changed, even when the feed lists them.
type Scope struct {
	// Divisions limits the scope to these division ids. Empty: all.
	Divisions []string `json:"divisions,omitempty"`
	// DivisionNames are the names Divisions were resolved from, as
	// configured (for people, and to compare settings).
	DivisionNames []string `json:"division_names,omitempty"`
	// EmailPatterns limits the scope to emails matching one of these
	// shell patterns (path.Match, case-insensitive), e.g. "*@example.com".
	// Empty: all.
	EmailPatterns []string `json:"email_patterns,omitempty"`
	// Ignore lists user ids, emails or employee ids that are never touched:
	// service accounts, integrations, break-glass admins. An entry with a
	// shell pattern character (* ? [) is matched against emails, e.g.
	// "svc-*@example.com".
	Ignore []string `json:"ignore,omitempty"`
}

// OffboardAction is what happens to a leaver's account.
type OffboardAction string

// Offboarding actions.
const (
	// OffboardDeactivate sets the state to inactive (the default).
	OffboardDeactivate OffboardAction = "deactivate"
	// OffboardDelete deletes the user (restorable in Genesys Cloud).
	OffboardDelete OffboardAction = "delete"
	// OffboardNone leaves the account as it is; only the unjoin and strip
	// options apply.
	OffboardNone OffboardAction = "none"
)

// Offboard is the offboarding policy for leavers (users absent from a
// snapshot, or offboarded by a delta row). The zero Offboard means
// DefaultOffboard; set any field and the policy is exactly what is set.
type Offboard struct {
	// Action: OffboardDeactivate, OffboardDelete or OffboardNone. Empty in
	// a non-zero Offboard: OffboardDeactivate.
	Action OffboardAction `json:"action,omitempty"`
	// UnjoinQueues unjoins every queue the leaver is joined on (with
	// deactivate: stops routing even if the user is reactivated).
	UnjoinQueues bool `json:"unjoin_queues,omitempty"`
	// RemoveQueues removes the leaver from every queue.
	RemoveQueues bool `json:"remove_queues,omitempty"`
	// StripSkills, StripLanguages and StripRoles remove all of them.
	StripSkills    bool `json:"strip_skills,omitempty"`
	StripLanguages bool `json:"strip_languages,omitempty"`
	// StripRoles removes the direct role grants of a leaver whose account
	// is kept active (action none): deactivating or deleting an account
	// removes them already (Genesys Cloud: "all roles assigned to the user
	// are removed"), so the plan shows that instead of calling. Grants
	// through groups stay with the groups: syncer never changes group
	// membership.
	StripRoles bool `json:"strip_roles,omitempty"`
	// RevokeMFA deletes the MFA verifiers of a leaver leaving now (one
	// read, then one DELETE per verifier).
	RevokeMFA bool `json:"revoke_mfa,omitempty"`
	// ReleaseStations clears the default and associated stations of a
	// leaver leaving now, so that the phones can be given to others.
	ReleaseStations bool `json:"release_stations,omitempty"`
	// ResetUtilization reverts a leaver leaving now to the org's
	// utilization (one read, and a DELETE when it has its own).
	ResetUtilization bool `json:"reset_utilization,omitempty"`
	// DeleteAfter, when positive, deletes a leaver an apply of this
	// syncer deactivated longer ago than this (User.OffboardedAt), in a
	// later plan; such a deletion is an offboard the guards count.
	DeleteAfter time.Duration `json:"delete_after,omitempty"`
}

// Guards bound what a plan may do before anyone confirms it. For every
// limit, nil means the default, a negative value means no limit, and 0
// allows none at all.
type Guards struct {
	// MaxOffboards bounds the number of leavers. Default DefaultMaxOffboards.
	MaxOffboards *int `json:"max_offboards"`
	// MaxOffboardPercent bounds leavers as a percentage of the in-scope,
	// not deleted users. Default DefaultMaxOffboardPercent.
	MaxOffboardPercent *float64 `json:"max_offboard_percent"`
	// MaxChanges bounds the users created, restored, changed or offboarded.
	// Default DefaultMaxChanges.
	MaxChanges *int `json:"max_changes"`
	// MaxQueueLossPercent bounds, per queue, the share of its joined agents
	// that stop taking its interactions (removed, unjoined, deactivated or
	// deleted). Default DefaultMaxQueueLossPercent.
	MaxQueueLossPercent *float64 `json:"max_queue_loss_percent"`
	// MinQueueLoss is the fewest agents a queue must lose for its loss to
	// count, so that one leaver of a two-person queue does not trip the
	// guard. Default DefaultMinQueueLoss.
	MinQueueLoss *int `json:"min_queue_loss"`
	// MaxRejectedPercent bounds the feed's rejected rows as a percentage of
	// its data rows: past it the export is more likely broken than the
	// rows wrong (100: no limit). Default DefaultMaxRejectedPercent.
	MaxRejectedPercent *float64 `json:"max_rejected_percent"`
}

// WithDefaults returns c with every unset setting at its default: what a
// plan computed with c records in Plan.Settings.
func (c Config) WithDefaults() Config {
	if c.Owned == 0 {
		c.Owned = DefaultOwned
	}
	if c.Offboard == (Offboard{}) {
		c.Offboard = DefaultOffboard
	}
	if c.Offboard.Action == "" {
		c.Offboard.Action = OffboardDeactivate
	}
	c.RatePerMinute = cmp.Or(c.RatePerMinute, DefaultRatePerMinute)
	c.Read.Mode = cmp.Or(c.Read.Mode, string(feed.ModeSnapshot)) // the reader's default
	g := &c.Guards
	g.MaxOffboards = orDefault(g.MaxOffboards, DefaultMaxOffboards)
	g.MaxOffboardPercent = orDefault(g.MaxOffboardPercent, DefaultMaxOffboardPercent)
	g.MaxChanges = orDefault(g.MaxChanges, DefaultMaxChanges)
	g.MaxQueueLossPercent = orDefault(g.MaxQueueLossPercent, DefaultMaxQueueLossPercent)
	g.MinQueueLoss = orDefault(g.MinQueueLoss, DefaultMinQueueLoss)
	g.MaxRejectedPercent = orDefault(g.MaxRejectedPercent, DefaultMaxRejectedPercent)
	c.Scope.Divisions = slices.Clone(c.Scope.Divisions)
	c.Onboard.SendInvite = orDefault(c.Onboard.SendInvite, DefaultSendInvite)
	return c
}

func orDefault[T any](p *T, def T) *T {
	if p != nil {
		v := *p
		return &v
	}
	return &def
}

// owns reports whether the feed owns attribute f. The two manager columns
// are one attribute: owning either owns the manager; so are the two phone
// columns (the work phone).
func (c *Config) owns(f feed.Field) bool {
	switch f {
	case feed.FieldManagerEmployeeID, feed.FieldManagerEmail:
		return c.Owned.Has(feed.FieldManagerEmployeeID) || c.Owned.Has(feed.FieldManagerEmail)
	case feed.FieldPhoneWork, feed.FieldExtension:
		return c.Owned.Has(feed.FieldPhoneWork) || c.Owned.Has(feed.FieldExtension)
	}
	return c.Owned.Has(f)
}

// ignoredEmail reports whether an ignore entry matches the email, exactly
// or as a pattern.
func ignoredEmail(x, email string) bool {
	if email == "" {
		return false
	}
	if strings.ContainsAny(x, "*?[") {
		ok, _ := path.Match(strings.ToLower(x), strings.ToLower(email))
		return ok
	}
	return strings.EqualFold(x, email)
}

// ignored reports whether u is on the ignore list.
func (s *Scope) ignored(u *User) bool {
	for _, x := range s.Ignore {
		if x == u.ID || ignoredEmail(x, u.Email) || (u.EmployeeID != "" && x == u.EmployeeID) {
			return true
		}
		for _, k := range u.ExternalIDs {
			if x == k {
				return true
			}
		}
	}
	return false
}

// contains reports whether a user with this division and email is in
// scope (the ignore list aside).
func (s *Scope) contains(divisionID, email string) bool {
	if len(s.Divisions) > 0 && !slices.Contains(s.Divisions, divisionID) {
		return false
	}
	if len(s.EmailPatterns) == 0 {
		return true
	}
	e := strings.ToLower(email)
	for _, p := range s.EmailPatterns {
		if ok, _ := path.Match(strings.ToLower(p), e); ok {
			return true
		}
	}
	return false
}

// SettingsChanges lists, as "key: was → now", every setting that differs
// between the settings a plan was made with and those it would be made
// with now (both with defaults filled in). Settings that only describe the
// org (NewUserGrants) are not compared.
func SettingsChanges(was, now Config) []string {
	was, now = was.WithDefaults(), now.WithDefaults()
	var out []string
	add := func(key string, a, b any) {
		as, bs := fmt.Sprint(a), fmt.Sprint(b)
		if as != bs {
			out = append(out, fmt.Sprintf("%s: %s → %s", key, as, bs))
		}
	}
	deref := func(v any) any {
		switch x := v.(type) {
		case *int:
			return *x
		case *float64:
			return *x
		}
		return v
	}
	add("external_id_authority", was.Authority, now.Authority)
	add("match_org_employee_id", !was.IgnoreOrgEmployeeID, !now.IgnoreOrgEmployeeID)
	add("mode", was.Read.Mode, now.Read.Mode)
	add("format", was.Read.Format, now.Read.Format)
	add("delimiter", was.Read.Delimiter, now.Read.Delimiter)
	add("columns", sortedPairs(was.Read.Columns), sortedPairs(now.Read.Columns))
	add("ignore_columns", was.Read.IgnoreColumns, now.Read.IgnoreColumns)
	add("scope.divisions", was.Scope.DivisionNames, now.Scope.DivisionNames)
	add("scope.email_patterns", was.Scope.EmailPatterns, now.Scope.EmailPatterns)
	add("scope.ignore", was.Scope.Ignore, now.Scope.Ignore)
	add("owns", was.Owned, now.Owned)
	add("offboard", fmt.Sprintf("%+v", was.Offboard), fmt.Sprintf("%+v", now.Offboard))
	add("onboard.send_invite", *was.Onboard.SendInvite, *now.Onboard.SendInvite)
	add("onboard.resend_invite_after", was.Onboard.ResendAfter, now.Onboard.ResendAfter)
	add("onboard.utilization_profiles", fmt.Sprint(was.Onboard.UtilizationProfiles), fmt.Sprint(now.Onboard.UtilizationProfiles))
	wg, ng := was.Guards, now.Guards
	add("guards.max_offboards", deref(wg.MaxOffboards), deref(ng.MaxOffboards))
	add("guards.max_offboard_percent", deref(wg.MaxOffboardPercent), deref(ng.MaxOffboardPercent))
	add("guards.max_changes", deref(wg.MaxChanges), deref(ng.MaxChanges))
	add("guards.max_queue_loss_percent", deref(wg.MaxQueueLossPercent), deref(ng.MaxQueueLossPercent))
	add("guards.min_queue_loss", deref(wg.MinQueueLoss), deref(ng.MinQueueLoss))
	add("guards.max_rejected_percent", deref(wg.MaxRejectedPercent), deref(ng.MaxRejectedPercent))
	return out
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return out
}
