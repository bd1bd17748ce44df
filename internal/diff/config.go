package diff

import (
	"cmp"
	"path"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/feed"
)

// Defaults of Config.
const (
	DefaultRatePerMinute       = 300
	DefaultMaxOffboards        = 50
	DefaultMaxOffboardPercent  = 10.0
	DefaultMaxQueueLossPercent = 25.0
	DefaultMinQueueLoss        = 2
	DefaultMaxRejectedPercent  = 10.0
)

// DefaultOwned are the attributes a feed owns unless configured: the
// person's profile and state. Lists (skills, languages, queues, roles) are
// add-only by default, so a feed never strips what an admin granted by
// hand unless told to.
var DefaultOwned = feed.FieldSet(0).With(feed.FieldEmail, feed.FieldName, feed.FieldTitle, feed.FieldDepartment,
	feed.FieldManagerEmployeeID, feed.FieldManagerEmail, feed.FieldDivision, feed.FieldState, feed.FieldACDAutoAnswer)

// Config says how to turn a feed into a plan. The zero value works: no
// external-id authority (match by email), the whole org in scope,
// DefaultOwned, deactivate leavers, default guards, 300 requests/minute.
type Config struct {
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
	// NewUserGrants are the role grants Genesys gives every user it
	// creates (in Genesys Cloud and the emulator: the employee role in the
	// home division). The plan counts them as present on a joiner, so that
	// an owned roles list removes them when the feed does not grant them.
	NewUserGrants []Grant `json:"new_user_grants,omitempty"`
}

// Scope says which users a plan may touch. A user outside it is never
// changed, even when the feed lists them.
type Scope struct {
	// Divisions limits the scope to these division ids. Empty: all.
	Divisions []string `json:"divisions,omitempty"`
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
// snapshot, or offboarded by a delta row).
type Offboard struct {
	// Action: OffboardDeactivate (default) or OffboardDelete.
	Action OffboardAction `json:"action,omitempty"`
	// UnjoinQueues unjoins every queue the leaver is joined on (with
	// deactivate: stops routing even if the user is reactivated).
	UnjoinQueues bool `json:"unjoin_queues,omitempty"`
	// RemoveQueues removes the leaver from every queue.
	RemoveQueues bool `json:"remove_queues,omitempty"`
	// StripSkills, StripLanguages and StripRoles remove all of them.
	StripSkills    bool `json:"strip_skills,omitempty"`
	StripLanguages bool `json:"strip_languages,omitempty"`
	StripRoles     bool `json:"strip_roles,omitempty"`
}

// Guards bound what a plan may do before anyone confirms it. For every
// limit, 0 means the default and a negative value means no limit.
type Guards struct {
	// MaxOffboards bounds the number of leavers. Default DefaultMaxOffboards.
	MaxOffboards int `json:"max_offboards,omitempty"`
	// MaxOffboardPercent bounds leavers as a percentage of the in-scope,
	// not deleted users. Default DefaultMaxOffboardPercent.
	MaxOffboardPercent float64 `json:"max_offboard_percent,omitempty"`
	// MaxChanges bounds the users created, restored, changed or offboarded.
	// Default: no limit.
	MaxChanges int `json:"max_changes,omitempty"`
	// MaxQueueLossPercent bounds, per queue, the share of its joined agents
	// that stop taking its interactions (removed, unjoined, deactivated or
	// deleted). Default DefaultMaxQueueLossPercent.
	MaxQueueLossPercent float64 `json:"max_queue_loss_percent,omitempty"`
	// MinQueueLoss is the fewest agents a queue must lose for its loss to
	// count, so that one leaver of a two-person queue does not trip the
	// guard. Default DefaultMinQueueLoss.
	MinQueueLoss int `json:"min_queue_loss,omitempty"`
	// MaxRejectedPercent bounds the feed's rejected rows as a percentage of
	// its data rows: past it the export is more likely broken than the
	// rows wrong. Default DefaultMaxRejectedPercent.
	MaxRejectedPercent float64 `json:"max_rejected_percent,omitempty"`
}

func (c Config) withDefaults() Config {
	if c.Owned == 0 {
		c.Owned = DefaultOwned
	}
	if c.Offboard.Action == "" {
		c.Offboard.Action = OffboardDeactivate
	}
	c.RatePerMinute = cmp.Or(c.RatePerMinute, DefaultRatePerMinute)
	g := &c.Guards
	g.MaxOffboards = cmp.Or(g.MaxOffboards, DefaultMaxOffboards)
	g.MaxOffboardPercent = cmp.Or(g.MaxOffboardPercent, DefaultMaxOffboardPercent)
	g.MaxQueueLossPercent = cmp.Or(g.MaxQueueLossPercent, DefaultMaxQueueLossPercent)
	g.MinQueueLoss = cmp.Or(g.MinQueueLoss, DefaultMinQueueLoss)
	g.MaxRejectedPercent = cmp.Or(g.MaxRejectedPercent, DefaultMaxRejectedPercent)
	return c
}

// owns reports whether the feed owns attribute f. The two manager columns
// are one attribute: owning either owns the manager.
func (c *Config) owns(f feed.Field) bool {
	if f == feed.FieldManagerEmployeeID || f == feed.FieldManagerEmail {
		return c.Owned.Has(feed.FieldManagerEmployeeID) || c.Owned.Has(feed.FieldManagerEmail)
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
