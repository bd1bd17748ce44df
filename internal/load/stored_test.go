package load_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/usersync/syncer/internal/load"
)

// TestStoredValuesAndRowHashesAreStable loads one full and one sparse row
// through every Tx method and compares what each table holds, row_hash
// included, with values pinned from an earlier release. row_hash must never
// change for the same row: a loader that hashed a value differently (an int
// widened, "" no longer stored as NULL, a column reordered) would rewrite
// every row of a production schema, and open a new history version for each,
// on its first run after an upgrade.
func TestStoredValuesAndRowHashesAreStable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	f, g := 2.5, 4.0
	n := int64(7)
	raw := json.RawMessage(`{"id":"u1","n":1}`)
	at := ts("2026-10-01T08:00:00Z")
	end := ts("2026-10-01T08:10:00Z")
	users := []string{"u1", "u2"}
	e.stream(t, load.Stream{Pipeline: "p", Name: "all"}, nil, func(ctx context.Context, tx *load.Tx) error {
		for _, step := range []func() error{
			func() error {
				return tx.Users(ctx, []load.UserRow{
					{ID: "u1", Name: "Ada", Email: "ada@example.com", Username: "ada", Title: "Agent", Department: "Care", State: "active",
						DivisionID: "d1", ManagerID: "u2", EmployeeID: "E1", AcdAutoAnswer: true, Version: 3, Raw: raw},
					{ID: "u2"},
					// The columns of 00010: u1 and u2, without them, hash as before.
					{ID: "u3", EmployeeType: "Full-time", OfficialName: "Cy Young", DateHire: ts("2019-03-04T00:00:00Z"), TeamID: "t1", TeamName: "Night"},
				})
			},
			func() error {
				return tx.Groups(ctx, []load.GroupRow{{ID: "g1", Name: "Night", Description: "Night shift", Type: "official", Visibility: "public",
					State: "active", MemberCount: 12, DateModified: at, Raw: raw}, {ID: "g2"}})
			},
			func() error {
				return tx.Locations(ctx, []load.LocationRow{{ID: "o1", Name: "Paris", State: "active", AddressStreet1: "1 rue de Rivoli",
					AddressCity: "Paris", AddressState: "IDF", AddressZipcode: "75001", AddressCountry: "FR", Raw: raw}, {ID: "o2"}})
			},
			func() error {
				return tx.Stations(ctx, []load.StationRow{{ID: "st1", Name: "WebRTC", Type: "inin_webrtc_softphone", Status: "ASSOCIATED",
					UserID: "u1", WebRTCUserID: "u1", LineAppearanceID: "la1", Raw: raw}, {ID: "st2"}})
			},
			func() error {
				return tx.UserStations(ctx, users, []load.UserStationRow{{UserID: "u1", DefaultStationID: "st1", AssociatedStationID: "st1",
					AssociatedDate: at, EffectiveStationID: "st1", LastAssociatedStationID: "st1"}, {UserID: "u2"}})
			},
			func() error {
				return tx.UserPresence(ctx, users, []load.UserPresenceRow{{UserID: "u1", SystemPresence: "AVAILABLE", OrganizationPresenceID: "op1", ModifiedAt: at}, {UserID: "u2"}})
			},
			func() error {
				return tx.UserRoutingStatus(ctx, users, []load.UserRoutingStatusRow{{UserID: "u1", Status: "IDLE", StartTime: at}, {UserID: "u2"}})
			},
			func() error {
				return tx.UserLastLogin(ctx, users, []load.UserLastLoginRow{{UserID: "u1", LastLoginAt: at}})
			},
			func() error {
				return tx.OutOfOffice(ctx, []load.OutOfOfficeRow{{UserID: "u1", Start: at, End: end, Indefinite: false, Active: true, ID: "x1"}, {UserID: "u2", Start: at}})
			},
			func() error {
				return tx.UserProfileSkills(ctx, users, []load.UserProfileSkillRow{{UserID: "u1", ProfileSkill: "Java"}})
			},
			func() error {
				return tx.UserCertifications(ctx, users, []load.UserCertificationRow{{UserID: "u1", Certification: "ITIL"}})
			},
			func() error {
				return tx.Utilization(ctx, users, []load.UtilizationRow{{UserID: "u1", MediaType: "call", MaximumCapacity: 2,
					InterruptibleMediaTypes: []string{"email", "callback"}, IncludeNonACD: true, Level: "Agent"}, {UserID: "u2", MediaType: "chat"}})
			},
			func() error {
				yes := true
				return tx.DevelopmentActivities(ctx, []load.DevelopmentActivityRow{{ActivityID: "a1", UserID: "u1", Name: "GDPR", Type: "AssessedContent",
					Status: "Completed", ModuleID: "m1", DateCreated: at, DateDue: end, DateCompleted: end, IsOverdue: &yes, IsPassed: &yes,
					PercentageScore: &f, CreatedByID: "u2", FacilitatorID: "u2", Raw: raw}, {ActivityID: "a1", UserID: "u2"}})
			},
			func() error {
				return tx.Divisions(ctx, []load.DivisionRow{{ID: "d1", Name: "Home", Description: "Main", HomeDivision: true, Raw: raw}, {ID: "d2"}})
			},
			func() error {
				return tx.Skills(ctx, []load.SkillRow{{ID: "s1", Name: "Billing", State: "active", Raw: raw}, {ID: "s2"}})
			},
			func() error {
				return tx.Languages(ctx, []load.LanguageRow{{ID: "l1", Name: "French", State: "active", Raw: raw}, {ID: "l2"}})
			},
			func() error {
				return tx.Queues(ctx, []load.QueueRow{{ID: "q1", Name: "Care", DivisionID: "d1", MemberCount: 12, JoinedMemberCount: 5, Raw: raw}, {ID: "q2"}})
			},
			func() error {
				return tx.Roles(ctx, []load.RoleRow{{ID: "r1", Name: "Agent", Description: "Takes calls", Raw: raw}, {ID: "r2"}})
			},
			func() error {
				return tx.UserSkills(ctx, users, []load.UserSkillRow{{UserID: "u1", SkillID: "s1", SkillName: "Billing", Proficiency: 3.5}, {UserID: "u2", SkillID: "s2"}})
			},
			func() error {
				return tx.UserLanguages(ctx, users, []load.UserLanguageRow{{UserID: "u1", LanguageID: "l1", LanguageName: "French", Proficiency: 4}, {UserID: "u2", LanguageID: "l2"}})
			},
			func() error {
				return tx.QueueMembersByUser(ctx, users, []load.QueueMemberRow{{UserID: "u1", QueueID: "q1", Joined: true}, {UserID: "u2", QueueID: "q1"}})
			},
			func() error {
				return tx.UserGroups(ctx, users, []load.UserGroupRow{{UserID: "u1", GroupID: "g1", GroupName: "Night"}, {UserID: "u2", GroupID: "g2"}})
			},
			func() error {
				return tx.UserLocations(ctx, users, []load.UserLocationRow{{UserID: "u1", LocationID: "o1", LocationName: "Paris", Notes: "Desk 4"}, {UserID: "u2", LocationID: "o2"}})
			},
			func() error {
				return tx.RoleGrants(ctx, users, []load.RoleGrantRow{{UserID: "u1", RoleID: "r1", DivisionID: "d1"}, {UserID: "u2", RoleID: "r2", DivisionID: "*"}})
			},
			func() error {
				return tx.ExternalIDs(ctx, users, []load.ExternalIDRow{{UserID: "u1", AuthorityName: "hr", ExternalKey: "E1"}, {UserID: "u2", AuthorityName: "hr", ExternalKey: ""}})
			},
			func() error {
				return tx.PresenceSegments(ctx, []load.PresenceSegmentRow{
					{UserID: "u1", Start: at, End: end, SystemPresence: "AVAILABLE", OrganizationPresenceID: "op1"},
					{UserID: "u2", Start: at, SystemPresence: "BUSY"},
				})
			},
			func() error {
				return tx.RoutingStatusSegments(ctx, []load.RoutingStatusSegmentRow{{UserID: "u1", Start: at, End: end, RoutingStatus: "IDLE"}, {UserID: "u2", Start: at, RoutingStatus: "OFF_QUEUE"}})
			},
			func() error {
				return tx.Aggregates(ctx, []load.AggregateRow{
					{UserID: "u1", IntervalStart: at, IntervalEnd: end, Granularity: "PT30M", Metric: "tSystemPresence", Qualifier: "AVAILABLE", Sum: &f, Count: &n, Min: &f, Max: &g},
					{UserID: "u2", IntervalStart: at, IntervalEnd: end, Granularity: "PT30M", Metric: "tOrganizationPresence"},
				})
			},
		} {
			if err := step(); err != nil {
				return err
			}
		}
		return nil
	})

	want := map[string]string{
		"users": `{"id": "u1", "raw": {"n": 1, "id": "u1"}, "name": "Ada", "email": "ada@example.com", "state": "active", "title": "Agent", "team_id": null, "version": 3, "row_hash": "00c6f8c7-e6d4-06e6-0c5a-c93299fcdfc5", "username": "ada", "date_hire": null, "team_name": null, "department": "Care", "manager_id": "u2", "division_id": "d1", "employee_id": "E1", "employee_type": null, "official_name": null, "acd_auto_answer": true}
{"id": "u2", "raw": null, "name": null, "email": null, "state": null, "title": null, "team_id": null, "version": 0, "row_hash": "54e287b4-5df3-49af-8407-17319830b0de", "username": null, "date_hire": null, "team_name": null, "department": null, "manager_id": null, "division_id": null, "employee_id": null, "employee_type": null, "official_name": null, "acd_auto_answer": false}
{"id": "u3", "raw": null, "name": null, "email": null, "state": null, "title": null, "team_id": "t1", "version": 0, "row_hash": "2236756e-db1a-f032-35a3-34a6883633ff", "username": null, "date_hire": "2019-03-04", "team_name": "Night", "department": null, "manager_id": null, "division_id": null, "employee_id": null, "employee_type": "Full-time", "official_name": "Cy Young", "acd_auto_answer": false}`,
		"users_history": `{"id": "u1", "raw": {"n": 1, "id": "u1"}, "name": "Ada", "email": "ada@example.com", "state": "active", "title": "Agent", "team_id": null, "version": 3, "row_hash": "00c6f8c7-e6d4-06e6-0c5a-c93299fcdfc5", "username": "ada", "date_hire": null, "team_name": null, "department": "Care", "manager_id": "u2", "division_id": "d1", "employee_id": "E1", "employee_type": null, "official_name": null, "acd_auto_answer": true}
{"id": "u2", "raw": null, "name": null, "email": null, "state": null, "title": null, "team_id": null, "version": 0, "row_hash": "54e287b4-5df3-49af-8407-17319830b0de", "username": null, "date_hire": null, "team_name": null, "department": null, "manager_id": null, "division_id": null, "employee_id": null, "employee_type": null, "official_name": null, "acd_auto_answer": false}
{"id": "u3", "raw": null, "name": null, "email": null, "state": null, "title": null, "team_id": "t1", "version": 0, "row_hash": "2236756e-db1a-f032-35a3-34a6883633ff", "username": null, "date_hire": "2019-03-04", "team_name": "Night", "department": null, "manager_id": null, "division_id": null, "employee_id": null, "employee_type": "Full-time", "official_name": "Cy Young", "acd_auto_answer": false}`,
		"divisions": `{"id": "d1", "raw": {"n": 1, "id": "u1"}, "name": "Home", "row_hash": "3276845b-e329-386c-f2ff-896b9e01c149", "description": "Main", "home_division": true}
{"id": "d2", "raw": null, "name": "", "row_hash": "6690e8e1-f0c4-500e-a547-1320b4d730f3", "description": null, "home_division": false}`,
		"skills": `{"id": "s1", "raw": {"n": 1, "id": "u1"}, "name": "Billing", "state": "active", "row_hash": "0591f37e-b7a7-7cab-b5dd-95e0f5b25504"}
{"id": "s2", "raw": null, "name": "", "state": null, "row_hash": "d0b6b924-ca04-4ecc-b9c8-856c85f89e4a"}`,
		"languages": `{"id": "l1", "raw": {"n": 1, "id": "u1"}, "name": "French", "state": "active", "row_hash": "13160fb9-b03c-e3bc-1519-1cc82e43111b"}
{"id": "l2", "raw": null, "name": "", "state": null, "row_hash": "458895e7-4a31-76bc-c4e5-f706c2ef7dfb"}`,
		"queues": `{"id": "q1", "raw": {"n": 1, "id": "u1"}, "name": "Care", "row_hash": "4f0f12d1-e4d6-6b09-238e-fe1fc430bf2d", "division_id": "d1", "member_count": 12, "joined_member_count": 5}
{"id": "q2", "raw": null, "name": "", "row_hash": "8d4680ea-45e0-345f-d949-4c01eaf47596", "division_id": null, "member_count": 0, "joined_member_count": 0}`,
		"roles": `{"id": "r1", "raw": {"n": 1, "id": "u1"}, "name": "Agent", "row_hash": "3e4efc3b-243f-fecd-7119-e12be0b5212b", "description": "Takes calls"}
{"id": "r2", "raw": null, "name": "", "row_hash": "09861ca0-faf3-6cb9-89bf-e9c367a79757", "description": null}`,
		"user_skills": `{"user_id": "u1", "row_hash": "268ebfd1-f141-d35b-1f76-8a48ec49eeee", "skill_id": "s1", "skill_name": "Billing", "proficiency": 3.5}
{"user_id": "u2", "row_hash": "3cd5a871-c773-6e14-328b-df3895c26f88", "skill_id": "s2", "skill_name": null, "proficiency": 0}`,
		"user_skills_history": `{"user_id": "u1", "row_hash": "268ebfd1-f141-d35b-1f76-8a48ec49eeee", "skill_id": "s1", "skill_name": "Billing", "proficiency": 3.5}
{"user_id": "u2", "row_hash": "3cd5a871-c773-6e14-328b-df3895c26f88", "skill_id": "s2", "skill_name": null, "proficiency": 0}`,
		"user_languages": `{"user_id": "u1", "row_hash": "b6236af1-647e-8b97-75fb-b76e9c977857", "language_id": "l1", "proficiency": 4, "language_name": "French"}
{"user_id": "u2", "row_hash": "0eec02e9-fdd6-997e-745b-d2b3a1642d6c", "language_id": "l2", "proficiency": 0, "language_name": null}`,
		"user_queues": `{"joined": false, "user_id": "u2", "queue_id": "q1", "row_hash": "1a9e24b3-4b15-48b0-7e14-4e64cd203a2e"}
{"joined": true, "user_id": "u1", "queue_id": "q1", "row_hash": "8f160b3e-faab-775b-27f3-1c7d430d0621"}`,
		"user_queues_history": `{"joined": false, "user_id": "u2", "queue_id": "q1", "row_hash": "1a9e24b3-4b15-48b0-7e14-4e64cd203a2e"}
{"joined": true, "user_id": "u1", "queue_id": "q1", "row_hash": "8f160b3e-faab-775b-27f3-1c7d430d0621"}`,
		"user_groups": `{"user_id": "u1", "group_id": "g1", "row_hash": "9ff7b3e5-fa05-838b-fee2-37da008a4521", "group_name": "Night"}
{"user_id": "u2", "group_id": "g2", "row_hash": "b4487d5f-3fd8-6971-c1d3-148c693cb491", "group_name": null}`,
		"user_locations": `{"notes": "Desk 4", "user_id": "u1", "row_hash": "1e0f51f8-591b-945b-b6b1-6ca4640dd5cb", "location_id": "o1", "location_name": "Paris"}
{"notes": null, "user_id": "u2", "row_hash": "d9040584-f7c9-a5cd-d8b3-a09046a28aa1", "location_id": "o2", "location_name": null}`,
		"user_role_grants": `{"role_id": "r1", "user_id": "u1", "row_hash": "e0e1f0ea-8182-8b61-6d1f-5d2bdd493889", "division_id": "d1"}
{"role_id": "r2", "user_id": "u2", "row_hash": "515e6b4a-f936-b103-6402-f69491ca9620", "division_id": "*"}`,
		"user_external_ids": `{"user_id": "u1", "row_hash": "fe5913c2-fb77-8179-d246-0a88548ba57b", "external_key": "E1", "authority_name": "hr"}
{"user_id": "u2", "row_hash": "45435378-f038-2004-a62b-37fa1f447fbd", "external_key": "", "authority_name": "hr"}`,
		"user_presence_segments": `{"user_id": "u1", "end_time": "2026-10-01T08:10:00+00:00", "start_time": "2026-10-01T08:00:00+00:00", "system_presence": "AVAILABLE", "organization_presence_id": "op1"}
{"user_id": "u2", "end_time": null, "start_time": "2026-10-01T08:00:00+00:00", "system_presence": "BUSY", "organization_presence_id": null}`,
		"user_routing_status_segments": `{"user_id": "u1", "end_time": "2026-10-01T08:10:00+00:00", "start_time": "2026-10-01T08:00:00+00:00", "routing_status": "IDLE"}
{"user_id": "u2", "end_time": null, "start_time": "2026-10-01T08:00:00+00:00", "routing_status": "OFF_QUEUE"}`,
		"user_aggregates": `{"max": 4, "min": 2.5, "sum": 2.5, "count": 7, "metric": "tSystemPresence", "user_id": "u1", "qualifier": "AVAILABLE", "granularity": "PT30M", "interval_end": "2026-10-01T08:10:00+00:00", "interval_start": "2026-10-01T08:00:00+00:00"}
{"max": null, "min": null, "sum": null, "count": null, "metric": "tOrganizationPresence", "user_id": "u2", "qualifier": "", "granularity": "PT30M", "interval_end": "2026-10-01T08:10:00+00:00", "interval_start": "2026-10-01T08:00:00+00:00"}`,
		// Tables of migration 00010.
		"groups": `{"id": "g1", "raw": {"n": 1, "id": "u1"}, "name": "Night", "type": "official", "state": "active", "row_hash": "63c4759e-8205-242a-971a-d10f2253c941", "visibility": "public", "description": "Night shift", "member_count": 12, "date_modified": "2026-10-01T08:00:00+00:00"}
{"id": "g2", "raw": null, "name": "", "type": null, "state": null, "row_hash": "6f64ecfd-627d-3ee4-972d-b1f41da4d4a7", "visibility": null, "description": null, "member_count": 0, "date_modified": null}`,
		"locations": `{"id": "o1", "raw": {"n": 1, "id": "u1"}, "name": "Paris", "state": "active", "row_hash": "c70b23df-7e2f-c8a8-0447-a8450958962e", "address_city": "Paris", "address_state": "IDF", "address_country": "FR", "address_street1": "1 rue de Rivoli", "address_zipcode": "75001"}
{"id": "o2", "raw": null, "name": "", "state": null, "row_hash": "a3502ed6-4d0e-2d17-49a0-0d2f4e28a460", "address_city": null, "address_state": null, "address_country": null, "address_street1": null, "address_zipcode": null}`,
		"stations": `{"id": "st1", "raw": {"n": 1, "id": "u1"}, "name": "WebRTC", "type": "inin_webrtc_softphone", "status": "ASSOCIATED", "user_id": "u1", "row_hash": "a470045d-d2cb-a976-37f7-07a761fc8155", "web_rtc_user_id": "u1", "line_appearance_id": "la1"}
{"id": "st2", "raw": null, "name": "", "type": null, "status": null, "user_id": null, "row_hash": "0e386485-b101-971c-54f9-f4a339a15d38", "web_rtc_user_id": null, "line_appearance_id": null}`,
		"user_stations": `{"user_id": "u1", "row_hash": "0081de03-560f-b406-2e53-feeeb01841d2", "associated_date": "2026-10-01T08:00:00+00:00", "default_station_id": "st1", "effective_station_id": "st1", "associated_station_id": "st1", "last_associated_station_id": "st1"}
{"user_id": "u2", "row_hash": "15a63f96-856d-4ad9-c32b-caa0efd0772a", "associated_date": null, "default_station_id": null, "effective_station_id": null, "associated_station_id": null, "last_associated_station_id": null}`,
		"user_presence": `{"user_id": "u1", "row_hash": "35e9fea3-e4d6-dc2e-eb35-9f1a13e48202", "modified_at": "2026-10-01T08:00:00+00:00", "system_presence": "AVAILABLE", "organization_presence_id": "op1"}
{"user_id": "u2", "row_hash": "16efd2b1-54f6-308e-ab24-4624818a0862", "modified_at": null, "system_presence": null, "organization_presence_id": null}`,
		"user_routing_status": `{"status": "IDLE", "user_id": "u1", "row_hash": "0eb263e7-8248-fc43-3f1f-db8104d50dc3", "start_time": "2026-10-01T08:00:00+00:00"}
{"status": null, "user_id": "u2", "row_hash": "6585d9c7-9c7d-b8f0-9479-789ecda11f75", "start_time": null}`,
		"user_last_login": `{"user_id": "u1", "row_hash": "3e2af1fb-3d74-72ce-a131-a419b2a26a69", "last_login_at": "2026-10-01T08:00:00+00:00"}`,
		"user_out_of_office": `{"active": false, "ooo_id": null, "user_id": "u2", "end_date": null, "indefinite": false, "start_date": "2026-10-01T08:00:00+00:00"}
{"active": true, "ooo_id": "x1", "user_id": "u1", "end_date": "2026-10-01T08:10:00+00:00", "indefinite": false, "start_date": "2026-10-01T08:00:00+00:00"}`,
		"user_profile_skills":         `{"user_id": "u1", "row_hash": "0430881e-70f8-4c1b-80b5-355451895d6d", "profile_skill": "Java"}`,
		"user_profile_skills_history": `{"user_id": "u1", "row_hash": "0430881e-70f8-4c1b-80b5-355451895d6d", "profile_skill": "Java"}`,
		"user_certifications":         `{"user_id": "u1", "row_hash": "9bd59927-0fb3-46b0-c60b-3c17d544e8f2", "certification": "ITIL"}`,
		"user_certifications_history": `{"user_id": "u1", "row_hash": "9bd59927-0fb3-46b0-c60b-3c17d544e8f2", "certification": "ITIL"}`,
		"user_utilization": `{"level": "", "user_id": "u2", "row_hash": "f3e84398-b325-e2b3-2612-235739a9b9b2", "media_type": "chat", "include_non_acd": false, "maximum_capacity": 0, "interruptible_media_types": []}
{"level": "Agent", "user_id": "u1", "row_hash": "44c95fab-1df1-c238-765a-07965088bfd6", "media_type": "call", "include_non_acd": true, "maximum_capacity": 2, "interruptible_media_types": ["callback", "email"]}`,
		"user_utilization_history": `{"level": "", "user_id": "u2", "row_hash": "f3e84398-b325-e2b3-2612-235739a9b9b2", "media_type": "chat", "include_non_acd": false, "maximum_capacity": 0, "interruptible_media_types": []}
{"level": "Agent", "user_id": "u1", "row_hash": "44c95fab-1df1-c238-765a-07965088bfd6", "media_type": "call", "include_non_acd": true, "maximum_capacity": 2, "interruptible_media_types": ["callback", "email"]}`,
		"user_development_activities": `{"raw": null, "name": null, "type": null, "status": null, "user_id": "u2", "date_due": null, "is_passed": null, "module_id": null, "is_overdue": null, "activity_id": "a1", "date_created": null, "created_by_id": null, "date_completed": null, "facilitator_id": null, "percentage_score": null}
{"raw": {"n": 1, "id": "u1"}, "name": "GDPR", "type": "AssessedContent", "status": "Completed", "user_id": "u1", "date_due": "2026-10-01T08:10:00+00:00", "is_passed": true, "module_id": "m1", "is_overdue": true, "activity_id": "a1", "date_created": "2026-10-01T08:00:00+00:00", "created_by_id": "u2", "date_completed": "2026-10-01T08:10:00+00:00", "facilitator_id": "u2", "percentage_score": 2.5}`,
	}
	ctx := context.Background()
	for table, w := range want {
		// Every column but the bookkeeping of when and by which run, as
		// JSON, one row a line in text order.
		var got string
		q := `SELECT coalesce(string_agg(j, E'\n' ORDER BY j), '') FROM (SELECT (to_jsonb(t) - 'first_seen_at' - 'updated_at' - 'updated_run' - 'deleted_at'
			- 'valid_from' - 'valid_to' - 'run_id')::text j FROM ` + pgx.Identifier{e.schema, table}.Sanitize() + ` t) x`
		err := pgx.BeginFunc(ctx, e.pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, "SET LOCAL TIME ZONE 'UTC'"); err != nil {
				return err
			}
			return tx.QueryRow(ctx, q).Scan(&got)
		})
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		if got != w {
			t.Errorf("%s holds:\n%s\nwant:\n%s", table, got, w)
		}
	}
}
