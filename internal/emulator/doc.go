// Package emulator is an in-memory Genesys Cloud organisation that speaks
// the wire protocol of every endpoint the syncer uses, with the rules of
// shared/reference/api-facts.md: OAuth client credentials, bearer checks,
// page-numbered listings with their caps, expands, state filters, users
// search, per-user sub-resources, queue membership from both sides,
// per-token rate limits with the real headers and 429 body, and injectable
// faults. Tests, benchmarks and `syncer emulator` / `syncer demo` use it.
// It imports no other syncer package (only its own sub-packages), so a
// wrong field name in the client fails a test instead of being shared.
//
// # Model
//
// The org (org.go) is generated deterministically from Config.Seed and
// Config.Users (generate.go). Reference data (divisions, roles, skills,
// languages, groups, locations, queues) and users live in slices; a user
// refers to other objects by int32 index, so 200,000 users with 20 skills
// and 30 queues each fit in a few hundred MB. Indexes: byID, byEmail
// (lower-cased, deleted users included, for the duplicate-email rule),
// byExt (authority + key), and byState: per state (and for all users) the
// user indexes sorted by (name, id), which is the order of GET /users.
//
// Invariants (org.check in the tests verifies them):
//   - users are never removed; a leaver's state becomes "deleted";
//   - the indexes cover every user and change only through org methods;
//   - a user's queue refs and the queue's sorted member list mirror each
//     other; queue.joined counts joined members; deleted users are in no
//     queue;
//   - the manager graph is a forest: generated users get a manager with a
//     smaller index, and PATCH /users/{id} refuses a manager that closes a
//     cycle (400);
//   - skills, languages and queue refs of a user are sorted by index.
//
// # Concurrency
//
// Server.mu guards the org: handlers that read use s.read (RLock), every
// change uses s.write (Lock) and must leave the invariants true when it
// returns. Tokens, rate windows, faults and stats have their own locks.
//
// Users are rendered by hand-written JSON appenders (render.go), the
// unexpanded part from a per-user cache (atomic pointers, filled under
// RLock). s.write moves org.seq on, which invalidates every cached
// rendering, so no change can leave a stale user behind; never change the
// org outside s.write.
//
// # Rules the public record leaves open (chosen here, documented in README)
//
//   - Deep paging: pageNumber*pageSize > PageCap (SearchCap for search)
//     answers 400, for every state; pageCount may promise more pages.
//   - GET /users with an id list and no state returns users of any state;
//     POST /users/search without a state criterion matches active users.
//   - employerInfo appears only with expand=employerInfo.
//   - Inactive users hold no role grants (Genesys removes them) and are
//     joined to no queue; deleted users are in no queue.
//   - Rate limit: a fixed one-minute window per token, opened by its first
//     request; inin-ratelimit-count counts it, -reset is the seconds left,
//     a 429 carries Retry-After = the seconds left.
//   - People data (presence, out-of-office periods, teams, groups'
//     details, development activities): see "People data" below.
//
// # Request pipeline
//
// Server.ServeHTTP sets ININ-Correlation-Id, routes with a Go 1.22
// ServeMux and counts the request by route pattern (r.Pattern) and status.
// /api/v2 routes are registered with s.handleAPI, which wraps the handler
// in: faults (latency, connection reset, 5xx, 429 storm), bearer check
// (401), per-token rate limit (429, inin-ratelimit-* headers), permission
// check (403 missing.permissions / missing.any.permissions for what
// Config.DeniedPermissions takes away, permissions.go), handler. Faults and
// refusals answer before the handler runs, so a faulted or forbidden write
// is never applied; a handler that answers an error must not have changed anything
// (validate everything first, then apply under one s.change, writes.go).
//
// # Adding a route
//
//  1. Write the handler as a *Server method in the file of its resource
//     (users.go, user_resources.go, routing.go, ...). Parse and validate
//     query and body first, answering with wire.BadRequest/wire.NotFound/
//     wire.WriteError (the Genesys error body). Then read or change the
//     org inside one s.read or s.change call; for changes use the org
//     methods (addUser, setNameState, setEmail, addExternalID,
//     addMembership, removeMembership, setJoined, setSkill, removeSkill) so
//     the indexes follow, and bump the user's version.
//  2. Register it in routes.go with s.handleAPI("METHOD /api/v2/...", h)
//     and give the pattern the permissions the Platform API reference lists
//     for it in routePermissions (permissions.go); handleAPI panics without.
//  3. Listings use parsePage (page size limits, deep-paging cap) and
//     pageOf (the envelope with firstUri/selfUri/nextUri/previousUri/
//     lastUri); users are rendered with org.appendUser.
//  4. Test it over HTTP with newEnv (helpers_test.go) and check
//     org.check after writes.
//
// # Writes
//
// The write endpoints (user_writes.go, routing_writes.go, authz_writes.go)
// follow api-facts.md "Writes"; where the record is unsure the emulator
// picks a rule and states it here:
//   - POST /users: an email held by any user, deleted ones included,
//     answers 409 general.conflict. New users get a UUID from a stream keyed
//     by the org serial, version 1, the employee role in the home division.
//   - PATCH /users/{id}: version required and equal (409 otherwise); with
//     state nothing else changes; state inactive unjoins every queue and
//     removes every role grant (Genesys Cloud removes an inactive user's
//     roles; the churn does the same), state active or inactive restores a deleted user (without
//     the queues and grants it lost); manager must not close a cycle (400),
//     which is why the manager invariant is "a forest", not an index order.
//   - DELETE /users/{id}: deleted, out of every queue, no role grants.
//   - PATCH /users/bulk rejects any field but id and acdAutoAnswer (400),
//     so a client cannot believe it changed more.
//   - Versions: user fields, state, acdAutoAnswer and division moves bump
//     the user's version; skills, languages, queue membership, grants and
//     external ids do not (they are not part of the user document). The
//     /_emulator/mutate churn bumps it for every change.
//   - Batch limits: users bulk 50, skills PATCH/PUT 50, languages 50, user
//     queues PATCH 100, queue members 100, division objects 50, grants 100
//     per call (the last two undocumented), external ids 100 per user,
//     subjectgrants pageSize 500. Over a limit: 400. A null body is never
//     an empty list (PUT skills with null answers 400, not "clear all").
//   - Unknown ids inside a body answer 400 (bad request); unknown ids in the
//     path answer 404. Removing a skill or language the user does not have
//     is 204, so a retried removal succeeds.
//   - POST /routing/queues/{id}/members adds asynchronously: 202 at once,
//     the members appear after Config.QueueMemberDelay (a timer takes the
//     write lock; a Reset in between drops it; users deleted meanwhile are
//     skipped). New members start unjoined unless
//     Config.JoinNewQueueMembers (inactive users never start joined).
//     delete=true applies at once. Deleted users cannot be members (400).
//     A client must therefore wait for an add to show before it sets the
//     joined flag with PATCH /users/{id}/queues, which ignores queues the
//     user is not (yet) a member of.
//   - External ids: one key per authority per user (a new key replaces the
//     old); a key held by another user answers 409.
//   - Addresses and locations (contacts.go, with how sure each rule is):
//     PATCH /users/{id} with addresses replaces the phones (an empty list
//     removes them) and keeps other emails unless it sends some; a phone
//     is an E.164 number, an extension (digits) or both; locations are
//     replaced and must exist (400). POST /users takes addresses too.
//     employerInfo in a PATCH changes only the fields it holds. GET
//     /api/v2/locations pages the locations (25 by default, at most 100).
//
// # Joiners and leavers
//
// lifecycle.go and lifecycle_routes.go: stations, MFA verifiers,
// utilization, profile skills and the activation invite. How sure each rule
// is: doc (Platform API reference, SDK models, Resource Center), or the
// emulator's choice where the record is silent (unsure).
//   - Permissions: as UsersApi.md lists them (doc); GET /api/v2/stations,
//     GET /users/{id}/station and DELETE …/station/associatedstation need
//     none (doc).
//   - GET /api/v2/stations: pages of 25 by default (doc), at most 100
//     (unsure), filtered by name (whole name, case-insensitive: unsure) and
//     id.
//   - A station is one user's default (PUT …/defaultstation/{id} of a
//     station another user has as default answers 409: unsure; Genesys may
//     move it instead); an unknown station 404; releasing a station the
//     user does not have is 204 (unsure). Deleting a user releases its
//     stations ("default stations ... are not reassigned when a user is
//     restored": doc); deactivating keeps them (unsure).
//   - GET /users/{id}/verifiers: every verifier in one answer {entities,
//     total, selfUri}, no pages (doc: VerifierEntityListing); DELETE one
//     verifier per call (doc), a verifier the user lacks 404 (unsure).
//   - Utilization: GET answers every media type, with level Agent when the
//     user has settings of its own, else Organization (doc:
//     AgentMaxUtilizationResponse.level); PUT sets exactly the media types
//     sent (doc: "include only those media types requiring custom
//     configuration"); media types call, callback, chat, email, message
//     (doc: MediaUtilization); maximumCapacity 0 to 25 (doc: "The maximum
//     capacity for each interaction type is 25"); an unknown media type, a
//     missing capacity, a type that interrupts itself or is listed twice, an
//     empty map: 400 (unsure); labelUtilizations are not emulated (400).
//     DELETE reverts to the org's, 204 also when it already did (unsure).
//   - Profile skills: PUT replaces the list (doc), null 400, names trimmed,
//     repeats counted once, an empty name 400 (unsure); the version is not
//     bumped (unsure).
//   - POST /users/{id}/invite: sets dateWelcomeSent (doc: the "Welcome Sent"
//     column); an inactive user becomes active (doc: "when you send the
//     invitations, Genesys Cloud automatically changes their status to
//     active"); without force an outstanding invitation (sent, no login
//     since) is not sent again, 204 (unsure: force "resends the invitation
//     even if one is already outstanding"); a deleted user 404.
//   - Expands: station, profileSkills, dateWelcomeSent and dateLastLogin
//     (doc: the values of GET /users' expand).
//
// # People data
//
// people.go and people_routes.go (issue 18): the presence, routingStatus,
// outOfOffice, team and certifications expands, GET /api/v2/groups and
// GET /api/v2/users/development/activities, generated from a stream of
// their own (the rest of a seed's org is unchanged) and relative to
// Config.Epoch (default: the day New runs). How sure each rule is: doc
// (Platform API reference, SDK models), seen (public code relies on it),
// unsure (the emulator's choice).
//   - Shapes (doc: SDK models UserPresence, PresenceDefinition,
//     RoutingStatus, OutOfOffice, Team, Group, DevelopmentActivity,
//     DevelopmentActivityListing, Station, LocationDefinition): presence is
//     {source PURECLOUD, primary, presenceDefinition {id, systemPresence,
//     selfUri}, modifiedDate, selfUri}; systemPresence is spelt "Available",
//     "On Queue", "Busy"... (seen: integrations that set presence), not as
//     analytics spells it (ON_QUEUE). Times are UTC with milliseconds.
//   - Presence definitions are the analytics model's organisation presences
//     (their ids are its organizationPresenceId; unsure that Genesys ids
//     agree, but the org has one set): Offline, Available, On Queue, Busy,
//     Do Not Disturb (Busy), Away, Be Right Back (Away), Break, Meal,
//     Meeting, Training, Idle. About 42% of active users are Offline, 24% On
//     Queue (members of a queue only), 12% Available, the rest spread over
//     the others (unsure: a plausible mid-shift mix). Inactive and deleted
//     users are Offline, and become so when they leave (unsure for inactive).
//   - Routing status matches presence: On Queue exactly when the status is
//     not OFF_QUEUE (doc: routing applies while on queue); IDLE 45%,
//     INTERACTING 43%, COMMUNICATING 7%, NOT_RESPONDING 5% of those on queue
//     (unsure); startTime is not before the presence's modifiedDate.
//   - outOfOffice: about 8% of users not deleted have a period: 40% current
//     (a fifth of those indefinite: no endDate), 30% upcoming within six
//     weeks, 30% past within two months (unsure). active is true while now
//     is in [startDate, endDate) (unsure: the reference does not define it).
//     A user who never set one renders {user, active:false,
//     indefinite:false, selfUri} with no id and no dates, what GET
//     /users/{id}/outofoffice is taken to answer for such a user (unsure:
//     the real expand may omit the field; clients must accept both).
//     GET /users/{id}/outofoffice (doc: no permission) answers the same
//     record; a deleted user 404 (unsure).
//   - team: about 60% of agents (users not deleted in at least one queue),
//     mostly a team of their own division; a user without a team has no
//     team field (unsure); deleted users leave their team (unsure).
//     Teams are not served as a listing.
//   - certifications: 0–3 names from an org list; [] when none (unsure:
//     like profileSkills). They are part of the user document (doc:
//     UpdateUser.certifications): PATCH /users/{id} with certifications
//     replaces them (trimmed, repeats once, an empty name 400: unsure) and
//     a change bumps the version.
//   - Groups (doc: GroupsApi.getGroups: no permission, pageSize default 25,
//     id list, jabberId not with id, sortOrder ascending/descending; seen:
//     pages of 100 in the Terraform provider; the maximum 100 is unsure):
//     type official (85%) or social, visibility public, members or owners,
//     rulesVisible, version, dateModified, state active; memberCount counts
//     the users not deleted whose groups expand names the group (unsure:
//     deleted users' memberships). The groups expand renders the same
//     type, rulesVisible and visibility.
//   - Locations and stations need no permission (doc). Locations carry a
//     postal address (LocationAddress, doc). Stations carry
//     lineAppearanceId (derived from the station id) and, for WebRTC
//     stations, webRtcUserId = the user whose default station it is
//     (unsure), and filter on both (doc: parameters).
//   - GET /users/development/activities (doc: parameters, "Either moduleId
//     or userId is required", userId "up to 100", intervals "a maximum of 1
//     year" (older SDKs: "365 days") with the end not inclusive,
//     milliseconds truncated, sortOrder by dateDue Desc by default,
//     pageSize default 25, "Requires ANY permissions:
//     learning:assignment:view, coaching:appointment:view", "Results are
//     filtered based on the applicable permissions", userId "searches for
//     any relationship"): over 100 ids, a window over 365 days, an end not
//     after the start, an unknown enum value: 400 (the limit is doc, 365
//     days for "1 year" unsure); pageSize at most 100 and the deep-paging
//     cap (unsure); a userId matches activities it attends, facilitates or
//     created, so one activity is listed for several users (doc: "any
//     relationship"); coaching appointments need coaching:appointment:view,
//     the other types learning:assignment:view (unsure reading of
//     "filtered"); relationship is validated and ignored (it qualifies the
//     current user, which a client-credentials token lacks; unsure); pass
//     True/False keeps scored activities passed/failed (unsure); times
//     without a zone are UTC (unsure). Agents have 0–6 activities due from
//     about nine months ago to two months ahead: a quarter coaching
//     appointments facilitated by their manager, the rest assignments of
//     ten learning modules created by the manager; past-due ones are 70%
//     completed, the others InProgress, Planned, NotCompleted or (coaching)
//     InvalidSchedule; scored types (AssessedContent, Assessment) have a
//     percentageScore and isPassed at 70 (unsure); isOverdue = not
//     Completed and due before now (unsure). selfUri points at the learning
//     assignment or coaching appointment (unsure). v262 of the SDK marks
//     Informational, AssessedContent and Assessment as deprecated values of
//     types (doc); the emulator still serves them.
//   - Volatility: presence and routing status, out-of-office periods, teams
//     and certifications move with /_emulator/mutate {"people": percent}
//     (MutateRequest.People), from a stream of its own.
//
// Analytics jobs (users details and aggregates) live in the analytics
// sub-package and are mounted on the same pipeline (analytics.go): the org's
// users in id order are its UserSource, the jobFailureRate and jobExpiryRate
// faults and Reset reach it, and /_emulator/stats counts its jobs.
// Server.Analytics gives tests of other packages the ground truth (Detail,
// Aggregate, Horizon) and deterministic job failures and expiries (SetFaults
// with FailNext, ExpireNext).
package emulator
