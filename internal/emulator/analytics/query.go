package analytics

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Metrics of user aggregates jobs.
const (
	MetricSystemPresence       = "tSystemPresence"
	MetricOrganizationPresence = "tOrganizationPresence"
	MetricAgentRoutingStatus   = "tAgentRoutingStatus"
)

// detailsQuery is the AsyncUserDetailsQuery body.
type detailsQuery struct {
	Interval             string            `json:"interval"`
	UserFilters          []queryFilter     `json:"userFilters"`
	PresenceFilters      []json.RawMessage `json:"presenceFilters"`
	RoutingStatusFilters []json.RawMessage `json:"routingStatusFilters"`
	Order                string            `json:"order"`
	Limit                *int              `json:"limit"`
}

// aggregatesQuery is the UserAsyncAggregationQuery body.
type aggregatesQuery struct {
	Interval    string       `json:"interval"`
	Granularity string       `json:"granularity"`
	TimeZone    string       `json:"timeZone"`
	GroupBy     []string     `json:"groupBy"`
	Filter      *queryFilter `json:"filter"`
	Metrics     []string     `json:"metrics"`
	PageSize    *int         `json:"pageSize"`
}

// queryFilter is UserDetailQueryFilter and UserAggregateQueryFilter.
type queryFilter struct {
	Type       string           `json:"type"`
	Clauses    []queryClause    `json:"clauses"`
	Predicates []queryPredicate `json:"predicates"`
}

type queryClause struct {
	Type       string           `json:"type"`
	Predicates []queryPredicate `json:"predicates"`
}

type queryPredicate struct {
	Type      string          `json:"type"`
	Dimension string          `json:"dimension"`
	Operator  string          `json:"operator"`
	Value     string          `json:"value"`
	Range     json.RawMessage `json:"range"`
}

// interval is a parsed "start/end" interval.
type interval struct {
	start, end time.Time
}

func (iv interval) String() string { return formatTime(iv.start) + "/" + formatTime(iv.end) }

// parseInterval parses an ISO-8601 "start/end" interval no longer than max.
func parseInterval(s string, max time.Duration) (interval, error) {
	if s == "" {
		return interval{}, fmt.Errorf("interval is required")
	}
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return interval{}, fmt.Errorf("interval %q is not an ISO-8601 start/end interval", s)
	}
	start, err := time.Parse(time.RFC3339Nano, a)
	if err != nil {
		return interval{}, fmt.Errorf("interval start %q is not an ISO-8601 date-time", a)
	}
	end, err := time.Parse(time.RFC3339Nano, b)
	if err != nil {
		return interval{}, fmt.Errorf("interval end %q is not an ISO-8601 date-time", b)
	}
	if !start.Before(end) {
		return interval{}, fmt.Errorf("interval %q ends before it starts", s)
	}
	if end.Sub(start) > max {
		return interval{}, fmt.Errorf("interval %q is longer than the maximum of %s", s, formatDuration(max))
	}
	return interval{start: start.UTC(), end: end.UTC()}, nil
}

// userSet is the set of users a filter admits: nil means all users, an
// empty non-nil slice none. Ids are sorted and unique.
type userSet []string

func (s userSet) all() bool { return s == nil }

func intersect(a, b userSet) userSet {
	switch {
	case a.all():
		return b
	case b.all():
		return a
	}
	out := userSet{}
	for _, id := range a {
		if _, ok := slices.BinarySearch(b, id); ok {
			out = append(out, id)
		}
	}
	return out
}

func union(a, b userSet) userSet {
	if a.all() || b.all() {
		return nil
	}
	out := append(slices.Clone(a), b...)
	slices.Sort(out)
	return slices.Compact(out)
}

// combine folds sets with the filter or clause type ("and" or "or").
func combine(typ string, sets []userSet) (userSet, error) {
	if len(sets) == 0 {
		return nil, fmt.Errorf("filter of type %q has no predicates or clauses", typ)
	}
	switch strings.ToLower(typ) {
	case "and":
		acc := sets[0]
		for _, s := range sets[1:] {
			acc = intersect(acc, s)
		}
		return acc, nil
	case "or":
		acc := sets[0]
		for _, s := range sets[1:] {
			acc = union(acc, s)
		}
		return acc, nil
	case "":
		return nil, fmt.Errorf("filter type is required (and, or)")
	}
	return nil, fmt.Errorf("filter type %q is not one of and, or", typ)
}

