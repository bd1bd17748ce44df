package load

import (
	"encoding/json"
	"time"
)

// The tables the loader writes, one declaration each (see table.go and
// "Adding a table" in doc.go). Columns are listed in COPY order; each names
// its column in the migrated schema, and its constructor fixes the SQL type
// and whether "" or nil is stored as NULL.

var (
	usersTable = declare(table{name: "users", kind: entity, key: []string{"id"}, history: "users_history", appended: "employee_type"},
		text("id", func(r *UserRow) string { return r.ID }),
		optText("name", func(r *UserRow) string { return r.Name }),
		optText("email", func(r *UserRow) string { return r.Email }),
		optText("username", func(r *UserRow) string { return r.Username }),
		optText("title", func(r *UserRow) string { return r.Title }),
		optText("department", func(r *UserRow) string { return r.Department }),
		optText("state", func(r *UserRow) string { return r.State }),
		optText("division_id", func(r *UserRow) string { return r.DivisionID }),
		optText("manager_id", func(r *UserRow) string { return r.ManagerID }),
		optText("employee_id", func(r *UserRow) string { return r.EmployeeID }),
		boolean("acd_auto_answer", func(r *UserRow) bool { return r.AcdAutoAnswer }),
		integer("version", func(r *UserRow) int { return r.Version }),
		optJSON("raw", func(r *UserRow) json.RawMessage { return r.Raw }),
		// Added by migration 00010 to rows stored before: see appended.
		optText("employee_type", func(r *UserRow) string { return r.EmployeeType }),
		optText("official_name", func(r *UserRow) string { return r.OfficialName }),
		optDate("date_hire", func(r *UserRow) time.Time { return r.DateHire }),
		optText("team_id", func(r *UserRow) string { return r.TeamID }),
		optText("team_name", func(r *UserRow) string { return r.TeamName }),
	)
	divisionsTable = declare(table{name: "divisions", kind: entity, key: []string{"id"}},
		text("id", func(r *DivisionRow) string { return r.ID }),
		text("name", func(r *DivisionRow) string { return r.Name }),
		optText("description", func(r *DivisionRow) string { return r.Description }),
		boolean("home_division", func(r *DivisionRow) bool { return r.HomeDivision }),
		optJSON("raw", func(r *DivisionRow) json.RawMessage { return r.Raw }),
	)
	skillsTable = declare(table{name: "skills", kind: entity, key: []string{"id"}},
		text("id", func(r *SkillRow) string { return r.ID }),
		text("name", func(r *SkillRow) string { return r.Name }),
		optText("state", func(r *SkillRow) string { return r.State }),
		optJSON("raw", func(r *SkillRow) json.RawMessage { return r.Raw }),
	)
	languagesTable = declare(table{name: "languages", kind: entity, key: []string{"id"}},
		text("id", func(r *LanguageRow) string { return r.ID }),
		text("name", func(r *LanguageRow) string { return r.Name }),
		optText("state", func(r *LanguageRow) string { return r.State }),
		optJSON("raw", func(r *LanguageRow) json.RawMessage { return r.Raw }),
	)
	queuesTable = declare(table{name: "queues", kind: entity, key: []string{"id"}},
		text("id", func(r *QueueRow) string { return r.ID }),
		text("name", func(r *QueueRow) string { return r.Name }),
		optText("division_id", func(r *QueueRow) string { return r.DivisionID }),
		integer("member_count", func(r *QueueRow) int { return r.MemberCount }),
		integer("joined_member_count", func(r *QueueRow) int { return r.JoinedMemberCount }),
		optJSON("raw", func(r *QueueRow) json.RawMessage { return r.Raw }),
	)
	rolesTable = declare(table{name: "roles", kind: entity, key: []string{"id"}},
		text("id", func(r *RoleRow) string { return r.ID }),
		text("name", func(r *RoleRow) string { return r.Name }),
		optText("description", func(r *RoleRow) string { return r.Description }),
		optJSON("raw", func(r *RoleRow) json.RawMessage { return r.Raw }),
	)
	groupsTable = declare(table{name: "groups", kind: entity, key: []string{"id"}},
		text("id", func(r *GroupRow) string { return r.ID }),
		text("name", func(r *GroupRow) string { return r.Name }),
		optText("description", func(r *GroupRow) string { return r.Description }),
		optText("type", func(r *GroupRow) string { return r.Type }),
		optText("visibility", func(r *GroupRow) string { return r.Visibility }),
		optText("state", func(r *GroupRow) string { return r.State }),
		integer("member_count", func(r *GroupRow) int { return r.MemberCount }),
		optTimestamp("date_modified", func(r *GroupRow) time.Time { return r.DateModified }),
		optJSON("raw", func(r *GroupRow) json.RawMessage { return r.Raw }),
	)
	locationsTable = declare(table{name: "locations", kind: entity, key: []string{"id"}},
		text("id", func(r *LocationRow) string { return r.ID }),
		text("name", func(r *LocationRow) string { return r.Name }),
		optText("state", func(r *LocationRow) string { return r.State }),
		optText("address_street1", func(r *LocationRow) string { return r.AddressStreet1 }),
		optText("address_city", func(r *LocationRow) string { return r.AddressCity }),
		optText("address_state", func(r *LocationRow) string { return r.AddressState }),
		optText("address_zipcode", func(r *LocationRow) string { return r.AddressZipcode }),
		optText("address_country", func(r *LocationRow) string { return r.AddressCountry }),
		optJSON("raw", func(r *LocationRow) json.RawMessage { return r.Raw }),
	)
	stationsTable = declare(table{name: "stations", kind: entity, key: []string{"id"}},
		text("id", func(r *StationRow) string { return r.ID }),
		text("name", func(r *StationRow) string { return r.Name }),
		optText("type", func(r *StationRow) string { return r.Type }),
		optText("status", func(r *StationRow) string { return r.Status }),
		optText("user_id", func(r *StationRow) string { return r.UserID }),
		optText("web_rtc_user_id", func(r *StationRow) string { return r.WebRTCUserID }),
		optText("line_appearance_id", func(r *StationRow) string { return r.LineAppearanceID }),
		optJSON("raw", func(r *StationRow) json.RawMessage { return r.Raw }),
	)

	userSkillsTable = declare(table{name: "user_skills", kind: child, owner: "user_id", key: []string{"user_id", "skill_id"}, history: "user_skills_history"},
		text("user_id", func(r *UserSkillRow) string { return r.UserID }),
		text("skill_id", func(r *UserSkillRow) string { return r.SkillID }),
		optText("skill_name", func(r *UserSkillRow) string { return r.SkillName }),
		double("proficiency", func(r *UserSkillRow) float64 { return r.Proficiency }),
	)
	userLanguagesTable = declare(table{name: "user_languages", kind: child, owner: "user_id", key: []string{"user_id", "language_id"}},
		text("user_id", func(r *UserLanguageRow) string { return r.UserID }),
		text("language_id", func(r *UserLanguageRow) string { return r.LanguageID }),
		optText("language_name", func(r *UserLanguageRow) string { return r.LanguageName }),
		double("proficiency", func(r *UserLanguageRow) float64 { return r.Proficiency }),
	)
	// user_queues is loaded per user or per queue (QueueMembersByUser,
	// QueueMembersByQueue): one table, two owners, so two declarations
	// sharing their columns.
	userQueuesByUserTable = declare(table{name: "user_queues", kind: child, owner: "user_id", key: []string{"user_id", "queue_id"}, history: "user_queues_history"},
		queueMemberCols...)
	userQueuesByQueueTable = declare(table{name: "user_queues", kind: child, owner: "queue_id", key: []string{"user_id", "queue_id"}, history: "user_queues_history"},
		queueMemberCols...)
	userGroupsTable = declare(table{name: "user_groups", kind: child, owner: "user_id", key: []string{"user_id", "group_id"}},
		text("user_id", func(r *UserGroupRow) string { return r.UserID }),
		text("group_id", func(r *UserGroupRow) string { return r.GroupID }),
		optText("group_name", func(r *UserGroupRow) string { return r.GroupName }),
	)
	userLocationsTable = declare(table{name: "user_locations", kind: child, owner: "user_id", key: []string{"user_id", "location_id"}},
		text("user_id", func(r *UserLocationRow) string { return r.UserID }),
		text("location_id", func(r *UserLocationRow) string { return r.LocationID }),
		optText("location_name", func(r *UserLocationRow) string { return r.LocationName }),
		optText("notes", func(r *UserLocationRow) string { return r.Notes }),
	)
	roleGrantsTable = declare(table{name: "user_role_grants", kind: child, owner: "user_id", key: []string{"user_id", "role_id", "division_id"}},
		text("user_id", func(r *RoleGrantRow) string { return r.UserID }),
		text("role_id", func(r *RoleGrantRow) string { return r.RoleID }),
		text("division_id", func(r *RoleGrantRow) string { return r.DivisionID }),
	)
	externalIDsTable = declare(table{name: "user_external_ids", kind: child, owner: "user_id", key: []string{"user_id", "authority_name", "external_key"}},
		text("user_id", func(r *ExternalIDRow) string { return r.UserID }),
		text("authority_name", func(r *ExternalIDRow) string { return r.AuthorityName }),
		text("external_key", func(r *ExternalIDRow) string { return r.ExternalKey }),
	)

	// The volatile expands: one row per user, current only (no history), so
	// that a login or a presence change rewrites a row and nothing more.
	userStationsTable = declare(table{name: "user_stations", kind: child, owner: "user_id", key: []string{"user_id"}},
		text("user_id", func(r *UserStationRow) string { return r.UserID }),
		optText("default_station_id", func(r *UserStationRow) string { return r.DefaultStationID }),
		optText("associated_station_id", func(r *UserStationRow) string { return r.AssociatedStationID }),
		optTimestamp("associated_date", func(r *UserStationRow) time.Time { return r.AssociatedDate }),
		optText("effective_station_id", func(r *UserStationRow) string { return r.EffectiveStationID }),
		optText("last_associated_station_id", func(r *UserStationRow) string { return r.LastAssociatedStationID }),
	)
	userPresenceTable = declare(table{name: "user_presence", kind: child, owner: "user_id", key: []string{"user_id"}},
		text("user_id", func(r *UserPresenceRow) string { return r.UserID }),
		optText("system_presence", func(r *UserPresenceRow) string { return r.SystemPresence }),
		optText("organization_presence_id", func(r *UserPresenceRow) string { return r.OrganizationPresenceID }),
		optTimestamp("modified_at", func(r *UserPresenceRow) time.Time { return r.ModifiedAt }),
	)
	userRoutingStatusTable = declare(table{name: "user_routing_status", kind: child, owner: "user_id", key: []string{"user_id"}},
		text("user_id", func(r *UserRoutingStatusRow) string { return r.UserID }),
		optText("status", func(r *UserRoutingStatusRow) string { return r.Status }),
		optTimestamp("start_time", func(r *UserRoutingStatusRow) time.Time { return r.StartTime }),
	)
	userLastLoginTable = declare(table{name: "user_last_login", kind: child, owner: "user_id", key: []string{"user_id"}},
		text("user_id", func(r *UserLastLoginRow) string { return r.UserID }),
		timestamp("last_login_at", func(r *UserLastLoginRow) time.Time { return r.LastLoginAt }),
	)
	// Out-of-office periods stay once seen ("who was out last Tuesday"): a
	// segment-like upsert by user and start, never deleted.
	outOfOfficeTable = declare(table{name: "user_out_of_office", kind: segment, key: []string{"user_id", "start_date"}},
		text("user_id", func(r *OutOfOfficeRow) string { return r.UserID }),
		timestamp("start_date", func(r *OutOfOfficeRow) time.Time { return r.Start }),
		optTimestamp("end_date", func(r *OutOfOfficeRow) time.Time { return r.End }),
		boolean("indefinite", func(r *OutOfOfficeRow) bool { return r.Indefinite }),
		boolean("active", func(r *OutOfOfficeRow) bool { return r.Active }),
		optText("ooo_id", func(r *OutOfOfficeRow) string { return r.ID }),
	)
	userProfileSkillsTable = declare(table{name: "user_profile_skills", kind: child, owner: "user_id", key: []string{"user_id", "profile_skill"},
		history: "user_profile_skills_history"},
		text("user_id", func(r *UserProfileSkillRow) string { return r.UserID }),
		text("profile_skill", func(r *UserProfileSkillRow) string { return r.ProfileSkill }),
	)
	userCertificationsTable = declare(table{name: "user_certifications", kind: child, owner: "user_id", key: []string{"user_id", "certification"},
		history: "user_certifications_history"},
		text("user_id", func(r *UserCertificationRow) string { return r.UserID }),
		text("certification", func(r *UserCertificationRow) string { return r.Certification }),
	)
	utilizationTable = declare(table{name: "user_utilization", kind: child, owner: "user_id", key: []string{"user_id", "media_type"},
		history: "user_utilization_history"},
		text("user_id", func(r *UtilizationRow) string { return r.UserID }),
		text("media_type", func(r *UtilizationRow) string { return r.MediaType }),
		integer("maximum_capacity", func(r *UtilizationRow) int { return r.MaximumCapacity }),
		sortedTexts("interruptible_media_types", func(r *UtilizationRow) []string { return r.InterruptibleMediaTypes }),
		boolean("include_non_acd", func(r *UtilizationRow) bool { return r.IncludeNonACD }),
		text("level", func(r *UtilizationRow) string { return r.Level }),
	)
	// Development activities arrive by date window, never as a snapshot:
	// upserted by activity and attendee, never deleted.
	developmentActivitiesTable = declare(table{name: "user_development_activities", kind: segment, key: []string{"activity_id", "user_id"}},
		text("activity_id", func(r *DevelopmentActivityRow) string { return r.ActivityID }),
		text("user_id", func(r *DevelopmentActivityRow) string { return r.UserID }),
		optText("name", func(r *DevelopmentActivityRow) string { return r.Name }),
		optText("type", func(r *DevelopmentActivityRow) string { return r.Type }),
		optText("status", func(r *DevelopmentActivityRow) string { return r.Status }),
		optText("module_id", func(r *DevelopmentActivityRow) string { return r.ModuleID }),
		optTimestamp("date_created", func(r *DevelopmentActivityRow) time.Time { return r.DateCreated }),
		optTimestamp("date_due", func(r *DevelopmentActivityRow) time.Time { return r.DateDue }),
		optTimestamp("date_completed", func(r *DevelopmentActivityRow) time.Time { return r.DateCompleted }),
		optBool("is_overdue", func(r *DevelopmentActivityRow) *bool { return r.IsOverdue }),
		optBool("is_passed", func(r *DevelopmentActivityRow) *bool { return r.IsPassed }),
		optDouble("percentage_score", func(r *DevelopmentActivityRow) *float64 { return r.PercentageScore }),
		optText("created_by_id", func(r *DevelopmentActivityRow) string { return r.CreatedByID }),
		optText("facilitator_id", func(r *DevelopmentActivityRow) string { return r.FacilitatorID }),
		optJSON("raw", func(r *DevelopmentActivityRow) json.RawMessage { return r.Raw }),
	)

	presenceTable = declare(table{name: "user_presence_segments", kind: segment, key: []string{"start_time", "user_id"}, partition: "start_time",
		rollup: "user_presence_days", rollupValue: "system_presence",
		// A finished segment never reopens: a reload that still sees it open
		// keeps the known end.
		setExprs: map[string]string{"end_time": "coalesce(EXCLUDED.end_time, t.end_time)"}},
		text("user_id", func(r *PresenceSegmentRow) string { return r.UserID }),
		timestamp("start_time", func(r *PresenceSegmentRow) time.Time { return r.Start }),
		optTimestamp("end_time", func(r *PresenceSegmentRow) time.Time { return r.End }),
		text("system_presence", func(r *PresenceSegmentRow) string { return r.SystemPresence }),
		optText("organization_presence_id", func(r *PresenceSegmentRow) string { return r.OrganizationPresenceID }),
	)
	routingTable = declare(table{name: "user_routing_status_segments", kind: segment, key: []string{"start_time", "user_id"}, partition: "start_time",
		rollup: "user_routing_status_days", rollupValue: "routing_status",
		setExprs: map[string]string{"end_time": "coalesce(EXCLUDED.end_time, t.end_time)"}},
		text("user_id", func(r *RoutingStatusSegmentRow) string { return r.UserID }),
		timestamp("start_time", func(r *RoutingStatusSegmentRow) time.Time { return r.Start }),
		optTimestamp("end_time", func(r *RoutingStatusSegmentRow) time.Time { return r.End }),
		text("routing_status", func(r *RoutingStatusSegmentRow) string { return r.RoutingStatus }),
	)
	// The aggregates are packed: Tx.Aggregates turns a batch of AggregateRow
	// into one aggregateDay per user, UTC day and granularity (see
	// aggregates.go); the view user_aggregates unpacks them.
	aggregatesTable = declare(table{name: "user_aggregate_days", kind: segment, key: []string{"day", "user_id", "granularity"}, partition: "day",
		entries: []string{"interval_starts", "metrics", "qualifiers"}, view: "user_aggregates"},
		text("user_id", func(r *aggregateDay) string { return r.UserID }),
		date("day", func(r *aggregateDay) time.Time { return r.Day }),
		text("granularity", func(r *aggregateDay) string { return r.Granularity }),
		timestamps("interval_starts", func(r *aggregateDay) []time.Time { return r.Starts }),
		timestamps("interval_ends", func(r *aggregateDay) []time.Time { return r.Ends }),
		texts("metrics", func(r *aggregateDay) []string { return r.Metrics }),
		texts("qualifiers", func(r *aggregateDay) []string { return r.Qualifiers }),
		optDoubles("sums", func(r *aggregateDay) []*float64 { return r.Sums }),
		optBigints("counts", func(r *aggregateDay) []*int64 { return r.Counts }),
		optDoubles("mins", func(r *aggregateDay) []*float64 { return r.Mins }),
		optDoubles("maxes", func(r *aggregateDay) []*float64 { return r.Maxes }),
	)
)

var queueMemberCols = []col[QueueMemberRow]{
	text("user_id", func(r *QueueMemberRow) string { return r.UserID }),
	text("queue_id", func(r *QueueMemberRow) string { return r.QueueID }),
	boolean("joined", func(r *QueueMemberRow) bool { return r.Joined }),
}
