package config

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/feed"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/pipeline"
)

// Regions are the Genesys Cloud domains.
var Regions = []string{
	"mypurecloud.com", "usw2.pure.cloud", "use2.us-gov-pure.cloud", "cac1.pure.cloud",
	"mypurecloud.ie", "euw2.pure.cloud", "mypurecloud.de", "euc2.pure.cloud",
	"edee1.eusc-pure.cloud", "aps1.pure.cloud", "apne2.pure.cloud", "mypurecloud.jp",
	"apne3.pure.cloud", "mypurecloud.com.au", "apse1.pure.cloud", "sae1.pure.cloud",
	"mec1.pure.cloud", "mxc1.pure.cloud",
}

var (
	nameRE        = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,62}$`)
	schemaRE      = regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`)
	granularityRE = regexp.MustCompile(`^P(T\d+[HM]|\d+[DW])$`)
	envNameRE     = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
	dsnRE         = regexp.MustCompile(`(?i)\b(host|hostaddr|port|dbname|user|password|sslmode)=`)
)

// CronParser parses the schedules accepted in configuration.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// OwnableAttributes are the feed attributes that can be owned.
var OwnableAttributes = []string{"employee_id", "name", "email", "title", "department", "manager", "division", "state",
	"phone", "location", "hire_date", "skills", "languages", "queues", "roles", "acd_auto_answer",
	"employee_type", "utilization", "default_station", "profile_skills"}

// FeedFields are the syncer field names a feed column can be mapped to.
var FeedFields = []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "manager_email", "division", "state", "skills", "languages", "queues", "roles", "acd_auto_answer", "action",
	"employee_type", "utilization", "default_station", "profile_skills"}

func (p *parser) validate(c *Config) {
	g := c.Genesys
	switch {
	case g.Region != "" && g.BaseURL != "":
		p.errorf("genesys.base_url", "set either genesys.region or genesys.base_url, not both")
	case g.Region != "" && !slices.Contains(Regions, g.Region):
		p.notOneOf("genesys.region", "unknown region", g.Region, Regions)
	}
	if g.BaseURL != "" {
		p.checkURL("genesys.base_url", g.BaseURL)
	}
	if g.LoginURL != "" {
		p.checkURL("genesys.login_url", g.LoginURL)
	}
	p.checkEnvName("genesys.client_id_env", g.ClientIDEnv)
	p.checkEnvName("genesys.client_secret_env", g.ClientSecretEnv)
	p.positiveDur("genesys.timeout", g.Timeout)

	if !schemaRE.MatchString(c.Database.Schema) {
		p.errorf("database.schema", "not a valid schema name: lowercase letters, digits and _, not starting with a digit, at most 63")
	}
	p.checkEnvName("database.url_env", c.Database.URLEnv)
	p.between("database.max_conns", c.Database.MaxConns, 1, 1000)

	r := c.Rate
	p.between("rate.requests_per_minute", r.RequestsPerMinute, 1, 1_000_000)
	p.between("rate.burst", r.Burst, 1, 10_000)
	p.between("rate.max_in_flight", r.MaxInFlight, 1, 1_000)
	p.between("rate.max_retries", r.MaxRetries, 0, 100)
	p.positiveDur("rate.max_retry_after", r.MaxRetryAfter)
	p.positiveDur("rate.backoff_base", r.BackoffBase)
	p.positiveDur("rate.backoff_max", r.BackoffMax)

	p.checkWord("log.level", c.Log.Level, []string{"debug", "info", "warn", "error"})
	p.checkWord("log.format", c.Log.Format, []string{"auto", "json", "text"})
	if _, err := time.LoadLocation(c.Serve.TimeZone); err != nil || c.Serve.TimeZone == "" || strings.EqualFold(c.Serve.TimeZone, "local") {
		p.errorf("serve.timezone", "unknown time zone: use an IANA name such as UTC, Europe/Dublin or America/New_York")
	}
	p.positiveDur("serve.shutdown_grace", c.Serve.ShutdownGrace)
	p.positiveDur("serve.lease_ttl", c.Serve.LeaseTTL)
	if c.Serve.MinScheduleInterval < time.Second {
		p.errorf("serve.min_schedule_interval", "must be at least 1s, got %s", c.Serve.MinScheduleInterval)
	}
	p.minInterval = c.Serve.MinScheduleInterval
	p.validateConsole(&c.Serve.Console)

	for _, name := range sortedKeys(c.Pipelines) {
		p.validatePipeline(c.Pipelines[name])
	}
	for _, name := range sortedKeys(c.Feeds) {
		p.validateFeed(c.Feeds[name])
	}
	p.validateRetention(c.Retention)
}

