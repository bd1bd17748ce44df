package config

import (
	"fmt"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/usersync/syncer/internal/feed"
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
)

// CronParser parses the schedules accepted in configuration.
var CronParser = cron.NewParser(cron.Minute | cron.Hour | cron.Dom | cron.Month | cron.Dow | cron.Descriptor)

// OwnableAttributes are the feed attributes that can be owned.
var OwnableAttributes = []string{"employee_id", "name", "email", "title", "department", "manager", "division", "state", "skills", "languages", "queues", "roles", "acd_auto_answer"}

// FeedFields are the syncer field names a feed column can be mapped to.
var FeedFields = []string{"employee_id", "email", "name", "title", "department", "manager_employee_id", "manager_email", "division", "state", "skills", "languages", "queues", "roles", "acd_auto_answer", "action"}

func (p *parser) validate(c *Config) {
	g := c.Genesys
	switch {
	case g.Region != "" && g.BaseURL != "":
		p.errorf("genesys.base_url", "set either genesys.region or genesys.base_url, not both")
	case g.Region != "" && !slices.Contains(Regions, g.Region):
		p.errorf("genesys.region", "unknown region %q; one of: %s", g.Region, strings.Join(Regions, ", "))
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
		p.errorf("database.schema", "%q is not a valid schema name (lowercase letters, digits, _; at most 63)", c.Database.Schema)
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

	if !slices.Contains([]string{"debug", "info", "warn", "error"}, c.Log.Level) {
		p.errorf("log.level", "%q is not one of debug, info, warn, error", c.Log.Level)
	}
	if !slices.Contains([]string{"auto", "json", "text"}, c.Log.Format) {
		p.errorf("log.format", "%q is not one of auto, json, text", c.Log.Format)
	}
	if _, err := time.LoadLocation(c.Serve.TimeZone); err != nil {
		p.errorf("serve.timezone", "unknown time zone %q", c.Serve.TimeZone)
	}
	p.positiveDur("serve.shutdown_grace", c.Serve.ShutdownGrace)
	p.positiveDur("serve.lease_ttl", c.Serve.LeaseTTL)

	for _, name := range sortedKeys(c.Pipelines) {
		p.validatePipeline(c.Pipelines[name])
	}
	for _, name := range sortedKeys(c.Feeds) {
		p.validateFeed(c.Feeds[name])
	}
}

func (p *parser) validatePipeline(pl *Pipeline) {
	k := "pipelines." + pl.Name
	if !nameRE.MatchString(pl.Name) {
		p.errorf(k, "pipeline name %q must be lowercase letters, digits, - or _", pl.Name)
	}
	p.checkSchedule(k+".schedule", pl.Schedule)
	if len(pl.Streams) == 0 {
		p.errorf(k+".streams", "must name at least one stream (%s)", strings.Join(AllStreams, ", "))
	}
	p.checkEnum(k+".streams", pl.Streams, AllStreams)
	if len(pl.Users.States) == 0 {
		p.errorf(k+".users.states", "must name at least one state (active, inactive, deleted)")
	}
	p.checkEnum(k+".users.states", pl.Users.States, []string{"active", "inactive", "deleted"})
	p.checkEnum(k+".users.expand", pl.Users.Expand, []string{"skills", "languages", "groups", "locations", "authorization", "employerInfo", "profileSkills", "certifications", "team", "dateLastLogin", "presence", "routingStatus", "station", "conversationSummary", "outOfOffice", "geolocation", "lasttokenissued", "biography", "integrationPresence"})
	p.between(k+".users.page_size", pl.Users.PageSize, 1, 500)
	if !slices.Contains([]string{QueueStrategyAuto, QueueStrategyQueue, QueueStrategyPerUser}, pl.Queues.Strategy) {
		p.errorf(k+".queues.strategy", "%q is not one of auto, queue, user", pl.Queues.Strategy)
	}
	a := pl.Analytics
	if a.Start != "" {
		if _, err := ParseStart(a.Start); err != nil {
			p.errorf(k+".analytics.start", "%v", err)
		}
	}
	p.positiveDur(k+".analytics.lookback", a.Lookback)
	if a.MaxInterval < time.Hour || a.MaxInterval > 31*24*time.Hour {
		p.errorf(k+".analytics.max_interval", "must be between 1h and 744h (31 days), got %s", a.MaxInterval)
	}
	if !granularityRE.MatchString(a.Granularity) {
		p.errorf(k+".analytics.granularity", "%q is not an ISO-8601 duration like PT15M, PT30M, PT1H or P1D", a.Granularity)
	}
	p.checkEnum(k+".analytics.metrics", a.Metrics, DefaultMetrics)
	p.between(k+".analytics.max_concurrent_jobs", a.MaxConcurrentJobs, 1, 100)
	p.positiveDur(k+".analytics.poll_interval", a.PollInterval)
	p.positiveDur(k+".analytics.job_timeout", a.JobTimeout)
	p.between(k+".analytics.max_resubmits", a.MaxResubmits, 0, 20)
	p.between(k+".analytics.page_size", a.PageSize, 1, 1000)
}

// RequireGenesys checks what commands that call the API need: a region or
// base URL, and the client credentials in the environment.
func (c *Config) RequireGenesys() error {
	g := c.Genesys
	var errs Errors
	add := func(key, msg string) { errs = append(errs, &Error{File: c.File, Key: key, Msg: msg}) }
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

// ParseStart parses analytics.start: an RFC 3339 time or a date.
func ParseStart(s string) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%q is not a date (2026-01-31) or an RFC 3339 time (2026-01-31T00:00:00Z)", s)
}

func (p *parser) validateFeed(f *Feed) {
	k := "feeds." + f.Name
	if !nameRE.MatchString(f.Name) {
		p.errorf(k, "feed name %q must be lowercase letters, digits, - or _", f.Name)
	}
	if f.Format != "" && !slices.Contains([]string{FormatCSV, FormatJSONL}, f.Format) {
		p.errorf(k+".format", "%q is not csv or jsonl", f.Format)
	}
	if f.Mode != "" && !slices.Contains([]string{ModeSnapshot, ModeDelta}, f.Mode) {
		p.errorf(k+".mode", "%q is not snapshot or delta", f.Mode)
	}
	if f.Delimiter != "" {
		if _, err := feed.ParseDelimiter(f.Delimiter); err != nil {
			p.errorf(k+".delimiter", "%v", err)
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
	if f.Schedule != "" && f.Path == "" {
		p.errorf(k+".path", "a scheduled feed needs a path")
	}
	if strings.TrimSpace(f.ExternalIDAuthority) == "" {
		p.errorf(k+".external_id_authority", "must not be blank")
	}
	for _, field := range sortedKeys(f.Columns) {
		if !slices.Contains(FeedFields, field) {
			p.errorf(k+".columns."+field, "unknown feed field %q; one of: %s", field, strings.Join(FeedFields, ", "))
		}
		if strings.TrimSpace(f.Columns[field]) == "" {
			p.errorf(k+".columns."+field, "column name must not be blank")
		}
	}
	for i, pat := range append(append([]string(nil), f.Scope.EmailPatterns...), f.Scope.Ignore...) {
		if _, err := path.Match(pat, ""); err != nil {
			key := fmt.Sprintf("%s.scope.email_patterns[%d]", k, i)
			if i >= len(f.Scope.EmailPatterns) {
				key = fmt.Sprintf("%s.scope.ignore[%d]", k, i-len(f.Scope.EmailPatterns))
			}
			p.errorf(key, "bad pattern %q: %v", pat, err)
		}
	}
	if f.Owns != nil && len(f.Owns) == 0 {
		p.errorf(k+".owns", "lists no attribute; leave owns out for the default (the profile: name, email, title, department, manager, division, state, acd_auto_answer)")
	}
	p.checkEnum(k+".owns", f.Owns, OwnableAttributes)
	if f.Offboard.Action != "" && !slices.Contains([]string{OffboardNone, OffboardDeact, OffboardDelete}, f.Offboard.Action) {
		p.errorf(k+".offboard.action", "%q is not deactivate, delete or none", f.Offboard.Action)
	}
	g := f.Guards
	for key, v := range map[string]*int{"max_offboards": g.MaxOffboards, "max_changes": g.MaxChanges, "min_queue_loss": g.MinQueueLoss} {
		if v != nil && *v < 0 {
			p.errorf(k+".guards."+key, "must not be negative, got %d", *v)
		}
	}
	for key, v := range map[string]*float64{"max_offboard_percent": g.MaxOffboardPercent, "max_queue_loss_percent": g.MaxQueueLossPercent, "max_rejected_percent": g.MaxRejectedPercent} {
		if v != nil && (*v < 0 || *v > 100) {
			p.errorf(k+".guards."+key, "must be a percentage between 0 and 100, got %g", *v)
		}
	}
}

func (p *parser) checkSchedule(key, spec string) {
	if spec == "" {
		return
	}
	if _, err := CronParser.Parse(spec); err != nil {
		p.errorf(key, "bad cron schedule %q: %v", spec, err)
	}
}

func (p *parser) checkURL(key, raw string) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		p.errorf(key, "%q is not an http(s) URL", raw)
		return
	}
	if u.User != nil {
		p.errorf(key, "must not carry credentials; use the client id and secret environment variables")
	}
}

func (p *parser) checkEnvName(key, name string) {
	if !envNameRE.MatchString(name) {
		p.errorf(key, "%q is not an environment variable name", name)
	}
}

func (p *parser) checkEnum(key string, got, allowed []string) {
	seen := map[string]bool{}
	for i, v := range got {
		k := fmt.Sprintf("%s[%d]", key, i)
		if !slices.Contains(allowed, v) {
			p.errorf(k, "%q is not one of %s", v, strings.Join(allowed, ", "))
		}
		if seen[v] {
			p.errorf(k, "%q is listed twice", v)
		}
		seen[v] = true
	}
}

func (p *parser) between(key string, v, lo, hi int) {
	if v < lo || v > hi {
		p.errorf(key, "must be between %d and %d, got %d", lo, hi, v)
	}
}

func (p *parser) positiveDur(key string, d time.Duration) {
	if d <= 0 {
		p.errorf(key, "must be a positive duration like 30s or 5m, got %s", d)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
