package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
)

func init() {
	register(command{name: "emulator", summary: "serve an emulated Genesys Cloud org over HTTP", run: runEmulator})
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

func (l *stringList) Set(v string) error {
	*l = append(*l, v)
	return nil
}

// runEmulator serves an emulated org until ctx is cancelled (Ctrl-C).
func runEmulator(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlags("emulator", "[flags]", stderr)
	var cfg emulator.Config
	fs.IntVar(&cfg.Users, "users", emulator.DefaultUsers, "number of users to generate (all states)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated org and of the fault dice")
	addr := fs.String("addr", "127.0.0.1:8089", "listen address (host:port; port 0 picks a free one)")
	fs.StringVar(&cfg.ClientID, "client-id", envOr("GENESYS_CLIENT_ID", emulator.DefaultClientID), "OAuth client id accepted (env GENESYS_CLIENT_ID)")
	fs.StringVar(&cfg.ClientSecret, "client-secret", envOr("GENESYS_CLIENT_SECRET", emulator.DefaultClientSecret), "OAuth client secret accepted (env GENESYS_CLIENT_SECRET)")
	rate := fs.Int("rate", emulator.DefaultRatePerMinute, "requests per minute per token (0 = no rate limit)")
	fs.DurationVar(&cfg.TokenTTL, "token-ttl", emulator.DefaultTokenTTL, "access token lifetime")
	fs.IntVar(&cfg.PageCap, "page-cap", emulator.DefaultPageCap, "deep-paging cap of the listings (pageNumber*pageSize above it answers 400)")
	fs.IntVar(&cfg.SearchCap, "search-cap", emulator.DefaultSearchCap, "result cap of POST /api/v2/users/search")
	latency := fs.Duration("latency", 0, "latency added to every API request")
	jitter := fs.Duration("jitter", 0, "random extra latency, uniform in [0, jitter)")
	fs.Float64Var(&cfg.Faults.ErrorRate, "error-rate", 0, "probability of a 5xx answer (0-1)")
	fs.Float64Var(&cfg.Faults.ResetRate, "reset-rate", 0, "probability of a connection reset (0-1)")
	fs.DurationVar(&cfg.Analytics.JobDelay, "job-delay", analytics.DefaultJobDelay, "time an analytics job takes to become FULFILLED (negative = at once)")
	fs.DurationVar(&cfg.Analytics.DataLag, "data-lag", analytics.DefaultDataLag, "how far the analytics data availability date trails the clock (negative = none)")
	fs.IntVar(&cfg.Analytics.MaxConcurrentJobs, "max-jobs", analytics.DefaultMaxConcurrentJobs, "concurrent analytics jobs before a submission answers 429 (negative = no cap)")
	fs.Float64Var(&cfg.Faults.JobFailureRate, "job-failure-rate", 0, "probability that an analytics job ends FAILED (0-1)")
	fs.DurationVar(&cfg.QueueMemberDelay, "queue-member-delay", 0, "how long an accepted queue member add (POST /routing/queues/{id}/members, 202) takes to show")
	fs.BoolVar(&cfg.JoinNewQueueMembers, "join-new-queue-members", false, "users added to a queue start joined (default: unjoined)")
	fs.Var((*stringList)(&cfg.DeniedPermissions), "deny-permission", "a permission the emulated OAuth client lacks, e.g. routing:queue:view: the endpoints that need it answer 403 as Genesys Cloud does (repeatable)")
	verbose := fs.Bool("v", false, "log at debug level")
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "syncer emulator: unexpected arguments %q\n", fs.Args())
		return exitUsage
	}
	if cfg.Users < 1 {
		fmt.Fprintf(stderr, "syncer emulator: --users must be at least 1, got %d\n", cfg.Users)
		return exitUsage
	}
	cfg.RatePerMinute = *rate
	if *rate <= 0 {
		cfg.RatePerMinute = -1
	}
	cfg.Faults.LatencyMs = int(latency.Milliseconds())
	cfg.Faults.JitterMs = int(jitter.Milliseconds())
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	srv, err := emulator.New(cfg)
	if err != nil {
		fmt.Fprintf(stderr, "syncer emulator: %v\n", err)
		return exitUsage
	}
	err = srv.ListenAndServe(ctx, *addr, func(base string) {
		rateText := fmt.Sprintf("%d requests/minute per token", *rate)
		if *rate <= 0 {
			rateText = "off"
		}
		fmt.Fprintf(stdout, "emulated Genesys Cloud org: %d users, seed %d\n", cfg.Users, cfg.Seed)
		fmt.Fprintf(stdout, "base URL:      %s  (login: POST %s/oauth/token; API: %s/api/v2/...)\n", base, base, base)
		fmt.Fprintf(stdout, "client id:     %s\n", cfg.ClientID)
		fmt.Fprintf(stdout, "client secret: %s\n", cfg.ClientSecret)
		fmt.Fprintf(stdout, "rate limit:    %s\n", rateText)
		if len(cfg.DeniedPermissions) > 0 {
			fmt.Fprintf(stdout, "denied:        %s (403 on the endpoints that need them)\n", strings.Join(srv.DeniedPermissions(), ", "))
		}
		fmt.Fprintf(stdout, "control:       %s/_emulator/stats, /_emulator/faults, /_emulator/mutate, /_emulator/reset\n", base)
		fmt.Fprintln(stdout, "press Ctrl-C to stop")
	})
	if err != nil {
		fmt.Fprintf(stderr, "syncer emulator: %v\n", err)
		return exitFailure
	}
	st := srv.Stats()
	codes := make([]string, 0, len(st.ByStatus))
	for code, n := range st.ByStatus {
		codes = append(codes, fmt.Sprintf("%s: %d", code, n))
	}
	slices.Sort(codes)
	fmt.Fprintf(stdout, "stopped after %d requests (%s)\n", st.Total, strings.Join(codes, ", "))
	return exitOK
}
