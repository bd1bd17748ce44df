package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
	"github.com/usersync/syncer/internal/genesys"
)

func init() {
	RegisterExecutor(diff.KindSetUtilization, Executor{Call: PerUser(func(ctx context.Context, x *Exec, o *diff.Operation, id string) error {
		body, err := diff.DecodePayload[diff.SetUtilization](o)
		if err != nil {
			return err
		}
		_, err = x.API().SetUserUtilization(ctx, id, utilizationRequest(body.Utilization))
		return err
	})})
	RegisterExecutor(diff.KindResetUtilization, Executor{Call: PerUser(func(ctx context.Context, x *Exec, _ *diff.Operation, id string) error {
		return x.API().ResetUserUtilization(ctx, id)
	})})
}

// utilizationRequest is a profile as PUT /routing/users/{id}/utilization
// takes it: the media types it sets, interrupting types never null.
func utilizationRequest(p diff.UtilizationProfile) genesys.UtilizationRequest {
	req := genesys.UtilizationRequest{Utilization: make(map[string]genesys.MediaUtilization, len(p))}
	for mt, m := range p {
		req.Utilization[mt] = genesys.MediaUtilization{MaximumCapacity: m.MaximumCapacity,
			InterruptableMediaTypes: append([]string{}, m.InterruptableMediaTypes...), IncludeNonAcd: m.IncludeNonACD}
	}
	return req
}