func (p *parser) validatePipeline(pl *Pipeline) {
	k := "pipelines." + displayKey(pl.Name)
	if !nameRE.MatchString(pl.Name) {
		p.errorf(k, "a pipeline name is lowercase letters, digits, - or _, starting with a letter, at most 63")
	}
	p.checkSchedule(k+".schedule", pl.Schedule)
	// An absent key is left unset (the forward path's default); a list
	// written empty is a mistake.
	streams := pipeline.StreamNames()
	if pl.Streams != nil && len(pl.Streams) == 0 {
		p.errorf(k+".streams", "must name at least one stream (%s)", strings.Join(streams, ", "))
	}
	p.checkEnum(k+".streams", pl.Streams, streams)
	if pl.Users.States != nil && len(pl.Users.States) == 0 {
		p.errorf(k+".users.states", "must name at least one state (%s)", strings.Join(pipeline.UserStates, ", "))
	}
	p.checkEnum(k+".users.states", pl.Users.States, pipeline.UserStates)
	p.checkEnum(k+".users.expand", pl.Users.Expand, []string{"skills", "languages", "groups", "locations", "authorization", "employerInfo", "profileSkills", "certifications", "team", "dateLastLogin", "presence", "routingStatus", "station", "conversationSummary", "outOfOffice", "geolocation", "lasttokenissued", "biography", "integrationPresence"})
	ifSet(pl.Users.PageSize, func() { p.between(k+".users.page_size", pl.Users.PageSize, 1, genesys.MaxUsersPageSize) })
	ifSet(pl.Queues.Strategy, func() { p.checkWord(k+".queues.strategy", pl.Queues.Strategy, pipeline.QueueStrategies) })
	a := pl.Analytics
	if a.Start != "" {
		if _, err := ParseStart(a.Start); err != nil {
			p.errorf(k+".analytics.start", "%v", err)
		}
	}
	ifSet(a.Lookback, func() { p.positiveDur(k+".analytics.lookback", a.Lookback) })
	if a.MaxInterval != 0 && (a.MaxInterval < time.Hour || a.MaxInterval > 31*24*time.Hour) {
		p.errorf(k+".analytics.max_interval", "must be between 1h and 744h (31 days), got %s", shortDur(a.MaxInterval))
	}
	if a.Granularity != "" && !granularityRE.MatchString(a.Granularity) {
		p.errorf(k+".analytics.granularity", "not an ISO-8601 duration like PT15M, PT30M, PT1H or P1D")
	}
	p.checkEnum(k+".analytics.metrics", a.Metrics, extract.DefaultAnalyticsMetrics)
	ifSet(a.MaxConcurrentJobs, func() { p.between(k+".analytics.max_concurrent_jobs", a.MaxConcurrentJobs, 1, 100) })
	ifSet(a.PollInterval, func() { p.positiveDur(k+".analytics.poll_interval", a.PollInterval) })
	ifSet(a.JobTimeout, func() { p.positiveDur(k+".analytics.job_timeout", a.JobTimeout) })
	ifSet(a.MaxResubmits, func() { p.between(k+".analytics.max_resubmits", a.MaxResubmits, 0, 20) })
	ifSet(a.PageSize, func() { p.between(k+".analytics.page_size", a.PageSize, 1, genesys.MaxDetailsResultsPageSize) })
	d := pl.DevelopmentActivities
	ifSet(d.FirstRun, func() { p.positiveDur(k+".development_activities.first_run", d.FirstRun) })
	ifSet(d.Lookback, func() { p.positiveDur(k+".development_activities.lookback", d.Lookback) })
	ifSet(d.Horizon, func() { p.positiveDur(k+".development_activities.horizon", d.Horizon) })
	ifSet(d.PageSize, func() {
		p.between(k+".development_activities.page_size", d.PageSize, 1, genesys.MaxDevelopmentActivitiesPageSize)
	})
}

