package store

import (
	"context"
	"fmt"
	"slices"
)

// DimensionTables are the dimension tables the directory stream loads,
// whose names DimensionNames reads.
var DimensionTables = []string{"groups", "locations", "stations"}

// DimensionNames calls add with the id and name of every row of a
// dimension table (DimensionTables) not marked deleted: the names a feed's
// location or station column resolves against, read from the last load
// instead of the API.
func (s *Store) DimensionNames(ctx context.Context, table string, add func(id, name string)) error {
	if !slices.Contains(DimensionTables, table) {
		return fmt.Errorf("read the names of %s: not a dimension table (%v)", table, DimensionTables)
	}
	rows, err := s.pool.Query(ctx, `SELECT id, name FROM `+s.table(table)+` WHERE deleted_at IS NULL ORDER BY id`)
	if err != nil {
		return fmt.Errorf("read the names of %s: %w", table, translate(err))
	}
	defer rows.Close()
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("read the names of %s: %w", table, translate(err))
		}
		add(id, name)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read the names of %s: %w", table, translate(err))
	}
	return nil
}