// predicateSet evaluates one predicate. Only the userId dimension exists
// for users; operators matches (the default), exists and notExists.
func predicateSet(p queryPredicate) (userSet, error) {
	if t := strings.ToLower(p.Type); t != "" && t != "dimension" {
		return nil, fmt.Errorf("predicate type %q is not supported; only dimension", p.Type)
	}
	if p.Dimension != "userId" {
		return nil, fmt.Errorf("predicate dimension %q is not supported; only userId", p.Dimension)
	}
	switch strings.ToLower(p.Operator) {
	case "", "matches":
		if p.Value == "" {
			return nil, fmt.Errorf("predicate on userId needs a value")
		}
		return userSet{p.Value}, nil
	case "exists":
		return nil, nil
	case "notexists":
		return userSet{}, nil
	}
	return nil, fmt.Errorf("predicate operator %q is not one of matches, exists, notExists", p.Operator)
}

func (f queryFilter) users() (userSet, error) {
	var sets []userSet
	for _, p := range f.Predicates {
		s, err := predicateSet(p)
		if err != nil {
			return nil, err
		}
		sets = append(sets, s)
	}
	for _, c := range f.Clauses {
		var cs []userSet
		for _, p := range c.Predicates {
			s, err := predicateSet(p)
			if err != nil {
				return nil, err
			}
			cs = append(cs, s)
		}
		s, err := combine(c.Type, cs)
		if err != nil {
			return nil, fmt.Errorf("clause: %w", err)
		}
		sets = append(sets, s)
	}
	return combine(f.Type, sets)
}

// parseGranularity parses an ISO-8601 duration that is a whole number of
// 15-minute periods (PT15M, PT30M, PT1H, PT2H30M), days (P1D) or weeks (P1W).
// Months and years have no fixed length and are refused.
func parseGranularity(s string) (time.Duration, error) {
	bad := fmt.Errorf("granularity %q is not an ISO-8601 duration of whole 15-minute periods, days or weeks", s)
	rest, ok := strings.CutPrefix(s, "P")
	if !ok || rest == "" {
		return 0, bad
	}
	var d time.Duration
	inTime := false
	for rest != "" {
		if rest[0] == 'T' {
			if inTime {
				return 0, bad
			}
			inTime = true
			rest = rest[1:]
			continue
		}
		i := 0
		for i < len(rest) && rest[i] >= '0' && rest[i] <= '9' {
			i++
		}
		if i == 0 || i == len(rest) || i > 6 {
			return 0, bad
		}
		n, _ := strconv.Atoi(rest[:i])
		unit := rest[i]
		rest = rest[i+1:]
		switch {
		case !inTime && unit == 'W':
			d += time.Duration(n) * 7 * 24 * time.Hour
		case !inTime && unit == 'D':
			d += time.Duration(n) * 24 * time.Hour
		case inTime && unit == 'H':
			d += time.Duration(n) * time.Hour
		case inTime && unit == 'M':
			d += time.Duration(n) * time.Minute
		default:
			return 0, bad
		}
	}
	if d <= 0 || d%(15*time.Minute) != 0 {
		return 0, bad
	}
	return d, nil
}

// validateMetrics checks the metrics of an aggregates query.
func validateMetrics(metrics []string) error {
	if len(metrics) == 0 {
		return fmt.Errorf("metrics are required (%s, %s, %s)", MetricSystemPresence, MetricOrganizationPresence, MetricAgentRoutingStatus)
	}
	for _, m := range metrics {
		switch m {
		case MetricSystemPresence, MetricOrganizationPresence, MetricAgentRoutingStatus:
		default:
			return fmt.Errorf("metric %q is not supported for user aggregates; use %s, %s or %s", m, MetricSystemPresence, MetricOrganizationPresence, MetricAgentRoutingStatus)
		}
	}
	return nil
}

const timeLayout = "2006-01-02T15:04:05.000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func formatDuration(d time.Duration) string {
	if d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%d days", d/(24*time.Hour))
	}
	return d.String()
}
