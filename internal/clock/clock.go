// Package clock holds the one context-aware sleep the client, the rate
// budget and the analytics jobs wait with.
package clock

import (
	"context"
	"time"
)

// Sleep waits d or until ctx is done, returning ctx.Err() then. A d of
// zero or less returns at once (ctx.Err()).
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
