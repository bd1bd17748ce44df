package emulator

import (
	"cmp"
	"log/slog"
	"time"

	"github.com/usersync/syncer/internal/emulator/analytics"
)

// Config configures a Server. The zero value works: every field states its
// default.
type Config struct {
	// Seed makes the generated org and the fault dice deterministic. Default 1.
	Seed int64
	// Users is the number of users generated (all states). Default 2,000.
	Users int
	// Epoch is the moment the generated people data is relative to:
	// presence and routing-status times, out-of-office periods (current,
	// upcoming, past) and development activity dates. Default Now() at New,
	// truncated to the UTC day; Reset regenerates with the same epoch, so
	// a seed, a size and an epoch always give the same org.
	Epoch time.Time

	// ClientID and ClientSecret are the only OAuth client accepted by
	// POST /oauth/token. Defaults "emulator-client" and "emulator-secret".
	ClientID     string
	ClientSecret string
	// TokenTTL is the lifetime of an access token. Default 24 h (86,400 s,
	// as Genesys Cloud answers).
	TokenTTL time.Duration

	// RatePerMinute is the request budget of each token per fixed one-minute
	// window. Default 300; negative switches rate limiting off.
	RatePerMinute int

	// PageCap is the deep-paging cap of the page-numbered listings: a request
	// whose pageNumber*pageSize exceeds it answers 400. Default 10,000;
	// negative means no cap.
	PageCap int
	// SearchCap is the same cap for POST /api/v2/users/search. Default
	// 10,000; negative means no cap.
	SearchCap int

	// QueueMemberDelay is how long an accepted
	// POST /api/v2/routing/queues/{queueId}/members add takes to show: the
	// real endpoint is asynchronous (202). Default 0: visible before the
	// answer.
	QueueMemberDelay time.Duration
	// JoinNewQueueMembers makes users added to a queue start joined. Default
	// false: they start unjoined and are joined with
	// PATCH /api/v2/users/{userId}/queues (the real default is not
	// documented; a client must set the flag it wants).
	JoinNewQueueMembers bool

	// DeniedPermissions are the permissions the emulated OAuth client
	// lacks (names as the Platform API reference spells them, e.g.
	// routing:queue:view): a route that needs one answers 403
	// missing.permissions, a route that any of several opens answers 403
	// missing.any.permissions once all of them are denied. Default none:
	// the client holds every permission. Unknown names are an error of New.
	// DenyPermissions changes them at run time.
	DeniedPermissions []string

	// Faults are the faults in force when the server starts; they can be
	// changed at run time with SetFaults or PUT /_emulator/faults.
	Faults Faults

	// Analytics configures the analytics jobs (delay, expiry, data lag,
	// interval limit, concurrent-job cap, page sizes); its zero value works.
	// Its Seed, Now and Logger default to this Config's.
	Analytics analytics.Config

	// Logger receives one line per started server and per mutation. Default
	// discards.
	Logger *slog.Logger
	// Now is the clock used for token expiry and rate-limit windows. Default
	// time.Now. Tests inject a fake clock.
	Now func() time.Time
}

// Default values of Config.
const (
	DefaultUsers         = 2000
	DefaultClientID      = "emulator-client"
	DefaultClientSecret  = "emulator-secret"
	DefaultTokenTTL      = 24 * time.Hour
	DefaultRatePerMinute = 300
	DefaultPageCap       = 10000
	DefaultSearchCap     = 10000
)

// withDefaults returns cfg with every zero field set to its default.
func (cfg Config) withDefaults() Config {
	cfg.Seed = cmp.Or(cfg.Seed, 1)
	cfg.Users = cmp.Or(cfg.Users, DefaultUsers)
	cfg.ClientID = cmp.Or(cfg.ClientID, DefaultClientID)
	cfg.ClientSecret = cmp.Or(cfg.ClientSecret, DefaultClientSecret)
	cfg.TokenTTL = cmp.Or(cfg.TokenTTL, DefaultTokenTTL)
	cfg.RatePerMinute = cmp.Or(cfg.RatePerMinute, DefaultRatePerMinute)
	cfg.PageCap = cmp.Or(cfg.PageCap, DefaultPageCap)
	cfg.SearchCap = cmp.Or(cfg.SearchCap, DefaultSearchCap)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Epoch.IsZero() {
		cfg.Epoch = cfg.Now().UTC().Truncate(24 * time.Hour)
	}
	return cfg
}
