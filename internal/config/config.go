package config

import (
	"net/netip"
	"time"
)

// Config is the whole syncer configuration file, with defaults filled in.
type Config struct {
	// Genesys is the connection to the Genesys Cloud org.
	Genesys Genesys `yaml:"genesys"`
	// Database is the PostgreSQL the data is loaded into.
	Database Database `yaml:"database"`
	// Rate is the request budget shared by every call made with one OAuth client.
	Rate Rate `yaml:"rate"`
	// Log sets the log level and format.
	Log Log `yaml:"log"`
	// Serve holds the settings of `syncer serve`.
	Serve Serve `yaml:"serve"`
	// Pipelines are the forward pipelines by name.
	Pipelines map[string]*Pipeline `yaml:"pipelines"`
	// Feeds are the reverse-path HR feeds by name.
	Feeds map[string]*Feed `yaml:"feeds"`
	// Retention says how many months of the analytics tables are kept.
	Retention Retention `yaml:"retention"`

	// File is the path the configuration was read from ("" for defaults).
	File string `yaml:"-"`

	// lines maps the dotted key paths of the file to their lines, so that
	// the checks commands make later (RequireGenesys, RequireDatabase)
	// point at the line too.
	lines map[string]int
}

// Genesys is the connection to a Genesys Cloud org. Exactly one of Region
// and BaseURL is set after Load.
type Genesys struct {
	// Region is the org's domain, e.g. mypurecloud.ie (API at api.{region},
	// login at login.{region}).
	Region string `yaml:"region"`
	// BaseURL is an explicit API base URL (e.g. the emulator,
	// http://127.0.0.1:8089); login goes to the same host unless LoginURL is
	// set. The GENESYS_BASE_URL environment variable overrides it.
	BaseURL string `yaml:"base_url"`
	// LoginURL overrides the OAuth host for BaseURL setups.
	LoginURL string `yaml:"login_url"`
	// ClientIDEnv names the environment variable holding the OAuth client id.
	// Default GENESYS_CLIENT_ID.
	ClientIDEnv string `yaml:"client_id_env"`
	// ClientSecretEnv names the environment variable holding the OAuth client
	// secret. Default GENESYS_CLIENT_SECRET.
	ClientSecretEnv string `yaml:"client_secret_env"`
	// Timeout is the deadline of one API call including its retries' waits
	// for that call. Default 60s.
	Timeout time.Duration `yaml:"timeout"`

	// ClientID and ClientSecret are read from the environment, never the file.
	ClientID     Secret `yaml:"-"`
	ClientSecret Secret `yaml:"-"`
}

// Database is the PostgreSQL connection.
type Database struct {
	// URLEnv names the environment variable holding the connection string.
	// Default DATABASE_URL.
	URLEnv string `yaml:"url_env"`
	// Schema holds syncer's tables. Default genesys.
	Schema string `yaml:"schema"`
	// MaxConns caps the connection pool. Default 8.
	MaxConns int `yaml:"max_conns"`

	// URL is read from the environment variable URLEnv names; empty when
	// that variable is unset or empty. There is no default: commands that
	// use the database call RequireDatabase, which names the variable.
	// Only `syncer demo` has a default database of its own.
	URL Secret `yaml:"-"`
}

// Rate is the shared request budget of one OAuth client.
type Rate struct {
	// RequestsPerMinute is the starting rate. Default 300, the Genesys
	// default per client-credentials token.
	RequestsPerMinute int `yaml:"requests_per_minute"`
	// Burst is the token bucket's burst. Default 5.
	Burst int `yaml:"burst"`
	// MaxInFlight caps concurrent requests. Default 8.
	MaxInFlight int `yaml:"max_in_flight"`
	// MaxRetries caps retries of one call. Default 6.
	MaxRetries int `yaml:"max_retries"`
	// MaxRetryAfter is the longest Retry-After honoured; a longer one fails
	// the call. Default 180s.
	MaxRetryAfter time.Duration `yaml:"max_retry_after"`
	// BackoffBase is the first retry backoff (jittered, doubling). Default 500ms.
	BackoffBase time.Duration `yaml:"backoff_base"`
	// BackoffMax caps the retry backoff. Default 30s.
	BackoffMax time.Duration `yaml:"backoff_max"`
}

// Log sets logging.
type Log struct {
	// Level is debug, info, warn or error. Default info.
	Level string `yaml:"level"`
	// Format is auto (text with progress on a terminal, JSON otherwise), json
	// or text. Default auto.
	Format string `yaml:"format"`
}

