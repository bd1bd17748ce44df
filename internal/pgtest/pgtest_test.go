package pgtest

import (
	"context"
	"testing"
)

func TestSchemaIsolated(t *testing.T) {
	t.Parallel()
	dbURL, schema := Schema(t)
	pool := Pool(t, dbURL, schema)
	ctx := context.Background()
	if _, err := pool.Exec(ctx, "CREATE TABLE probe (id int primary key)"); err != nil {
		t.Fatalf("create table in test schema: %v", err)
	}
	var got string
	if err := pool.QueryRow(ctx, "SELECT table_schema FROM information_schema.tables WHERE table_name = 'probe' AND table_schema = $1", schema).Scan(&got); err != nil {
		t.Fatalf("table not in schema %s: %v", schema, err)
	}
	if got != schema {
		t.Fatalf("table schema = %q, want %q", got, schema)
	}
}
