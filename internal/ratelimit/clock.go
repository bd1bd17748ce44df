package ratelimit

import (
	"context"
	"time"

	"github.com/usersync/syncer/internal/clock"
)

// Clock is the budget's source of time. The zero Config uses the system clock.
type Clock interface {
	Now() time.Time
	// Sleep waits for d or until ctx is done, returning ctx.Err() then.
	Sleep(ctx context.Context, d time.Duration) error
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

func (systemClock) Sleep(ctx context.Context, d time.Duration) error {
	return clock.Sleep(ctx, d)
}