// Serve holds the settings of `syncer serve`.
type Serve struct {
	// Addr is the HTTP address of /healthz, /readyz, /metrics and /runs.
	// Default 127.0.0.1:9090.
	Addr string `yaml:"addr"`
	// TimeZone of the cron schedules (IANA name). Default UTC.
	TimeZone string `yaml:"timezone"`
	// RunOnStart runs every pipeline once when the service starts.
	RunOnStart bool `yaml:"run_on_start"`
	// ShutdownGrace is how long running pipelines get to finish their
	// current batch on SIGTERM. Default 30s.
	ShutdownGrace time.Duration `yaml:"shutdown_grace"`
	// LeaseTTL is how long a dead replica keeps its pipelines before others
	// take them over. Default 30s.
	LeaseTTL time.Duration `yaml:"lease_ttl"`
	// MinScheduleInterval is the shortest interval a pipeline or feed
	// schedule may have: a schedule that can fire more often is refused.
	// Default 1m (DefaultMinScheduleInterval); tests lower it.
	MinScheduleInterval time.Duration `yaml:"min_schedule_interval"`
	// Console is the web console, served under /console/ on Addr.
	Console Console `yaml:"console"`
}

// Console configures the web console of `syncer serve` (package console,
// whose Config owns the defaults: a zero duration or name here takes it).
// Accounts never live in this file: they come from the environment variable
// AccountsEnv names or from AccountsFile, as NAME:ROLE:BCRYPT-HASH entries.
type Console struct {
	// Enabled serves the console. Default false.
	Enabled bool `yaml:"enabled"`
	// AccountsEnv names the environment variable holding accounts.
	// Default SYNCER_CONSOLE_ACCOUNTS (console.DefaultAccountsEnv).
	AccountsEnv string `yaml:"accounts_env"`
	// AccountsFile is a secrets file of accounts (e.g. a mounted secret),
	// read at start, in addition to the variable's.
	AccountsFile string `yaml:"accounts_file"`
	// SessionIdle ends a session unused this long. Default 30m.
	SessionIdle time.Duration `yaml:"session_idle"`
	// SessionMax ends a session this long after sign-in. Default 12h.
	SessionMax time.Duration `yaml:"session_max"`
	// ProxyUserHeader is the header in which a trusted authenticating
	// proxy names the user (e.g. X-Forwarded-User). Off by default.
	ProxyUserHeader string `yaml:"proxy_user_header"`
	// TrustedProxies are the proxy's addresses or networks (10.0.0.5,
	// 10.0.0.0/24): the header is believed only from them. Required with
	// ProxyUserHeader.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// ProxyApprovers are the proxy's users who may approve; the others are
	// viewers.
	ProxyApprovers []string `yaml:"proxy_approvers"`

	// Proxies are TrustedProxies parsed.
	Proxies []netip.Prefix `yaml:"-"`
}

// Pipeline is a named forward pipeline. A key absent from the file is left
// unset here: the forward path's configuration (pipeline.ForwardConfig,
// extract.AnalyticsConfig) fills it with its default, the only definition
// of it (Forward maps the section onto it).
type Pipeline struct {
	// Name is the key under pipelines.
	Name string `yaml:"-"`
	// Schedule is a cron spec (5 fields, or @hourly, @daily, @every 15m) for
	// `syncer serve`; empty means run only on demand. It may not fire more
	// often than Serve.MinScheduleInterval allows.
	Schedule string `yaml:"schedule"`
	// Streams to run (pipeline.StreamNames). Default
	// pipeline.DefaultStreams: every stream but the optional ones.
	Streams []string `yaml:"streams"`
	// Users configures the users stream.
	Users UsersStream `yaml:"users"`
	// Queues configures queue memberships.
	Queues QueuesStream `yaml:"queues"`
	// Analytics configures user_details and user_aggregates.
	Analytics Analytics `yaml:"analytics"`
	// DevelopmentActivities configures the development_activities stream.
	DevelopmentActivities DevelopmentActivities `yaml:"development_activities"`
}

// DevelopmentActivities configures the development_activities stream. The
// defaults are extract.ActivitiesConfig's.
type DevelopmentActivities struct {
	// FirstRun is how far before the first run due dates are read. Default
	// extract.DefaultActivitiesFirstRun (2160h, 90 days).
	FirstRun time.Duration `yaml:"first_run"`
	// Lookback is re-read behind the watermark on every run. Default
	// extract.DefaultActivitiesLookback (168h, 7 days).
	Lookback time.Duration `yaml:"lookback"`
	// Horizon is how far ahead of now due dates are read. Default
	// extract.DefaultActivitiesHorizon (1440h, 60 days).
	Horizon time.Duration `yaml:"horizon"`
	// PageSize of the listing, up to
	// genesys.MaxDevelopmentActivitiesPageSize, the default.
	PageSize int `yaml:"page_size"`
}

