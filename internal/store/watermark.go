package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Watermark is how far a stream of a pipeline has loaded. Package load
// writes it in the same transaction as the stream's data; the store reads it.
type Watermark struct {
	Pipeline  string
	Stream    string
	Watermark time.Time // zero when the stream keeps only a cursor
	Cursor    string
	RunID     int64 // 0 when unknown
	UpdatedAt time.Time
}

// Watermark returns the watermark of one stream, or ErrNotFound when the
// stream has never completed.
func (s *Store) Watermark(ctx context.Context, pipeline, stream string) (Watermark, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+watermarkColumns+" FROM "+s.table("sync_watermarks")+
		" WHERE pipeline = $1 AND stream = $2", pipeline, stream)
	if err != nil {
		return Watermark{}, fmt.Errorf("read watermark %s/%s: %w", pipeline, stream, translate(err))
	}
	w, err := pgx.CollectExactlyOneRow(rows, scanWatermark)
	if err != nil {
		return Watermark{}, fmt.Errorf("read watermark %s/%s: %w", pipeline, stream, translate(err))
	}
	return w, nil
}

// Watermarks returns the watermarks of a pipeline (all pipelines when
// empty), ordered by pipeline and stream.
func (s *Store) Watermarks(ctx context.Context, pipeline string) ([]Watermark, error) {
	rows, err := s.pool.Query(ctx, "SELECT "+watermarkColumns+" FROM "+s.table("sync_watermarks")+
		" WHERE $1 = '' OR pipeline = $1 ORDER BY pipeline, stream", pipeline)
	if err != nil {
		return nil, fmt.Errorf("list watermarks: %w", translate(err))
	}
	out, err := pgx.CollectRows(rows, scanWatermark)
	if err != nil {
		return nil, fmt.Errorf("list watermarks: %w", translate(err))
	}
	return out, nil
}

const watermarkColumns = "pipeline, stream, watermark, coalesce(cursor, ''), coalesce(run_id, 0), updated_at"

func scanWatermark(row pgx.CollectableRow) (Watermark, error) {
	var w Watermark
	var wm *time.Time
	err := row.Scan(&w.Pipeline, &w.Stream, &wm, &w.Cursor, &w.RunID, &w.UpdatedAt)
	if wm != nil {
		w.Watermark = *wm
	}
	return w, err
}
