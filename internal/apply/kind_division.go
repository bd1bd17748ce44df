package apply

import (
	"context"

	"github.com/usersync/syncer/internal/diff"
)

func init() {
	RegisterExecutor(diff.KindMoveDivision, Executor{Call: func(ctx context.Context, x *Exec, o *diff.Operation) (any, error) {
		r := x.r
		ids, err := r.resolveAll(o.Members)
		if err != nil {
			return nil, err
		}
		r.write()
		if err := r.a.api.MoveUsersToDivision(ctx, o.DivisionID, ids); err != nil {
			return nil, err
		}
		r.mu.Lock()
		for _, id := range ids {
			// A division move bumps the user's version (as the emulator
			// does); later versioned writes of this plan expect one more.
			if v, ok := r.versions[id]; ok {
				r.versions[id] = v + 1
			} else {
				r.bumps[id]++
			}
		}
		r.mu.Unlock()
		r.touch(ids...)
		return nil, nil
	}})
}