// UsersStream configures the users stream.
type UsersStream struct {
	// States to read: active, inactive, deleted. Default all three
	// (pipeline.UserStates).
	States []string `yaml:"states"`
	// Expand values for GET /api/v2/users. Default pipeline.DefaultExpand.
	Expand []string `yaml:"expand"`
	// PageSize of GET /api/v2/users, up to genesys.MaxUsersPageSize, the
	// default.
	PageSize int `yaml:"page_size"`
}

// QueuesStream configures queue memberships.
type QueuesStream struct {
	// Strategy is auto (the cheaper of the two, decided per run from the
	// counts), queue (queue side) or user (per user). Default auto.
	Strategy string `yaml:"strategy"`
}

// Analytics configures the analytics jobs. The defaults are
// extract.AnalyticsConfig's.
type Analytics struct {
	// Start is where the first run's window begins (RFC 3339 date or time).
	// Default extract.DefaultAnalyticsFirstRun before the first run.
	Start string `yaml:"start"`
	// Lookback is re-read behind the watermark on every run because Genesys
	// reprocesses recent data. Default extract.DefaultAnalyticsLookback.
	Lookback time.Duration `yaml:"lookback"`
	// MaxInterval is the longest interval of one job. Default
	// extract.DefaultAnalyticsMaxInterval.
	MaxInterval time.Duration `yaml:"max_interval"`
	// Granularity of user_aggregates, ISO-8601 (PT15M, PT30M, PT1H, P1D).
	// Default extract.DefaultAnalyticsGranularity.
	Granularity string `yaml:"granularity"`
	// Metrics of user_aggregates. Default extract.DefaultAnalyticsMetrics.
	Metrics []string `yaml:"metrics"`
	// MaxConcurrentJobs caps jobs in flight. Default
	// extract.DefaultMaxConcurrentJobs.
	MaxConcurrentJobs int `yaml:"max_concurrent_jobs"`
	// PollInterval is the first job status poll delay (backing off to
	// extract.DefaultJobMaxPollInterval). Default
	// extract.DefaultJobPollInterval.
	PollInterval time.Duration `yaml:"poll_interval"`
	// JobTimeout gives up on a job that has not finished. Default
	// extract.DefaultJobTimeout.
	JobTimeout time.Duration `yaml:"job_timeout"`
	// MaxResubmits resubmits FAILED or EXPIRED jobs this many times.
	// Default extract.DefaultJobMaxResubmits.
	MaxResubmits int `yaml:"max_resubmits"`
	// PageSize of job results, up to genesys.MaxDetailsResultsPageSize,
	// the default.
	PageSize int `yaml:"page_size"`
}

// Feed formats and modes.
const (
	FormatCSV      = "csv"
	FormatJSONL    = "jsonl"
	ModeSnapshot   = "snapshot"
	ModeDelta      = "delta"
	OffboardNone   = "none"
	OffboardDeact  = "deactivate"
	OffboardDelete = "delete"
)

