package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrLocked: TryLock found the lock held by another session.
var ErrLocked = errors.New("store: lock held by another session")

// DefaultDeadAfter is LockConfig.DeadAfter's default.
const DefaultDeadAfter = 30 * time.Second

// LockConfig configures TryLock. The zero value works.
type LockConfig struct {
	// DeadAfter bounds how long the server keeps the lock of a holder whose
	// host or network has gone silent: the lock's connection gets TCP
	// keepalives and tcp_user_timeout (both ends) so that a silent peer is
	// dropped, and the lock with it, within about this long. A holder
	// process that exits or crashes releases at once: the kernel closes its
	// socket. Default 30s.
	DeadAfter time.Duration
	// ApplicationName is shown in pg_stat_activity for the lock's connection,
	// so an operator can see who holds what. Default "syncer lock NAME".
	ApplicationName string
}

// Lock is a session-level advisory lock on a connection of its own, held
// until Release or until the connection dies. It is the one-runner-per-
// pipeline guarantee shared by `syncer serve` replicas and `syncer run`:
// whoever holds a pipeline's lock is the only one running it.
type Lock struct {
	conn *pgx.Conn
	name string
	key  string
}

// lockKey is the text hashed into the advisory lock's bigint key: the schema
// is part of it, so two deployments in one database do not block each other.
func (s *Store) lockKey(name string) string {
	return "syncer pipeline " + s.schema + "/" + name
}

// TryLock takes the lock called name (a pipeline's name) without waiting. It
// returns ErrLocked when another session holds it.
func (s *Store) TryLock(ctx context.Context, name string, cfg LockConfig) (*Lock, error) {
	dead := cmp.Or(cfg.DeadAfter, DefaultDeadAfter)
	cc := s.pool.Config().ConnConfig.Copy()
	cc.RuntimeParams["application_name"] = cmp.Or(cfg.ApplicationName, "syncer lock "+name)
	// Server side: notice a silent client within about dead. Keepalive
	// settings are whole seconds; tcp_user_timeout (milliseconds) also bounds
	// unacknowledged writes. Ignored on Unix sockets, where a dead peer is
	// always noticed at once.
	idle := max(dead/6, time.Second)
	interval := max(dead/9, time.Second)
	cc.RuntimeParams["tcp_keepalives_idle"] = strconv.Itoa(int(idle / time.Second))
	cc.RuntimeParams["tcp_keepalives_interval"] = strconv.Itoa(int(interval / time.Second))
	cc.RuntimeParams["tcp_keepalives_count"] = "3"
	cc.RuntimeParams["tcp_user_timeout"] = strconv.Itoa(int(max(dead/2, time.Second) / time.Millisecond))
	// Client side: the same bound, so Check fails rather than hangs.
	dialer := &net.Dialer{
		Timeout:         cmp.Or(cc.ConnectTimeout, dead),
		KeepAliveConfig: net.KeepAliveConfig{Enable: true, Idle: idle, Interval: interval, Count: 3},
	}
	cc.DialFunc = dialer.DialContext

	conn, err := pgx.ConnectConfig(ctx, cc)
	if err != nil {
		return nil, fmt.Errorf("lock %q: connect: %w", name, translate(err))
	}
	l := &Lock{conn: conn, name: name, key: s.lockKey(name)}
	var got bool
	if err := conn.QueryRow(ctx, "SELECT pg_try_advisory_lock(hashtextextended($1, 0))", l.key).Scan(&got); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock %q: %w", name, translate(err))
	}
	if !got {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("lock %q: %w", name, ErrLocked)
	}
	return l, nil
}

// Name is the name the lock was taken under.
func (l *Lock) Name() string { return l.name }

// Check reports whether the lock is still held: the session that took it is
// alive and answers within ctx. An error means the lock must be taken as lost
// (the server may already have given it to someone else). Check must not be
// called concurrently with itself or Release.
func (l *Lock) Check(ctx context.Context) error {
	if err := l.conn.Ping(ctx); err != nil {
		return fmt.Errorf("lock %q: session lost: %w", l.name, translate(err))
	}
	return nil
}

// Release gives the lock up and closes its connection. Closing alone would
// release it; the explicit unlock makes the release immediate even when the
// close is slow.
func (l *Lock) Release(ctx context.Context) error {
	_, err := l.conn.Exec(ctx, "SELECT pg_advisory_unlock(hashtextextended($1, 0))", l.key)
	cerr := l.conn.Close(ctx)
	if err != nil {
		return fmt.Errorf("release lock %q: %w", l.name, translate(err))
	}
	if cerr != nil {
		return fmt.Errorf("release lock %q: %w", l.name, translate(cerr))
	}
	return nil
}

// LockHeld reports whether any session holds the lock called name. It is
// for status displays and tests; a decision to run must use TryLock.
func (s *Store) LockHeld(ctx context.Context, name string) (bool, error) {
	var held bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted
		AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = hashtextextended($1, 0))`, s.lockKey(name)).Scan(&held)
	if err != nil {
		return false, fmt.Errorf("look up lock %q: %w", name, translate(err))
	}
	return held, nil
}