// ifSet runs check when v is set: a pipeline key left out is left unset
// (its default is the forward path's), and a zero written in the file
// means the same.
func ifSet[T comparable](v T, check func()) {
	var zero T
	if v != zero {
		check()
	}
}

// RequireGenesys checks what commands that call the API need: a region or
// base URL, and the client credentials in the environment. The errors name
// the variables (names, checked not to look like secrets), never a value.
func (c *Config) RequireGenesys() error {
	g := c.Genesys
	var errs Errors
	add := func(key, msg string) {
		errs = append(errs, &Error{File: c.File, Line: lineOf(c.lines, key), Key: key, Msg: msg})
	}
	if g.Region == "" && g.BaseURL == "" {
		add("genesys", "set genesys.region (e.g. mypurecloud.ie) or genesys.base_url in the config file, or the GENESYS_BASE_URL environment variable")
	}
	if g.ClientID == "" {
		add("genesys.client_id_env", fmt.Sprintf("the environment variable %s (the OAuth client id) is not set", g.ClientIDEnv))
	}
	if g.ClientSecret == "" {
		add("genesys.client_secret_env", fmt.Sprintf("the environment variable %s (the OAuth client secret) is not set", g.ClientSecretEnv))
	}
	if len(errs) > 0 {
		return errs
	}
	return nil
}

// RequireDatabase checks what commands that use PostgreSQL need: the
// connection URL in the environment variable database.url_env names
// (DATABASE_URL by default). There is no default database; commands that
// need none (emulator, version) never call this.
func (c *Config) RequireDatabase() error {
	if c.Database.URL != "" {
		return nil
	}
	const key = "database.url_env"
	return Errors{{File: c.File, Line: lineOf(c.lines, key), Key: key, Msg: fmt.Sprintf(
		"the environment variable %s (the PostgreSQL connection URL, e.g. postgres://syncer@db.example.com:5432/warehouse) is not set", c.Database.URLEnv)}}
}

// ParseStart parses analytics.start: an RFC 3339 time or a date.
func ParseStart(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, errors.New("not a date (2026-01-31) or an RFC 3339 time (2026-01-31T00:00:00Z)")
}

