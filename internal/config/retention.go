package config

// Retention says how many months of each analytics table are kept. The
// tables are partitioned by UTC month: the current month and this many
// before it stay, older months are dropped whole after each successful
// forward run (see store.RetentionConfig, which owns the rule). 0, the
// default, keeps every month.
type Retention struct {
	// UserPresenceSegments: months of user_presence_segments kept before the
	// current one. Default 0 (all).
	UserPresenceSegments int `yaml:"user_presence_segments"`
	// UserRoutingStatusSegments: months of user_routing_status_segments kept
	// before the current one. Default 0 (all).
	UserRoutingStatusSegments int `yaml:"user_routing_status_segments"`
	// UserAggregates: months of user_aggregates kept before the current one.
	// Default 0 (all).
	UserAggregates int `yaml:"user_aggregates"`
}

// MaxRetentionMonths bounds a retention setting (a hundred years).
const MaxRetentionMonths = 1200

func (p *parser) validateRetention(r Retention) {
	p.between("retention.user_presence_segments", r.UserPresenceSegments, 0, MaxRetentionMonths)
	p.between("retention.user_routing_status_segments", r.UserRoutingStatusSegments, 0, MaxRetentionMonths)
	p.between("retention.user_aggregates", r.UserAggregates, 0, MaxRetentionMonths)
}
