package pipeline

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamUtilization reads every user's utilization (capacity per media
// type, the media types that may interrupt it, org default or the user's
// own), one call a user: an optional stream, whose cost `syncer run
// --dry-run` shows before anyone lists it.
const StreamUtilization = "utilization"

// UtilizationAPI is the call the utilization stream makes.
type UtilizationAPI interface {
	UserUtilization(ctx context.Context, userID string) (genesys.AgentMaxUtilizationResponse, error)
}

func init() {
	Register(Spec{
		Name:     StreamUtilization,
		Order:    70,
		Reads:    "each user's utilization (`GET /api/v2/routing/users/{userId}/utilization`)",
		Cost:     "one call per user (not deleted)",
		Tables:   []string{"user_utilization"},
		After:    []string{StreamUsers},
		Optional: true,
		Estimate: func(s Sizes, _ ForwardConfig) (int64, bool) {
			if s.Users == nil {
				return 0, false
			}
			return int64(s.Holders()), true
		},
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			// Not a Snapshot: deleted users, whom the users stream does not
			// hand over, keep what was stored for them.
			return Stream{Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
				ids, err := Get(ctx, out, UserIDs)
				if err != nil {
					return nil, err
				}
				return nil, RelayBatches(ctx, out, cfg.Workers, func(ctx context.Context, batches chan<- Batch) error {
					return extract.ByUser(ctx, ids, extract.ByUserConfig{Workers: cfg.Workers, BatchSize: 500}, out.Progress(),
						func(ctx context.Context, userID string) ([]load.UtilizationRow, error) {
							return readUtilization(ctx, api, userID)
						}, utilizationBatch, batches)
				})
			}}, nil
		},
	})
}

// readUtilization reads one user's utilization as a row per media type.
func readUtilization(ctx context.Context, api UtilizationAPI, userID string) ([]load.UtilizationRow, error) {
	u, err := api.UserUtilization(ctx, userID)
	if errors.Is(err, genesys.ErrNotFound) {
		return nil, nil // deleted since it was listed
	}
	if err != nil {
		return nil, fmt.Errorf("read the utilization of user %s: %w", userID, err)
	}
	rows := make([]load.UtilizationRow, 0, len(u.Utilization))
	for media, m := range u.Utilization {
		if media == "" {
			continue
		}
		rows = append(rows, load.UtilizationRow{UserID: userID, MediaType: media, MaximumCapacity: m.MaximumCapacity,
			InterruptibleMediaTypes: distinct(m.InterruptableMediaTypes), IncludeNonACD: m.IncludeNonAcd, Level: u.Level})
	}
	slices.SortFunc(rows, func(a, b load.UtilizationRow) int { return strings.Compare(a.MediaType, b.MediaType) })
	return rows, nil
}

// utilizationBatch replaces the utilization of a group of users.
func utilizationBatch(users []string, rows []load.UtilizationRow) Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		return int64(len(rows)), tx.Utilization(ctx, users, rows)
	}
}