func (p *parser) validateFeed(f *Feed) {
	k := "feeds." + displayKey(f.Name)
	if !nameRE.MatchString(f.Name) {
		p.errorf(k, "a feed name is lowercase letters, digits, - or _, starting with a letter, at most 63")
	}
	if f.Format != "" {
		p.checkWord(k+".format", f.Format, []string{FormatCSV, FormatJSONL})
	}
	if f.Mode != "" {
		p.checkWord(k+".mode", f.Mode, []string{ModeSnapshot, ModeDelta})
	}
	if f.Delimiter != "" {
		if _, err := feed.ParseDelimiter(f.Delimiter); err != nil {
			p.errorf(k+".delimiter", `must be ",", ";", "|" or a tab ("\t"), or one of the words comma, semicolon, pipe, tab`)
		}
	}
	for i, c := range f.IgnoreColumns {
		if strings.TrimSpace(c) == "" {
			p.errorf(fmt.Sprintf("%s.ignore_columns[%d]", k, i), "column name must not be blank")
		}
	}
	if f.RefreshMaxAge < 0 {
		p.errorf(k+".refresh_max_age", "must not be negative")
	}
	p.checkSchedule(k+".schedule", f.Schedule)
	if f.ApprovalExpiry < 0 {
		p.errorf(k+".approval_expiry", "must not be negative")
	}
	if f.Schedule != "" && f.Path == "" {
		p.errorf(k+".path", "a scheduled feed needs a path")
	}
	if strings.TrimSpace(f.ExternalIDAuthority) == "" {
		p.errorf(k+".external_id_authority", "must not be blank")
	}
	for _, field := range sortedKeys(f.Columns) {
		key := k + ".columns." + displayKey(field)
		if !slices.Contains(FeedFields, field) {
			msg := "unknown feed field; the fields are " + strings.Join(FeedFields, ", ")
			if c := closest(field, FeedFields); c != "" {
				msg = fmt.Sprintf("unknown feed field (did you mean %q?); the fields are %s", c, strings.Join(FeedFields, ", "))
			}
			p.errorf(key, "%s", msg)
		}
		if strings.TrimSpace(f.Columns[field]) == "" {
			p.errorf(key, "column name must not be blank")
		}
	}
	for i, pat := range append(append([]string(nil), f.Scope.EmailPatterns...), f.Scope.Ignore...) {
		if _, err := path.Match(pat, ""); err != nil {
			key := fmt.Sprintf("%s.scope.email_patterns[%d]", k, i)
			if i >= len(f.Scope.EmailPatterns) {
				key = fmt.Sprintf("%s.scope.ignore[%d]", k, i-len(f.Scope.EmailPatterns))
			}
			p.errorf(key, "not a valid pattern: * matches any text, ? one character, [a-z] a range (is a [ left open, or a \\ at the end?)")
		}
	}
	if f.Owns != nil && len(f.Owns) == 0 {
		p.errorf(k+".owns", "lists no attribute; leave owns out for the default (docs/feeds.md, Defaults)")
	}
	p.checkEnum(k+".owns", f.Owns, OwnableAttributes)
	if f.Offboard.Action != "" {
		p.checkWord(k+".offboard.action", f.Offboard.Action, []string{OffboardDeact, OffboardDelete, OffboardNone})
	}
	p.validateLifecycle(k, f)
	g := f.Guards
	for _, key := range []string{"max_changes", "max_offboards", "min_queue_loss"} {
		v := map[string]*int{"max_offboards": g.MaxOffboards, "max_changes": g.MaxChanges, "min_queue_loss": g.MinQueueLoss}[key]
		if v != nil && *v < 0 {
			p.errorf(k+".guards."+key, "must not be negative, got %s", number(float64(*v)))
		}
	}
	for _, key := range []string{"max_offboard_percent", "max_queue_loss_percent", "max_rejected_percent"} {
		v := map[string]*float64{"max_offboard_percent": g.MaxOffboardPercent, "max_queue_loss_percent": g.MaxQueueLossPercent, "max_rejected_percent": g.MaxRejectedPercent}[key]
		if v != nil && (*v < 0 || *v > 100) {
			p.errorf(k+".guards."+key, "must be a percentage between 0 and 100, got %s", number(*v))
		}
	}
}

// checkSchedule checks a cron spec and that it fires no more often than
// the floor (serve.min_schedule_interval). Its messages describe the spec
// rather than repeat it.
func (p *parser) checkSchedule(key, spec string) {
	if spec == "" {
		return
	}
	sched, err := CronParser.Parse(spec)
	if err != nil {
		p.errorf(key, "%s", describeCronError(spec))
		return
	}
	floor := cmp.Or(p.minInterval, DefaultMinScheduleInterval)
	hint := fmt.Sprintf("schedules under %s are refused: each run reads the org through the shared rate budget and records a run "+
		"(serve.min_schedule_interval lowers the floor, for tests)", shortDur(floor))
	if every, ok := strings.CutPrefix(strings.TrimSpace(spec), "@every"); ok {
		d, err := time.ParseDuration(strings.TrimSpace(every))
		switch {
		case err != nil:
			p.errorf(key, "@every needs a duration like @every 15m or @every 1h")
		case d <= 0:
			p.errorf(key, "@every needs a positive duration, got %s; %s", shortDur(d), hint)
		case d < floor:
			p.errorf(key, "fires every %s; %s", shortDur(d), hint)
		}
		return
	}
	if gap := shortestGap(sched); gap < floor {
		p.errorf(key, "can fire %s apart; %s", shortDur(gap), hint)
	}
}

