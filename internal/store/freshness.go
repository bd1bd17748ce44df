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
