package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulator/analytics"
)

func init() { register("emulator", newEmulatorCommand) }

// emulatorOptions are the emulator's flags that do not map to
// emulator.Config as they are.
type emulatorOptions struct {
	addr             string
	clientID, secret string
	rate             int
	latency, jitter  time.Duration
	verbose          bool
}

func newEmulatorCommand() *cobra.Command {
	var (
		cfg emulator.Config
		o   emulatorOptions
	)
	c := &cobra.Command{
		Use:   "emulator",
		Short: "serve an emulated Genesys Cloud org over HTTP",
		Long: `Emulator serves an in-memory Genesys Cloud org over HTTP, speaking the wire
protocol of every endpoint syncer uses (login, paging caps, rate limits, async
analytics jobs, writes, faults), until Ctrl-C. It prints the base URL and the
client id and secret it accepts.

Exit status: 0 stopped, 1 failure, 64 a bad command line.`,
		Example: `  syncer emulator --users 5000 --seed 7 --addr 127.0.0.1:8089 --client-id ID --client-secret SECRET
  syncer emulator --rate 0 --deny-permission routing:queue:view`,
		Args: rangeArgs(0, 0, ""),
	}
	fs := c.Flags()
	fs.Var(newIntFlag(&cfg.Users, emulator.DefaultUsers, 1, "int"), "users", "number of users to generate (all states)")
	fs.Int64Var(&cfg.Seed, "seed", 1, "seed of the generated org and of the fault dice")
	fs.StringVar(&o.addr, "addr", "127.0.0.1:8089", "listen address `HOST:PORT` (port 0 picks a free one)")
	// The defaults come from the environment when the emulator starts, so
	// that -h never prints a secret.
	fs.StringVar(&o.clientID, "client-id", "", "OAuth client `ID` accepted (default $GENESYS_CLIENT_ID, else "+emulator.DefaultClientID+")")
	fs.StringVar(&o.secret, "client-secret", "", "OAuth client `SECRET` accepted (default $GENESYS_CLIENT_SECRET, else "+emulator.DefaultClientSecret+")")
	fs.Var(newIntFlag(&o.rate, emulator.DefaultRatePerMinute, 0, "int"), "rate", "requests per minute per token (0: no rate limit)")
	fs.Var(newDurationFlag(&cfg.TokenTTL, emulator.DefaultTokenTTL, time.Second), "token-ttl", "access token lifetime")
	fs.Var(newIntFlag(&cfg.PageCap, emulator.DefaultPageCap, 1, "int"), "page-cap", "deep-paging cap of the listings (pageNumber*pageSize above it answers 400)")
	fs.Var(newIntFlag(&cfg.SearchCap, emulator.DefaultSearchCap, 1, "int"), "search-cap", "result cap of POST /api/v2/users/search")
	fs.Var(newDurationFlag(&o.latency, 0, 0), "latency", "latency added to every API request")
	fs.Var(newDurationFlag(&o.jitter, 0, 0), "jitter", "random extra latency, uniform in [0, jitter)")
	fs.Var(newProbabilityFlag(&cfg.Faults.ErrorRate, 0), "error-rate", "probability of a 5xx answer")
	fs.Var(newProbabilityFlag(&cfg.Faults.ResetRate, 0), "reset-rate", "probability of a connection reset")
	fs.Var(newDurationFlag(&cfg.Analytics.JobDelay, analytics.DefaultJobDelay, math.MinInt64), "job-delay", "time an analytics job takes to become FULFILLED (negative: at once)")
	fs.Var(newDurationFlag(&cfg.Analytics.DataLag, analytics.DefaultDataLag, math.MinInt64), "data-lag", "how far the analytics data availability date trails the clock (negative: none)")
	fs.Var(newIntFlag(&cfg.Analytics.MaxConcurrentJobs, analytics.DefaultMaxConcurrentJobs, math.MinInt, "int"), "max-jobs", "concurrent analytics jobs before a submission answers 429 (negative: no cap)")
	fs.Var(newProbabilityFlag(&cfg.Faults.JobFailureRate, 0), "job-failure-rate", "probability that an analytics job ends FAILED")
	fs.Var(newDurationFlag(&cfg.QueueMemberDelay, 0, 0), "queue-member-delay", "how long an accepted queue member add (POST /routing/queues/{id}/members, 202) takes to show")
	fs.BoolVar(&cfg.JoinNewQueueMembers, "join-new-queue-members", false, "users added to a queue start joined (default: unjoined)")
	fs.Var((*stringList)(&cfg.DeniedPermissions), "deny-permission", "a `PERMISSION` the emulated OAuth client lacks, e.g. routing:queue:view: the endpoints that need it answer 403 as Genesys Cloud does (repeatable)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "log at debug level")
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Value.Type() != "bool" {
			_ = c.RegisterFlagCompletionFunc(f.Name, cobra.NoFileCompletions)
		}
	})
	c.RunE = func(c *cobra.Command, _ []string) error {
		if !fs.Changed("client-id") {
			o.clientID = envOr("GENESYS_CLIENT_ID", emulator.DefaultClientID)
		}
		if !fs.Changed("client-secret") {
			o.secret = envOr("GENESYS_CLIENT_SECRET", emulator.DefaultClientSecret)
		}
		srv, err := newEmulator(cfg, o, c.ErrOrStderr())
		if err != nil {
			return err // a flag emulator.New refuses: a usage error
		}
		return runCode(func(ctx context.Context, _ []string, stdout, stderr io.Writer) int {
			return runEmulator(ctx, srv, o, stdout, stderr)
		})(c, nil)
	}
	return c
}

// newEmulator builds the emulated org the flags describe.
func newEmulator(cfg emulator.Config, o emulatorOptions, stderr io.Writer) (*emulator.Server, error) {
	cfg.ClientID, cfg.ClientSecret = o.clientID, o.secret
	cfg.RatePerMinute = o.rate
	if o.rate <= 0 {
		cfg.RatePerMinute = -1
	}
	cfg.Faults.LatencyMs = int(o.latency.Milliseconds())
	cfg.Faults.JitterMs = int(o.jitter.Milliseconds())
	level := slog.LevelInfo
	if o.verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	return emulator.New(cfg)
}

// runEmulator serves srv until ctx is cancelled (Ctrl-C).
func runEmulator(ctx context.Context, srv *emulator.Server, o emulatorOptions, stdout, stderr io.Writer) int {
	err := srv.ListenAndServe(ctx, o.addr, func(base string) {
		rateText := fmt.Sprintf("%d requests/minute per token", o.rate)
		if o.rate <= 0 {
			rateText = "off"
		}
		fmt.Fprintf(stdout, "emulated Genesys Cloud org: %d users, seed %d\n", srv.Config().Users, srv.Config().Seed)
		fmt.Fprintf(stdout, "base URL:      %s  (login: POST %s/oauth/token; API: %s/api/v2/...)\n", base, base, base)
		fmt.Fprintf(stdout, "client id:     %s\n", o.clientID)
		fmt.Fprintf(stdout, "client secret: %s\n", o.secret)
		fmt.Fprintf(stdout, "rate limit:    %s\n", rateText)
		if denied := srv.DeniedPermissions(); len(denied) > 0 {
			fmt.Fprintf(stdout, "denied:        %s (403 on the endpoints that need them)\n", strings.Join(denied, ", "))
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