// Feed is a named HR feed for the reverse path.
type Feed struct {
	// Name is the key under feeds.
	Name string `yaml:"-"`
	// Path of the feed file (CSV or JSONL); `syncer plan FILE` overrides it.
	Path string `yaml:"path"`
	// Format is csv or jsonl. Default: by the file extension (.jsonl,
	// .ndjson), else by the first character ({ is JSONL), else csv.
	Format string `yaml:"format"`
	// Mode is snapshot (absent users are leavers) or delta (only listed
	// users, with an action column). Default snapshot.
	Mode string `yaml:"mode"`
	// Delimiter of a CSV: ",", ";", "|" or a tab. Default: detected from
	// the header.
	Delimiter string `yaml:"delimiter"`
	// IgnoreColumns are columns of the file that syncer reads past; any
	// other column it does not know is an error.
	IgnoreColumns []string `yaml:"ignore_columns"`
	// RefreshMaxAge lets a plan use the org state a forward load of the
	// same schema wrote less than this long ago instead of reading the
	// org first (apply still re-checks every user it touches). 0: always
	// read what the feed can change.
	RefreshMaxAge time.Duration `yaml:"refresh_max_age"`
	// Schedule is a cron spec for `syncer serve` (plan + apply with guards).
	Schedule string `yaml:"schedule"`
	// ApprovalExpiry is how long a plan of the scheduled feed that tripped
	// a guard, parked for approval, may be approved; then it expires and is
	// never applied. Default 24h (reverse.DefaultApprovalExpiry).
	ApprovalExpiry time.Duration `yaml:"approval_expiry"`
	// ExternalIDAuthority is the authority name under which the feed's
	// employee id is registered as the user's external id. Default hr.
	ExternalIDAuthority string `yaml:"external_id_authority"`
	// MatchOrgEmployeeID says the feed's employee_id is also the org's
	// employerInfo.employeeId: people are matched on it (free with every
	// users listing) and joiners get it. Set false when the org's
	// employee id field holds something else. Default true.
	MatchOrgEmployeeID *bool `yaml:"match_org_employee_id"`
	// Columns maps syncer's field names to the file's column names.
	Columns map[string]string `yaml:"columns"`
	// Scope limits which users the feed manages.
	Scope Scope `yaml:"scope"`
	// Owns lists the attributes the feed owns: an owned attribute is made
	// exactly as the feed says (an owned list loses what the feed does not
	// list); others are only filled when empty or added to. Default: the
	// profile (diff.DefaultOwned); skills, languages, queues and roles are
	// add-only unless listed here.
	Owns []string `yaml:"owns"`
	// Onboard is what joiners get beyond their attributes.
	Onboard Onboard `yaml:"onboard"`
	// Offboard is what happens to leavers.
	Offboard Offboard `yaml:"offboard"`
	// Guards stop an apply before any call when tripped.
	Guards Guards `yaml:"guards"`
}

// Scope limits which users a feed manages.
type Scope struct {
	// Divisions (names) in scope; empty means all.
	Divisions []string `yaml:"divisions"`
	// EmailPatterns (path.Match globs, case-insensitive) in scope; empty means all.
	EmailPatterns []string `yaml:"email_patterns"`
	// Ignore lists emails (or globs) never touched, e.g. service accounts.
	Ignore []string `yaml:"ignore"`
}

// Offboard is the leaver policy. An absent key takes the planner's
// default (diff.DefaultOffboard, listed in docs/feeds.md).
type Offboard struct {
	// Action is deactivate (state inactive), delete, or none.
	Action string `yaml:"action"`
	// UnjoinQueues unjoins and removes the leaver's queue memberships.
	UnjoinQueues *bool `yaml:"unjoin_queues"`
	// StripSkills removes the leaver's skills and languages.
	StripSkills *bool `yaml:"strip_skills"`
	// StripRoles removes the role grants of a leaver whose account stays
	// active (action none); deactivating or deleting removes them anyway.
	StripRoles *bool `yaml:"strip_roles"`
	// RevokeMFA deletes the MFA verifiers of a leaver leaving now.
	RevokeMFA *bool `yaml:"revoke_mfa"`
	// ReleaseStations clears the default and associated stations of a
	// leaver leaving now.
	ReleaseStations *bool `yaml:"release_stations"`
	// ResetUtilization reverts a leaver leaving now to the org's
	// utilization.
	ResetUtilization *bool `yaml:"reset_utilization"`
	// DeleteAfter deletes, in a later run, a leaver deactivated by this
	// syncer longer ago than this, e.g. 30d. Default 0: never.
	DeleteAfter Days `yaml:"delete_after"`
}

// Guards are limits on a plan checked before any API call. An absent key
// takes the planner's default (diff.Default*, listed in docs/feeds.md).
type Guards struct {
	// MaxOffboards caps leavers per apply; 0 allows none.
	MaxOffboards *int `yaml:"max_offboards"`
	// MaxOffboardPercent caps leavers as a percentage of in-scope users.
	MaxOffboardPercent *float64 `yaml:"max_offboard_percent"`
	// MaxChanges caps the users changed per apply; 0: no limit.
	MaxChanges *int `yaml:"max_changes"`
	// MaxQueueLossPercent: no queue may lose more than this percentage of its
	// joined agents.
	MaxQueueLossPercent *float64 `yaml:"max_queue_loss_percent"`
	// MinQueueLoss is the fewest agents a queue must lose for the queue
	// loss guard to count it.
	MinQueueLoss *int `yaml:"min_queue_loss"`
	// MaxRejectedPercent caps the feed's rejected rows as a percentage of
	// its data rows, so that a broken export (delimiter, truncated columns,
	// encoding) fails instead of quietly planning little. 100: no limit.
	MaxRejectedPercent *float64 `yaml:"max_rejected_percent"`
}
