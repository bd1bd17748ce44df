package examplestream

// This file is the example stream: what would be
// internal/pipeline/stream_user_external_ids.go. It is the whole stream:
// its declaration, its read (extract.ByUser over one client method) and
// its load (a batch per group of users into the table's Tx method).

import (
	"context"
	"errors"
	"fmt"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
)

// StreamUserExternalIDs reads every user's external ids, one call a user:
// an optional stream, as utilization is, whose cost `syncer run
// --dry-run` shows before anyone lists it.
const StreamUserExternalIDs = "user_external_ids"

// externalIDsAPI is the call the stream makes beyond pipeline.ForwardAPI.
// A built-in stream adds it to ForwardAPI (internal/pipeline/forward.go)
// so that the compiler checks the client has it; the example, which may
// not change that file, asserts the API to it in New.
type externalIDsAPI interface {
	GetUserExternalIDs(ctx context.Context, userID string) ([]genesys.UserExternalIdentifier, error)
}

func init() {
	pipeline.Register(pipeline.Spec{
		Name: StreamUserExternalIDs,
		// After the built-in streams (user_aggregates is 60).
		Order:  70,
		Reads:  "each user's external ids (`GET /api/v2/users/{userId}/externalid`)",
		Cost:   "one call per user",
		Tables: []string{"user_external_ids"},
		// The ids come from the users stream: run after it commits. (A
		// stream that can start before the ids are needed declares Awaits
		// instead, and Gets them when it needs them.)
		After:    []string{pipeline.StreamUsers},
		Optional: true,
		Estimate: func(s pipeline.Sizes, _ pipeline.ForwardConfig) (int64, bool) {
			if s.Users == nil {
				return 0, false // the users stream did not run: no count
			}
			return int64(s.Holders()), true
		},
		New: func(api pipeline.ForwardAPI, cfg pipeline.ForwardConfig) (pipeline.Stream, error) {
			x, ok := api.(externalIDsAPI)
			if !ok {
				return pipeline.Stream{}, fmt.Errorf("the API client has no GetUserExternalIDs")
			}
			// Not a Snapshot: users the users stream did not hand over
			// (deleted ones) keep what was stored for them.
			return pipeline.Stream{Run: func(ctx context.Context, _ load.Watermark, out *pipeline.Out) (*load.Watermark, error) {
				ids, err := pipeline.Get(ctx, out, pipeline.UserIDs)
				if err != nil {
					return nil, err
				}
				return nil, pipeline.RelayBatches(ctx, out, cfg.Workers, func(ctx context.Context, batches chan<- pipeline.Batch) error {
					return extract.ByUser(ctx, ids, extract.ByUserConfig{Workers: cfg.Workers, BatchSize: 500}, out.Progress(),
						func(ctx context.Context, userID string) ([]load.ExternalIDRow, error) {
							return readExternalIDs(ctx, x, userID)
						},
						externalIDsBatch, batches)
				})
			}}, nil
		},
	})
}

func readExternalIDs(ctx context.Context, api externalIDsAPI, userID string) ([]load.ExternalIDRow, error) {
	ids, err := api.GetUserExternalIDs(ctx, userID)
	if errors.Is(err, genesys.ErrNotFound) {
		return nil, nil // deleted since it was listed
	}
	if err != nil {
		return nil, fmt.Errorf("read external ids of user %s: %w", userID, err)
	}
	rows := make([]load.ExternalIDRow, len(ids))
	for i, e := range ids {
		rows[i] = load.ExternalIDRow{UserID: userID, AuthorityName: e.AuthorityName, ExternalKey: e.ExternalKey}
	}
	return rows, nil
}

// externalIDsBatch replaces the external ids of a group of users.
func externalIDsBatch(users []string, rows []load.ExternalIDRow) pipeline.Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		return int64(len(rows)), tx.ExternalIDs(ctx, users, rows)
	}
}
