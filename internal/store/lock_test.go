package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

func TestLockIsExclusivePerNameAndSchema(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, false)
	a, err := s.TryLock(ctx, "nightly", store.LockConfig{DeadAfter: 3 * time.Second})
	if err != nil {
		t.Fatalf("first TryLock: %v", err)
	}
	if _, err := s.TryLock(ctx, "nightly", store.LockConfig{}); !errors.Is(err, store.ErrLocked) {
		t.Fatalf("second TryLock = %v, want ErrLocked", err)
	}
	if held, err := s.LockHeld(ctx, "nightly"); err != nil || !held {
		t.Errorf("LockHeld(nightly) = %v, %v; want true", held, err)
	}
	other, err := s.TryLock(ctx, "hourly", store.LockConfig{})
	if err != nil {
		t.Fatalf("another pipeline's lock: %v", err)
	}
	defer other.Release(ctx)
	// The same pipeline name in another schema is another deployment.
	dbURL, schema := pgtest.Schema(t)
	s2 := store.New(pgtest.Pool(t, dbURL, schema), store.Config{Schema: schema})
	b, err := s2.TryLock(ctx, "nightly", store.LockConfig{})
	if err != nil {
		t.Fatalf("same name, other schema: %v", err)
	}
	defer b.Release(ctx)

	if err := a.Check(ctx); err != nil {
		t.Errorf("Check of a held lock: %v", err)
	}
	if err := a.Release(ctx); err != nil {
		t.Fatalf("Release: %v", err)
	}
	if held, err := s.LockHeld(ctx, "nightly"); err != nil || held {
		t.Errorf("LockHeld after Release = %v, %v; want false", held, err)
	}
	c, err := s.TryLock(ctx, "nightly", store.LockConfig{})
	if err != nil {
		t.Fatalf("TryLock after Release: %v", err)
	}
	c.Release(ctx)
}

func TestLockLostWhenSessionDies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := newStore(t, false)
	l, err := s.TryLock(ctx, "nightly", store.LockConfig{ApplicationName: "lock test holder"})
	if err != nil {
		t.Fatalf("TryLock: %v", err)
	}
	// The server drops the holder's session (as it does for a silent peer
	// once the keepalives run out): the lock is free and Check says so.
	var n int
	if err := s.Pool().QueryRow(ctx, `SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'lock test holder'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("terminate holder: %d, %v", n, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		held, err := s.LockHeld(ctx, "nightly")
		if err != nil {
			t.Fatal(err)
		}
		if !held {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("lock still held 5s after its session was terminated")
		}
		time.Sleep(20 * time.Millisecond)
	}
	cctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := l.Check(cctx); err == nil {
		t.Error("Check succeeded on a terminated session")
	}
	m, err := s.TryLock(ctx, "nightly", store.LockConfig{})
	if err != nil {
		t.Fatalf("TryLock after the holder died: %v", err)
	}
	m.Release(ctx)
}
