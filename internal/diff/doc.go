// Package diff computes the plan that makes a Genesys Cloud org match an
// HR feed: desired (a feed.Feed) minus current (a Current) gives a Plan of
// ordered API operations, with what each means for people, a call and
// time estimate, and guard verdicts. It is pure: no network, no database,
// no clock; the same inputs give the same plan byte for byte.
//
// # Matching
//
// A feed row matches a user by external id (Config.Authority; the row's
// employee_id is the key), then by email, case-insensitively. A row whose
// email belongs to a deleted user restores that user instead of creating a
// second one (Genesys refuses a duplicate email, even a deleted one's).
// When the external id and the email point at two different users, or the
// email's user is bound to another employee id, nothing is done for either
// and the plan says so. In snapshot mode an in-scope user no row matches
// is a leaver, unless a rejected row names them; if any rejected row names
// nobody, no one is offboarded in that run.
//
// # Ownership and scope
//
// An attribute the feed owns (Config.Owned) is made exactly as the row
// says; an owned list loses what the row omits. One it does not own is
// only filled when empty (scalars) or added to (lists). Only the
// attributes a row speaks for (feed.Employee.Has) are considered. Users
// outside Config.Scope, or on its ignore list, are never touched.
//
// # Operations
//
// Each Operation is one API call (Calls is 1) on the cheapest endpoint
// within its limits: the profile (name, email, title, department,
// manager, employee id, hire date, work phone, location) in one
// versioned PATCH /users/{id}, which carries the addresses and
// employerInfo it rewrites whole (UpdateUser.Base); skills by PATCH in
// 50s, or one PUT of the whole set when that costs fewer calls than PATCH
// plus one DELETE per removal;
// languages by PATCH in 50s and DELETEs; queue membership on the queue
// side in 100s; joined flags per user; roles by bulkadd/bulkremove;
// acdAutoAnswer through PATCH /users/bulk in 50s; division moves through
// the division objects endpoint in 50s; a state change always alone.
// Operations run phase by phase (create/restore, external id, attributes,
// state, division, skills, languages, queues, roles, acdAutoAnswer,
// delete), so every DependsOn points at an earlier operation. A user
// created by the plan is referred to by UserRef.Key until its create
// returns an id. Versioned writes (attributes, state, restore) carry
// ExpectedVersion; division moves and acdAutoAnswer also bump the version
// and so come after them. Manager changes run top-down in the final
// reporting forest, so that no step closes a loop; one that would leave a
// loop with the org's own reporting lines is dropped with a note.
//
// # Operation kinds
//
// Each kind is one registry entry (KindSpec, RegisterKind), declared in a
// file of its own family (kind_account.go, kind_skills.go, …): its phase,
// endpoint and permissions, target, payload, simulation, dependency links,
// the parts of Current its verification compares, optionally a Plan step,
// and when a plan has it. The planner's ordering, Simulate, the dependency
// linker, Plan.Validate, package apply and package preflight all read the
// registry; nothing else lists the kinds, and a kind the planner emits
// without registering it panics instead of running first.
//
// Execution lives in package apply, which registers one Executor per kind
// in a file of the same name (internal/apply/kind_*.go): diff stays pure,
// without the API client, and a test in apply fails when a kind has no
// executor. docs/extending.md walks through adding a kind.
//
// Where the API's behaviour is unsure the planner assumes what the
// emulator does, and Simulate models it: queue members added on the queue
// side start unjoined (Config.NewMembersJoined says otherwise), so a joined
// flag follows the add; deactivating unjoins every queue, so the joined
// flag of an inactive user is never compared; deactivating removes every
// direct role grant (documented by Genesys), so a leaver's roles are shown
// removed without a call and a row that deactivates someone plans its roles
// against none; a deleted user has no queues, grants or stations; a
// created user gets Config.NewUserGrants.
//
// # Joiners and leavers
//
// The joiner and leaver steps are kinds with a Plan step each (kind_mfa.go,
// kind_station.go, kind_utilization.go, kind_profile_skills.go,
// kind_invite.go): a joiner's utilization profile, default station,
// profile skills and invitation; a leaver's MFA verifiers, stations and
// utilization, before its deactivation and only while it leaves (an active
// account, or one Config.Recheck names); offboard.delete_after deletes
// leavers deactivated longer ago (User.OffboardedAt, Current.AsOf). What a
// step compares is never changed unless it was read: User's Known flags.
//
// # Invariants
//
//   - Simulate(current, plan) followed by Compute with the same feed gives
//     a plan without operations (tested on generated orgs).
//   - Fingerprint covers every in-scope user with its version and
//     memberships; a plan is stale when the fingerprint of a fresh read
//     differs.
//   - Guards are judged on the whole plan before any call; a tripped guard
//     names its numbers and the flag and config key that override it.
//   - Every operation of a plan is of a registered kind and has the target
//     and payload its kind declares (Plan.Validate).
//   - diff never imports the API client or the store.
package diff