// shortestGap is the shortest time between two firings of sched, sampled
// over its next 2,000 firings from a fixed start (enough for every pattern
// that repeats within a day, and for a daily one over five years).
func shortestGap(sched cron.Schedule) time.Duration {
	t := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	gap := time.Duration(1<<63 - 1)
	prev := sched.Next(t)
	for range 2000 {
		next := sched.Next(prev)
		if next.IsZero() {
			break
		}
		gap = min(gap, next.Sub(prev))
		prev = next
	}
	return gap
}

var cronFields = []struct{ name, accepts string }{
	{"minute", "0-59"}, {"hour", "0-23"}, {"day of month", "1-31"},
	{"month", "1-12 or jan-dec"}, {"day of week", "0-6 or sun-sat"},
}

// describeCronError says what is wrong with a spec the cron parser
// refused, field by field, without repeating it.
func describeCronError(spec string) string {
	const forms = "a cron spec is 5 fields (minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\") or @hourly, @daily, @weekly, @monthly, @every 15m"
	s := strings.TrimSpace(spec)
	if strings.HasPrefix(s, "TZ=") || strings.HasPrefix(s, "CRON_TZ=") {
		tz, rest, _ := strings.Cut(s, " ")
		if _, err := CronParser.Parse(tz + " @daily"); err != nil {
			return "not a valid schedule: the time zone prefix is unknown (set serve.timezone instead)"
		}
		s = strings.TrimSpace(rest)
	}
	if strings.HasPrefix(s, "@") {
		if strings.HasPrefix(s, "@every") {
			return "@every needs a duration like @every 15m or @every 1h"
		}
		return "not a valid schedule: unknown @ descriptor; " + forms
	}
	fields := strings.Fields(s)
	if len(fields) != 5 {
		n := fmt.Sprintf("%d fields", len(fields))
		if len(fields) == 1 {
			n = "1 field"
		}
		return fmt.Sprintf("not a valid schedule: it has %s; %s", n, forms)
	}
	for i, f := range fields {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f
		if _, err := CronParser.Parse(strings.Join(probe, " ")); err != nil {
			return fmt.Sprintf("not a valid schedule: the %s field (field %d) is not valid; it takes %s, *, ranges a-b, lists a,b and steps */n", cronFields[i].name, i+1, cronFields[i].accepts)
		}
	}
	return "not a valid schedule; " + forms
}

// checkURL checks an http(s) URL. The URL is never repeated: it may carry
// credentials or a token in its query.
func (p *parser) checkURL(key, raw string) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		if strings.Contains(raw, "@") {
			p.errorf(key, "not an http(s) URL, and it looks like it holds credentials (user:password@): they belong in the client id and secret environment variables")
			return
		}
		p.errorf(key, "not an http(s) URL like https://api.example.com")
	case u.User != nil:
		p.errorf(key, "must not carry credentials (user:password@): use the client id and secret environment variables")
	case u.Scheme != "http" && u.Scheme != "https":
		p.errorf(key, "the scheme must be http or https")
	case u.RawQuery != "" || u.Fragment != "":
		p.errorf(key, "must not have a query or fragment: the URL is a scheme, a host and an optional port")
	}
}

// checkEnvName checks a key that names an environment variable. A value
// that is not a name is most often the secret itself pasted in: the
// message says what the value looks like, never what it is.
func (p *parser) checkEnvName(key, name string) {
	const fix = "put the value in the environment and write the variable's name here (e.g. %s)"
	example := map[string]string{"genesys.client_id_env": "GENESYS_CLIENT_ID", "genesys.client_secret_env": "GENESYS_CLIENT_SECRET", "database.url_env": "DATABASE_URL",
		"serve.console.accounts_env": "SYNCER_CONSOLE_ACCOUNTS"}[key]
	switch {
	case dsnRE.MatchString(name):
		p.errorf(key, "looks like a connection string (host=... user=...), not a variable name: "+fix, example)
	case strings.Contains(name, "="):
		p.errorf(key, "looks like an assignment (NAME=value), not a variable name: write only the name (e.g. %s)", example)
	case strings.Contains(name, "://") || strings.HasPrefix(name, "postgres:") || strings.HasPrefix(name, "postgresql:"):
		p.errorf(key, "looks like a URL, not a variable name: "+fix, example)
	case looksLikeSecret(name) || len(name) > 64:
		p.errorf(key, "looks like a secret value, not a variable name: "+fix, example)
	case !envNameRE.MatchString(name):
		p.errorf(key, "not an environment variable name: letters, digits and _, not starting with a digit (e.g. %s)", example)
	}
}

