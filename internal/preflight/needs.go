package preflight

import (
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/diff"
)

// Need is an endpoint one step of a configured run calls.
type Need struct {
	// Endpoint is the endpoint's key ("GET /api/v2/routing/queues").
	Endpoint string
	// By names the step: "pipeline nightly: queues", "feed hr: apply".
	By string
	// When says when the step calls it; empty: on every run.
	When string
}

// use is an endpoint a step calls and when.
type use struct {
	endpoint string
	when     string
}

// Stream names of the forward path (pipeline.StreamNames; a test keeps the
// two in step).
const (
	streamReference      = "reference"
	streamDirectory      = "directory"
	streamUsers          = "users"
	streamSkills         = "skills"
	streamLanguages      = "languages"
	streamQueues         = "queues"
	streamRoles          = "roles"
	streamUserDetails    = "user_details"
	streamUserAggregates = "user_aggregates"
	streamUtilization    = "utilization"
	streamActivities     = "development_activities"
)

// Conditions of the uses, shared by the docs table and the check.
const (
	whenOverCap       = "when a state has more users than the 10,000-result paging cap: split by division"
	whenSkillsExpand  = "for users whose skills expand is missing or at its limit"
	whenLangsExpand   = "for users whose languages expand is missing or at its limit"
	whenQueueSide     = "queue side: with queues.strategy queue, or auto when it is cheaper"
	whenPerUser       = "per user: with queues.strategy user, or auto when it is cheaper"
	whenRoleOverCap   = "for a role with more subjects than its listing can page"
	whenJobTimeout    = "to cancel a job that did not finish in time"
	whenResumeCreate  = "when resuming an apply that may have created a user"
	whenRereadVersion = "to re-read a user's version after a 409 and to verify the apply"
	whenFeedQueues    = "when the feed has a queues column: every membership, queue side"
	whenLeaverQueues  = "for each active user offboarded, when the feed has no queues column and offboard.unjoin_queues is on"
	whenFeedRoles     = "when the feed has a roles column: every grant, role side"
	whenLeaverRoles   = "for each active user offboarded, when the feed has no roles column and offboard.strip_roles is on"
	whenLookup        = "for a row whose employee id no known key finds (a joiner), one call each"
	whenLookupFound   = "for a user found by that lookup, and the users an apply registered ids on"
	whenFeedDirectory = "when the feed has a location (location_work) or default_station column: the directory stream, whose names the column resolves against, on every plan and verification"
	whenLeaverMFA     = "for each active user offboarded, when offboard.revoke_mfa is on"
	whenLeaverUtil    = "to verify an apply: for the users it gave a profile, and the leavers it reset (offboard.reset_utilization resets without reading)"
)

// streamUses lists what each stream calls. skills and languages are loaded
// by the users stream from its expands; reference is added to a pipeline
// when users, queues or roles need its ids.
var streamUses = map[string][]use{
	streamReference: {
		{EndpointDivisions, ""}, {EndpointSkills, ""}, {EndpointLanguages, ""}, {EndpointRoles, ""}, {EndpointQueues, ""},
	},
	streamDirectory: {{EndpointGroups, ""}, {EndpointLocations, ""}, {EndpointStations, ""}},
	streamUsers:     {{EndpointUsers, ""}, {EndpointUsersSearch, whenOverCap}},
	streamSkills:    {{EndpointUsers, ""}, {EndpointUsersSearch, whenOverCap}, {EndpointUserSkills, whenSkillsExpand}},
	streamLanguages: {{EndpointUsers, ""}, {EndpointUsersSearch, whenOverCap}, {EndpointUserLanguages, whenLangsExpand}},
	streamQueues:    {{EndpointQueueMembers, whenQueueSide}, {EndpointUserQueues, whenPerUser}},
	streamRoles:     {{EndpointRoleSubjectGrants, ""}, {EndpointSubject, whenRoleOverCap}},
	streamUserDetails: {
		{EndpointDetailsAvailable, ""}, {EndpointDetailsSubmit, ""}, {EndpointDetailsStatus, ""},
		{EndpointDetailsResults, ""}, {EndpointDetailsCancel, whenJobTimeout},
	},
	streamUserAggregates: {
		{EndpointAggregatesSubmit, ""}, {EndpointAggregatesStatus, ""}, {EndpointAggregatesResults, ""},
		{EndpointAggregatesCancel, whenJobTimeout},
	},
	streamUtilization: {{EndpointUtilization, ""}},
	streamActivities:  {{EndpointDevActivities, ""}},
}

