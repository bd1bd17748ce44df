package store

import (
	"context"
	"fmt"
	"time"
)

// SnapshotTimes returns, for each stream named, when the newest complete
// read of it that committed began (any pipeline of this schema). A stream
// never read completely is absent from the map. A complete read is one of
// a snapshot stream: reference data, queue memberships, role grants, and
// users when all three states were read (see pipeline.Stream.Snapshot).
func (s *Store) SnapshotTimes(ctx context.Context, streams []string) (map[string]time.Time, error) {
	rows, err := s.pool.Query(ctx, "SELECT stream, max(watermark) FROM "+s.table("sync_watermarks")+
		" WHERE stream = ANY($1) AND watermark IS NOT NULL GROUP BY stream", streams)
	if err != nil {
		return nil, fmt.Errorf("read snapshot times: %w", translate(err))
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var name string
		var at time.Time
		if err := rows.Scan(&name, &at); err != nil {
			return nil, fmt.Errorf("read snapshot times: %w", translate(err))
		}
		out[name] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read snapshot times: %w", translate(err))
	}
	return out, nil
}

// LatestSnapshot returns the time and cursor of the latest watermark of
// stream, by any pipeline: the complete read that began last and what it
// recorded of itself (the users stream: the expands it read). ErrNotFound
// when none was committed.
func (s *Store) LatestSnapshot(ctx context.Context, stream string) (time.Time, string, error) {
	var at time.Time
	var cursor *string
	err := s.pool.QueryRow(ctx, "SELECT watermark, cursor FROM "+s.table("sync_watermarks")+
		" WHERE stream = $1 AND watermark IS NOT NULL ORDER BY watermark DESC LIMIT 1", stream).Scan(&at, &cursor)
	if err != nil {
		return time.Time{}, "", fmt.Errorf("read the latest snapshot of %s: %w", stream, translate(err))
	}
	if cursor == nil {
		return at, "", nil
	}
	return at, *cursor, nil
}

// UserStationIDs returns the default and associated station ids of users
// as the last users load with the station expand stored them
// (user_stations); a user with no row has none.
func (s *Store) UserStationIDs(ctx context.Context, users []string) (map[string][2]string, error) {
	rows, err := s.pool.Query(ctx, "SELECT user_id, coalesce(default_station_id, ''), coalesce(associated_station_id, '') FROM "+
		s.table("user_stations")+" WHERE user_id = ANY($1)", users)
	if err != nil {
		return nil, fmt.Errorf("read the stations of %d users: %w", len(users), translate(err))
	}
	defer rows.Close()
	out := map[string][2]string{}
	for rows.Next() {
		var id, def, assoc string
		if err := rows.Scan(&id, &def, &assoc); err != nil {
			return nil, fmt.Errorf("read the stations of %d users: %w", len(users), translate(err))
		}
		out[id] = [2]string{def, assoc}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read the stations of %d users: %w", len(users), translate(err))
	}
	return out, nil
}