// checkWord checks a value that must be one of a few words. The value is
// not repeated (it could be anything pasted there); the nearest allowed
// word is suggested when one is close.
func (p *parser) checkWord(key, v string, allowed []string) {
	if !slices.Contains(allowed, v) {
		p.notOneOf(key, "not", v, allowed)
	}
}

func (p *parser) notOneOf(key, what, v string, allowed []string) {
	msg := what + " one of " + strings.Join(allowed, ", ")
	if what != "not" {
		msg = what + "; one of " + strings.Join(allowed, ", ")
	}
	if c := closest(v, allowed); c != "" {
		msg = fmt.Sprintf("%s (did you mean %q?)", msg, c)
	}
	p.errorf(key, "%s", msg)
}

func (p *parser) checkEnum(key string, got, allowed []string) {
	seen := map[string]bool{}
	for i, v := range got {
		k := fmt.Sprintf("%s[%d]", key, i)
		if !slices.Contains(allowed, v) {
			p.notOneOf(k, "not", v, allowed)
			continue
		}
		if seen[v] {
			// An allowed word: ours, so it may be shown.
			p.errorf(k, "%q is listed twice", v)
		}
		seen[v] = true
	}
}

func (p *parser) between(key string, v, lo, hi int) {
	if v < lo || v > hi {
		p.errorf(key, "must be between %d and %d, got %s", lo, hi, number(float64(v)))
	}
}

func (p *parser) positiveDur(key string, d time.Duration) {
	if d <= 0 {
		p.errorf(key, "must be a positive duration like 30s or 5m, got %s", shortDur(d))
	}
}

// number shows a number from the file when it is small (at most six
// digits before the point): a number that long is a limit or a count, not
// a PIN or a key.
func number(v float64) string {
	if math.Abs(v) >= 1e6 || math.IsNaN(v) {
		return "a number of more than six digits"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}

// shortDur formats d without trailing zero units: 1m, 1h30m, 500ms.
func shortDur(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

var (
	headerNameRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{0,63}$`)
	consoleUserRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)
)

// validateConsole checks serve.console and parses its proxies.
func (p *parser) validateConsole(c *Console) {
	const k = "serve.console"
	if c.AccountsEnv != "" {
		p.checkEnvName(k+".accounts_env", c.AccountsEnv)
	}
	if c.SessionIdle < 0 {
		p.errorf(k+".session_idle", "must be a positive duration like 30m, got %s", shortDur(c.SessionIdle))
	}
	if c.SessionMax < 0 {
		p.errorf(k+".session_max", "must be a positive duration like 12h, got %s", shortDur(c.SessionMax))
	}
	if c.ProxyUserHeader != "" {
		switch {
		case !headerNameRE.MatchString(c.ProxyUserHeader):
			p.errorf(k+".proxy_user_header", "not a header name: letters, digits and -, e.g. X-Forwarded-User")
		case len(c.TrustedProxies) == 0:
			p.errorf(k+".trusted_proxies", "needed with proxy_user_header: the addresses of the proxy, whose header alone is believed (anyone else could send it)")
		}
	}
	for i, tp := range c.TrustedProxies {
		key := fmt.Sprintf("%s.trusted_proxies[%d]", k, i)
		if pf, err := netip.ParsePrefix(tp); err == nil {
			c.Proxies = append(c.Proxies, pf.Masked())
		} else if a, err := netip.ParseAddr(tp); err == nil {
			c.Proxies = append(c.Proxies, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
		} else {
			p.errorf(key, "not an IP address or network (10.0.0.5, 10.0.0.0/24, fd00::/8)")
		}
	}
	for i, u := range c.ProxyApprovers {
		if !consoleUserRE.MatchString(u) {
			p.errorf(fmt.Sprintf("%s.proxy_approvers[%d]", k, i), "not a user name: letters, digits and . _ @ + -, at most 128")
		}
	}
}