// streamOrder is the order of the streams in docs and output.
var streamOrder = []string{
	streamReference, streamDirectory, streamUsers, streamSkills, streamLanguages, streamQueues, streamRoles, streamUserDetails,
	streamUserAggregates, streamUtilization, streamActivities,
}

// planReads is what a feed's plan reads (reverse.Service.Plan): reference
// data and the users listing with the skills, languages and employerInfo
// expands always; every queue membership or role grant only when the feed
// has that column, else the memberships of the active users it offboards,
// one by one; an employee id as an external id only for a row no other
// key finds; and the org's locations when the feed has a location column.
func planReads() []use {
	var us []use
	for _, s := range []string{streamReference, streamSkills, streamLanguages} {
		us = append(us, streamUses[s]...)
	}
	us = append(us,
		use{EndpointQueueMembers, whenFeedQueues},
		use{EndpointUserQueues, whenLeaverQueues},
		use{EndpointRoleSubjectGrants, whenFeedRoles},
		use{EndpointSubject, whenLeaverRoles},
		use{EndpointUserByExternalID, whenLookup},
		use{EndpointExternalIDs, whenLookupFound},
		use{EndpointGroups, whenFeedDirectory},
		use{EndpointLocations, whenFeedDirectory},
		use{EndpointStations, whenFeedDirectory},
		use{EndpointVerifiers, whenLeaverMFA},
	)
	return dedupe(us)
}

// applyReads is what an apply reads besides its writes.
var applyReads = []use{
	{EndpointUtilization, whenLeaverUtil},
	{EndpointUser, whenRereadVersion},
	{EndpointUserByExternalID, whenResumeCreate},
	{EndpointUsersSearch, whenResumeCreate + ", by email"},
}

// kindWhen says when a plan has operations of a kind (KindSpec.When).
func kindWhen(k diff.Kind) string {
	s, _ := diff.LookupKind(k)
	return s.When
}

// allKinds are the operation kinds in plan order.
func allKinds() []diff.Kind {
	var ks []diff.Kind
	for _, s := range diff.Kinds() {
		ks = append(ks, s.Kind)
	}
	return ks
}

// PipelineSpec is what the check reads of a configured forward pipeline.
type PipelineSpec struct {
	Name string
	// Streams the pipeline runs.
	Streams []string
	// Expand of GET /api/v2/users.
	Expand []string
	// QueueStrategy is auto, queue or user.
	QueueStrategy string
}

// PipelineNeeds returns the endpoints a pipeline's streams call.
func PipelineNeeds(p PipelineSpec) []Need {
	has := func(s string) bool { return slices.Contains(p.Streams, s) }
	var needs []Need
	add := func(stream string, us []use) {
		for _, u := range us {
			needs = append(needs, Need{Endpoint: u.endpoint, By: "pipeline " + p.Name + ": " + stream, When: u.when})
		}
	}
	if has(streamReference) || has(streamUsers) || has(streamSkills) || has(streamLanguages) || has(streamQueues) || has(streamRoles) {
		add(streamReference, streamUses[streamReference])
	}
	if has(streamUsers) || has(streamSkills) || has(streamLanguages) {
		add(streamUsers, streamUses[streamUsers])
		// The users stream re-reads what the expands left out of the
		// lists it loads.
		if has(streamSkills) || slices.Contains(p.Expand, "skills") {
			add(streamSkills, []use{{EndpointUserSkills, whenSkillsExpand}})
		}
		if has(streamLanguages) || slices.Contains(p.Expand, "languages") {
			add(streamLanguages, []use{{EndpointUserLanguages, whenLangsExpand}})
		}
	}
	if has(streamQueues) {
		var us []use
		for _, u := range streamUses[streamQueues] {
			switch {
			case p.QueueStrategy == "queue" && u.endpoint == EndpointUserQueues,
				p.QueueStrategy == "user" && u.endpoint == EndpointQueueMembers:
				continue
			}
			us = append(us, u)
		}
		add(streamQueues, us)
	}
	for _, s := range []string{streamDirectory, streamRoles, streamUserDetails, streamUserAggregates, streamUtilization, streamActivities} {
		if has(s) {
			add(s, streamUses[s])
		}
	}
	return needs
}

// FeedSpec is what the check reads of a configured HR feed.
type FeedSpec struct {
	Name string
	// Authority is external_id_authority ("" registers no external id).
	Authority string
	// OffboardAction is deactivate, delete or none.
	OffboardAction string
	// RevokesRoles: the feed owns roles or strips a leaver's roles, so
	// apply may remove grants.
	RevokesRoles bool
}

