package clock_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/clock"
)

func TestSleep(t *testing.T) {
	if err := clock.Sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := clock.Sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep on a cancelled context = %v, want context.Canceled", err)
	}
	if err := clock.Sleep(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("zero sleep on a cancelled context = %v, want context.Canceled", err)
	}
}
