package pipeline

import (
	"context"
	"fmt"

	"github.com/usersync/syncer/internal/extract"
	"github.com/usersync/syncer/internal/genesys"
	"github.com/usersync/syncer/internal/load"
)

// StreamRoles reads every user's role grants, per division, from the role
// side.
const StreamRoles = "roles"

func init() {
	Register(Spec{
		Name:   StreamRoles,
		Order:  40,
		Reads:  "grants per division from the role side (`/authorization/roles/{id}/subjectgrants`)",
		Cost:   fmt.Sprintf("Σ⌈subjects/%d⌉ instead of one call per user", genesys.MaxReferencePageSize),
		Tables: []string{"user_role_grants"},
		// Not After users either: only the per-user fallback (a role over
		// its listing's cap) waits for the ids.
		After:  []string{StreamReference},
		Awaits: []string{StreamUsers},
		Estimate: func(s Sizes, _ ForwardConfig) (int64, bool) {
			if s.Reference == nil {
				return 0, false
			}
			return int64(len(s.Reference.Roles)), true // a page each at least
		},
		New: func(api ForwardAPI, cfg ForwardConfig) (Stream, error) {
			return Stream{Snapshot: true, Run: func(ctx context.Context, _ load.Watermark, out *Out) (*load.Watermark, error) {
				ref, err := Get(ctx, out, RefData)
				if err != nil {
					return nil, err
				}
				gcfg := extract.GrantsConfig{Workers: cfg.Workers, PagingCap: cfg.PagingCap}
				if out.InRun(StreamUsers) {
					gcfg.UserIDs = func(ctx context.Context) ([]string, error) { return Get(ctx, out, UserIDs) }
				}
				return nil, Relay(ctx, out, 2, func(ctx context.Context, batches chan<- extract.GrantBatch) error {
					return extract.RoleGrants(ctx, api, ref.Roles, gcfg, out.Progress(), batches)
				}, grantBatch)
			}}, nil
		},
	})
}

// grantBatch replaces the grants of the batch's users.
func grantBatch(b extract.GrantBatch) Batch {
	return func(ctx context.Context, tx *load.Tx) (int64, error) {
		rows := make([]load.RoleGrantRow, len(b.Rows))
		for i, r := range b.Rows {
			rows[i] = load.RoleGrantRow{UserID: r.UserID, RoleID: r.RoleID, DivisionID: r.DivisionID}
		}
		return int64(len(rows)), tx.RoleGrants(ctx, b.Users, rows)
	}
}