// FeedNeeds returns the endpoints a feed's plan (its refresh) and apply
// call. Writes the configuration rules out (deleting users without
// offboard.action delete, revoking roles the feed neither owns nor
// strips) are left out; the others depend on the feed's rows, so all of
// them are listed.
func FeedNeeds(f FeedSpec) []Need {
	var needs []Need
	for _, u := range planReads() {
		needs = append(needs, Need{Endpoint: u.endpoint, By: "feed " + f.Name + ": plan", When: u.when})
	}
	for _, u := range applyReads {
		if u.endpoint == EndpointUserByExternalID && f.Authority == "" {
			continue
		}
		needs = append(needs, Need{Endpoint: u.endpoint, By: "feed " + f.Name + ": apply", When: u.when})
	}
	for _, k := range FeedWrites(f) {
		e, _ := WriteEndpoint(k)
		needs = append(needs, Need{Endpoint: e.Key(), By: "feed " + f.Name + ": apply", When: kindWhen(k)})
	}
	return needs
}

// FeedWrites returns the operation kinds an apply of the feed may run.
func FeedWrites(f FeedSpec) []diff.Kind {
	var ks []diff.Kind
	for _, k := range allKinds() {
		switch {
		case k == diff.KindDeleteUser && f.OffboardAction != "delete",
			k == diff.KindRemoveRoles && !f.RevokesRoles,
			k == diff.KindSetExternalID && f.Authority == "":
			continue
		}
		ks = append(ks, k)
	}
	return ks
}

func dedupe(us []use) []use {
	var out []use
	for _, u := range us {
		if !slices.ContainsFunc(out, func(o use) bool { return o.endpoint == u.endpoint }) {
			out = append(out, u)
		}
	}
	return out
}

// TableRow is one row of the permissions table of docs/genesys-setup.md.
type TableRow struct {
	Endpoint   string // "`GET /api/v2/routing/queues`"
	Permission string // "`routing:queue:view`", or "none"
	NeededBy   string // "streams reference; feed plan"
}

// Table returns the permissions table of docs/genesys-setup.md: every
// endpoint, its permissions, and the streams and feed steps that call it
// (with when, when not on every run). A test keeps the document equal to
// it.
func Table() []TableRow {
	type users struct{ streams, steps, whens []string }
	by := map[string]*users{}
	note := func(key, stream, step, when string) {
		u := by[key]
		if u == nil {
			u = &users{}
			by[key] = u
		}
		for _, x := range []struct {
			list *[]string
			v    string
		}{{&u.streams, stream}, {&u.steps, step}, {&u.whens, when}} {
			if x.v != "" && !slices.Contains(*x.list, x.v) {
				*x.list = append(*x.list, x.v)
			}
		}
	}
	for _, s := range streamOrder {
		for _, u := range streamUses[s] {
			note(u.endpoint, s, "", u.when)
		}
	}
	for _, u := range planReads() {
		note(u.endpoint, "", "feed plan", u.when)
	}
	for _, u := range applyReads {
		note(u.endpoint, "", "feed apply", u.when)
	}
	for _, k := range allKinds() {
		e, _ := WriteEndpoint(k)
		note(e.Key(), "", "feed apply", kindWhen(k))
	}
	var rows []TableRow
	for _, e := range Endpoints() {
		perm := "none"
		if len(e.Permissions) > 0 {
			quoted := make([]string, len(e.Permissions))
			for i, p := range e.Permissions {
				quoted[i] = "`" + p + "`"
			}
			switch {
			case e.AnyOf && len(quoted) > 1:
				perm = quoted[0] + " (or " + strings.Join(quoted[1:], ", ") + ")"
			default:
				perm = strings.Join(quoted, " and ")
			}
		}
		u := by[e.Key()]
		var parts []string
		switch len(u.streams) {
		case 0:
		case 1:
			parts = append(parts, "stream "+u.streams[0])
		default:
			parts = append(parts, "streams "+strings.Join(u.streams, ", "))
		}
		parts = append(parts, u.steps...)
		text := strings.Join(parts, "; ")
		if len(u.whens) > 0 {
			text += ": " + strings.Join(u.whens, "; ")
		}
		switch {
		case e.Write:
			text += ". Not probed (a write)"
		case e.ProbedBy != "":
			text += ". Probed through `" + e.ProbedBy + "` (same permission, no job submitted)"
		}
		if e.Note != "" {
			text += ". " + strings.ToUpper(e.Note[:1]) + e.Note[1:]
		}
		rows = append(rows, TableRow{Endpoint: "`" + e.Key() + "`", Permission: perm, NeededBy: text})
	}
	return rows
}
