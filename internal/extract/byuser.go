package extract

import (
	"cmp"
	"context"

	"golang.org/x/sync/errgroup"
)

// ByUserConfig configures ByUser. The zero value works.
type ByUserConfig struct {
	// Workers read that many batches of users at once. Default
	// DefaultWorkers.
	Workers int
	// BatchSize is the number of users a batch holds. Default 100.
	BatchSize int
	// CallsPerUser is the least number of calls fetch makes for one user,
	// for the minimum. Default 1.
	CallsPerUser int
}

// ByUser calls fetch for every user, a batch of users per worker, and
// sends each batch's items, made into a batch by batch, once every user of
// it was read: a batch is the complete list of its users' items. fetch
// returns nothing for a user it does not find (deleted since it was
// listed). Progress counts users; the minimum is CallsPerUser calls a
// user. It closes out when it returns: the shape of every per-user read
// (queue memberships, grants, and the optional streams that cost a call a
// user).
func ByUser[T, B any](ctx context.Context, userIDs []string, cfg ByUserConfig, prog Counter,
	fetch func(ctx context.Context, userID string) ([]T, error), batch func(users []string, items []T) B, out chan<- B) error {
	defer close(out)
	return byUser(ctx, userIDs, cfg, prog, fetch, batch, out)
}

// byUser is ByUser without closing out.
func byUser[T, B any](ctx context.Context, userIDs []string, cfg ByUserConfig, prog Counter,
	fetch func(ctx context.Context, userID string) ([]T, error), batch func(users []string, items []T) B, out chan<- B) error {
	size := cmp.Or(cfg.BatchSize, 100)
	prog.AddTotal(int64(len(userIDs)))
	prog.MinCalls(int64(cmp.Or(cfg.CallsPerUser, 1) * len(userIDs)))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(cmp.Or(cfg.Workers, DefaultWorkers), 1))
	for start := 0; start < len(userIDs); start += size {
		users := userIDs[start:min(start+size, len(userIDs))]
		g.Go(func() error {
			var items []T
			for _, uid := range users {
				got, err := fetch(gctx, uid)
				if err != nil {
					return err
				}
				items = append(items, got...)
				prog.Done(1)
			}
			return send(gctx, out, batch(users, items))
		})
	}
	return g.Wait()
}
