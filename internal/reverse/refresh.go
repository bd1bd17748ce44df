package reverse

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
	"github.com/usersync/syncer/internal/pipeline"
)

// StreamExternalIDs is the stream that reads users' external ids.
const StreamExternalIDs = "external_ids"

// RefreshPipeline names the runs of Refresh in sync_runs.
const RefreshPipeline = "reverse-refresh"

// externalIDBatch bounds the users whose external ids one load call
// replaces.
const externalIDBatch = 500

// Refresh loads the current state into Postgres through the forward
// streams: reference data, users of every state with skills, languages and
// employerInfo, queue memberships and role grants, then the external ids
// of the users whose ids were never read plus those named in reread (the
// users an apply registered ids on). The API has no bulk read of external
// ids: each read is one call per user, so they are read once and then
// only for new or changed users.
func (s *Service) Refresh(ctx context.Context, reread []string) (pipeline.Summary, error) {
	names := []string{pipeline.StreamReference, pipeline.StreamUsers, "skills", "languages", pipeline.StreamQueues, pipeline.StreamRoles}
	if s.noRoles {
		names = names[:len(names)-1]
	}
	streams, err := pipeline.ForwardStreams(s.api, pipeline.ForwardConfig{
		Streams: names,
		States:  []string{genesys.StateActive, genesys.StateInactive, genesys.StateDeleted},
		Expand:  []string{"skills", "languages", "employerInfo"},
		Workers: s.workers,
	})
	if err != nil {
		return pipeline.Summary{}, err
	}
	streams = append(streams, pipeline.Stream{Name: StreamExternalIDs, After: []string{pipeline.StreamUsers}, Load: s.externalIDsLoad(reread)})
	sum, err := s.runner.Run(ctx, RefreshPipeline, streams, nil)
	if err != nil {
		return sum, fmt.Errorf("refresh the current state: %w", err)
	}
	return sum, nil
}

func (s *Service) externalIDsLoad(reread []string) func(context.Context, *load.Tx, *pipeline.StreamProgress) (*load.Watermark, error) {
	return func(ctx context.Context, tx *load.Tx, p *pipeline.StreamProgress) (*load.Watermark, error) {
		ids, err := s.store.UsersWithoutExternalIDs(ctx)
		if err != nil {
			return nil, err
		}
		ids = append(ids, reread...)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		p.AddTotal(int64(len(ids)))
		p.MinCalls(int64(len(ids)))
		for start := 0; start < len(ids); start += externalIDBatch {
			batch := ids[start:min(start+externalIDBatch, len(ids))]
			var mu sync.Mutex
			var rows []load.ExternalIDRow
			var owners []string
			g, gctx := errgroup.WithContext(ctx)
			g.SetLimit(s.workers)
			for _, id := range batch {
				g.Go(func() error {
					xs, err := s.api.GetUserExternalIDs(gctx, id)
					if errors.Is(err, genesys.ErrNotFound) {
						return nil // deleted since the users stream read it
					}
					if err != nil {
						return fmt.Errorf("external ids of user %s: %w", id, err)
					}
					mu.Lock()
					owners = append(owners, id)
					for _, x := range xs {
						rows = append(rows, load.ExternalIDRow{UserID: id, AuthorityName: x.AuthorityName, ExternalKey: x.ExternalKey})
					}
					mu.Unlock()
					p.Done(1)
					return nil
				})
			}
			if err := g.Wait(); err != nil {
				return nil, err
			}
			slices.Sort(owners)
			if err := tx.ExternalIDs(ctx, owners, rows); err != nil {
				return nil, err
			}
			p.Rows(int64(len(rows)))
		}
		return nil, nil
	}
}
