package load

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/usersync/syncer/internal/pgtest"
	"github.com/usersync/syncer/internal/store"
)

// migrated returns a pool on a fresh schema holding every migration.
func migrated(t *testing.T) (*pgxpool.Pool, string) {
	t.Helper()
	dbURL, schema := pgtest.Schema(t)
	pool := pgtest.Pool(t, dbURL, schema)
	if _, err := store.New(pool, store.Config{Schema: schema}).Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return pool, schema
}

const timestamptz = "timestamp with time zone"

// The columns the merge statements write besides the declared ones
// (buildSQL), by kind, and those of history tables.
var (
	bookkeeping = map[kind][]column{
		entity: {{"row_hash", "uuid", false}, {"first_seen_at", timestamptz, false}, {"updated_at", timestamptz, false},
			{"updated_run", "bigint", true}, {"deleted_at", timestamptz, true}},
		child: {{"row_hash", "uuid", false}, {"first_seen_at", timestamptz, false}, {"updated_at", timestamptz, false},
			{"updated_run", "bigint", true}},
		segment: {{"first_seen_at", timestamptz, false}, {"updated_at", timestamptz, false}, {"updated_run", "bigint", true}},
	}
	historyBookkeeping = []column{{"row_hash", "uuid", false}, {"valid_from", timestamptz, false}, {"valid_to", timestamptz, true},
		{"run_id", "bigint", true}}
)

// relation is a table of the migrated schema as the checks need it.
type relation struct {
	partitioned bool
	partBy      string   // partitioning strategy: r(ange), l(ist), h(ash); "" when not partitioned
	partKey     []string // partition key columns (none for an expression)
	cols        map[string]relColumn
	order       []string
	uniques     [][]string // key columns of unique indexes without predicate or expression
	partUniqs   [][]string // key columns of partial unique indexes
}

type relColumn struct {
	typ       string
	nullable  bool
	generated bool
}

// readRelation reads the columns and unique indexes of schema.name from the
// catalog (plain and partitioned tables alike); nil when it does not exist.
func readRelation(ctx context.Context, db *pgxpool.Pool, schema, name string) (*relation, error) {
	var oid *uint32
	var partitioned *bool
	if err := db.QueryRow(ctx, "SELECT c.oid, c.relkind = 'p' FROM (SELECT to_regclass($1) r) x LEFT JOIN pg_class c ON c.oid = x.r",
		pgx.Identifier{schema, name}.Sanitize()).Scan(&oid, &partitioned); err != nil {
		return nil, err
	}
	if oid == nil {
		return nil, nil
	}
	rel := &relation{partitioned: *partitioned, cols: map[string]relColumn{}}
	if rel.partitioned {
		if err := db.QueryRow(ctx, `SELECT p.partstrat::text, array(
				SELECT a.attname::text FROM unnest(p.partattrs::int2[]) WITH ORDINALITY k(attnum, ord)
				JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = k.attnum ORDER BY k.ord)
			FROM pg_partitioned_table p WHERE p.partrelid = $1`, *oid).Scan(&rel.partBy, &rel.partKey); err != nil {
			return nil, err
		}
	}
	rows, err := db.Query(ctx, `SELECT a.attname, format_type(a.atttypid, a.atttypmod), NOT a.attnotnull, a.attgenerated <> ''
		FROM pg_attribute a WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum`, *oid)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var n string
		var c relColumn
		if err := rows.Scan(&n, &c.typ, &c.nullable, &c.generated); err != nil {
			return nil, err
		}
		rel.cols[n] = c
		rel.order = append(rel.order, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.Query(ctx, `SELECT i.indpred IS NOT NULL, array(
			SELECT a.attname::text FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(attnum, ord)
			JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
			WHERE k.ord <= i.indnkeyatts ORDER BY k.ord)
		FROM pg_index i WHERE i.indrelid = $1 AND i.indisunique AND i.indexprs IS NULL`, *oid)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var partial bool
		var cols []string
		if err := rows.Scan(&partial, &cols); err != nil {
			return nil, err
		}
		if partial {
			rel.partUniqs = append(rel.partUniqs, cols)
		} else {
			rel.uniques = append(rel.uniques, cols)
		}
	}
	return rel, rows.Err()
}

// schemaProblems lists where the declaration t disagrees with the migrated
// schema: a declared column the table lacks or types differently, NULL
// declared for a NOT NULL column, a column of the table no declaration
// fills, a bookkeeping column missing, a key no unique index backs, and the
// same for the history table.
func schemaProblems(ctx context.Context, db *pgxpool.Pool, schema string, t *table) ([]string, error) {
	var problems []string
	canon := map[string]string{}
	canonical := func(typ string) (string, error) {
		if c, ok := canon[typ]; ok {
			return c, nil
		}
		var c string
		if err := db.QueryRow(ctx, "SELECT format_type($1::regtype, NULL)", typ).Scan(&c); err != nil {
			return "", fmt.Errorf("type %q: %w", typ, err)
		}
		canon[typ] = c
		return c, nil
	}
	// compare checks that rel holds exactly the columns want (declared)
	// and book (bookkeeping), besides generated ones.
	compare := func(name string, rel *relation, want, book []column) error {
		known := map[string]bool{}
		for _, c := range append(slices.Clone(want), book...) {
			known[c.name] = true
			got, ok := rel.cols[c.name]
			if !ok {
				problems = append(problems, fmt.Sprintf("%s.%s: declared, but not in the table", name, c.name))
				continue
			}
			typ, err := canonical(c.typ)
			if err != nil {
				return err
			}
			if got.typ != typ {
				problems = append(problems, fmt.Sprintf("%s.%s: declared %s, the table has %s", name, c.name, typ, got.typ))
			}
			if c.null && !got.nullable {
				problems = append(problems, fmt.Sprintf("%s.%s: declared to take NULL, the column is NOT NULL", name, c.name))
			}
		}
		for _, n := range rel.order {
			if !known[n] && !rel.cols[n].generated {
				problems = append(problems, fmt.Sprintf("%s.%s: in the table, but not declared: the loader would never fill it", name, n))
			}
		}
		return nil
	}
	rel, err := readRelation(ctx, db, schema, t.name)
	if err != nil {
		return nil, err
	}
	if rel == nil {
		return []string{fmt.Sprintf("%s: not in the migrated schema", t.name)}, nil
	}
	if err := compare(t.name, rel, t.cols, bookkeeping[t.kind]); err != nil {
		return nil, err
	}
	if rel.partitioned && t.kind != segment {
		problems = append(problems, fmt.Sprintf("%s: partitioned, but only segment tables may be: the %s merge tells inserts from updates by xmax, "+
			"which Postgres cannot return from a partitioned table", t.name, t.kind))
	}
	if t.kind == segment {
		switch {
		case t.partition != "" && (rel.partBy != "r" || !slices.Equal(rel.partKey, []string{t.partition})):
			problems = append(problems, fmt.Sprintf("%s: declared partitioned by month of %s, the table is not range-partitioned by that column "+
				"(partitioned: %v, strategy %q, key %v)", t.name, t.partition, rel.partitioned, rel.partBy, rel.partKey))
		case t.partition == "" && rel.partitioned:
			problems = append(problems, fmt.Sprintf("%s: partitioned, but the declaration names no partition column: the loader would create no partition "+
				"and every insert would fail", t.name))
		}
	}
	if !slices.ContainsFunc(rel.uniques, func(u []string) bool { return slices.Equal(u, t.key) }) {
		problems = append(problems, fmt.Sprintf("%s: no unique index on exactly the key (%s), in that order", t.name, strings.Join(t.key, ", ")))
	}
	if t.history == "" {
		return problems, nil
	}
	hist, err := readRelation(ctx, db, schema, t.history)
	if err != nil {
		return nil, err
	}
	if hist == nil {
		return append(problems, fmt.Sprintf("%s: history table %s not in the migrated schema", t.name, t.history)), nil
	}
	if err := compare(t.history, hist, t.cols, historyBookkeeping); err != nil {
		return nil, err
	}
	if hist.partitioned {
		problems = append(problems, fmt.Sprintf("%s: partitioned, but a history table may not be: versions are closed by ctid, "+
			"which is unique only within a partition", t.history))
	}
	sortedKey := slices.Sorted(slices.Values(t.key))
	if !slices.ContainsFunc(hist.partUniqs, func(u []string) bool { return slices.Equal(slices.Sorted(slices.Values(u)), sortedKey) }) {
		problems = append(problems, fmt.Sprintf("%s: no partial unique index of open versions on the key (%s)", t.history, strings.Join(t.key, ", ")))
	}
	return problems, nil
}

// TestDeclarationsMatchSchema checks every declared table against a freshly
// migrated schema, so a misspelt, missing, mistyped or forgotten column
// fails here rather than quietly or on some later batch.
func TestDeclarationsMatchSchema(t *testing.T) {
	t.Parallel()
	db, schema := migrated(t)
	ctx := context.Background()
	if len(tables) == 0 {
		t.Fatal("no table declared")
	}
	for _, tb := range tables {
		problems, err := schemaProblems(ctx, db, schema, tb)
		if err != nil {
			t.Fatalf("%s: %v", tb.id(), err)
		}
		for _, p := range problems {
			t.Errorf("declaration of %s disagrees with the migrations: %s", tb.id(), p)
		}
	}
}

// TestSchemaCheckFindsMismatches feeds the check declarations that each
// disagree with the schema in one way, and expects it to say so.
func TestSchemaCheckFindsMismatches(t *testing.T) {
	t.Parallel()
	db, schema := migrated(t)
	ctx := context.Background()
	mutate := func(base *table, f func(*table)) *table {
		c := *base
		c.cols = slices.Clone(base.cols)
		c.key = slices.Clone(base.key)
		f(&c)
		return &c
	}
	setCol := func(name string, f func(*column)) func(*table) {
		return func(t *table) { f(&t.cols[t.colIndex(name)]) }
	}
	cases := []struct {
		name string
		t    *table
		want []string
	}{
		{"misspelt column", mutate(&usersTable.table, setCol("email", func(c *column) { c.name = "emial" })),
			[]string{"users.emial: declared, but not in the table", "users.email: in the table, but not declared", "users_history.emial: declared, but not in the table"}},
		{"forgotten column", mutate(&userLocationsTable.table, func(t *table) { t.cols = slices.DeleteFunc(t.cols, func(c column) bool { return c.name == "notes" }) }),
			[]string{"user_locations.notes: in the table, but not declared"}},
		{"wrong type", mutate(&usersTable.table, setCol("version", func(c *column) { c.typ = "bigint" })),
			[]string{"users.version: declared bigint, the table has integer", "users_history.version: declared bigint, the table has integer"}},
		{"short type name", mutate(&presenceTable.table, setCol("end_time", func(c *column) { c.typ = "timestamp" })),
			[]string{"user_presence_segments.end_time: declared timestamp without time zone, the table has timestamp with time zone"}},
		{"NULL into NOT NULL", mutate(&divisionsTable.table, setCol("name", func(c *column) { c.null = true })),
			[]string{"divisions.name: declared to take NULL, the column is NOT NULL"}},
		{"key out of index order", mutate(&aggregatesTable.table, func(t *table) { t.key[0], t.key[1] = t.key[1], t.key[0] }),
			[]string{"user_aggregate_days: no unique index on exactly the key (user_id, day, granularity)"}},
		{"partition column not declared", mutate(&routingTable.table, func(t *table) { t.partition = "" }),
			[]string{"user_routing_status_segments: partitioned, but the declaration names no partition column"}},
		{"wrong partition column", mutate(&presenceTable.table, func(t *table) { t.partition = "user_id" }),
			[]string{"user_presence_segments: declared partitioned by month of user_id, the table is not range-partitioned by that column"}},
		{"array column as a scalar", mutate(&aggregatesTable.table, setCol("sums", func(c *column) { c.typ = "double precision" })),
			[]string{"user_aggregate_days.sums: declared double precision, the table has double precision[]"}},
		{"missing history", mutate(&userSkillsTable.table, func(t *table) { t.history = "user_skill_history" }),
			[]string{"user_skills: history table user_skill_history not in the migrated schema"}},
		{"history of the wrong table", mutate(&userLanguagesTable.table, func(t *table) { t.history = "user_skills_history" }),
			[]string{"user_skills_history.language_id: declared, but not in the table", "user_skills_history.skill_id: in the table, but not declared"}},
		{"missing bookkeeping", mutate(&presenceTable.table, func(t *table) { t.kind = entity }),
			[]string{"user_presence_segments.row_hash: declared, but not in the table", "user_presence_segments.deleted_at: declared, but not in the table"}},
		{"missing table", mutate(&routingTable.table, func(t *table) { t.name = "user_routing_segments" }),
			[]string{"user_routing_segments: not in the migrated schema"}},
	}
	for _, tc := range cases {
		problems, err := schemaProblems(ctx, db, schema, tc.t)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		for _, w := range tc.want {
			if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, w) }) {
				t.Errorf("%s: the check did not report %q; it reported:\n  %s", tc.name, w, strings.Join(problems, "\n  "))
			}
		}
	}
}

// TestPartitionsCreatedAhead loads segments over three months into a fresh
// schema: the loader creates each month's partition, and the month after,
// before the rows go in (a first window straight into the partitions, a
// reload closing the open segments through the partitioned key); a BI
// reader is not blocked by a Tx adding a month; and a Tx that rolls back
// leaves none of the months it added.
func TestPartitionsCreatedAhead(t *testing.T) {
	t.Parallel()
	db, schema := migrated(t)
	ctx := context.Background()
	months := func(table string) []string {
		t.Helper()
		rows, err := db.Query(ctx, `SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
			WHERE i.inhparent = $1::regclass ORDER BY 1`, pgx.Identifier{schema, table}.Sanitize())
		if err != nil {
			t.Fatal(err)
		}
		names, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	before := months("user_presence_segments") // the migration's: the current month
	l := New(db, Config{Schema: schema})
	base := time.Date(2026, 10, 31, 23, 0, 0, 0, time.UTC)
	var rows []PresenceSegmentRow
	for i := range 12 { // from Oct 31 to Dec 10: three months
		start := base.Add(time.Duration(i*i) * 8 * time.Hour)
		r := PresenceSegmentRow{UserID: fmt.Sprintf("u%d", i%3), Start: start, SystemPresence: "AVAILABLE"}
		if i%2 == 0 {
			r.End = start.Add(time.Hour)
		}
		rows = append(rows, r)
	}
	load := func(rows []PresenceSegmentRow) TableStats {
		t.Helper()
		tx, err := l.Begin(ctx, Stream{Pipeline: "p", Name: "presence"})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if err := tx.PresenceSegments(ctx, rows); err != nil {
			t.Fatal(err)
		}
		// A BI reader of the table goes on while the Tx holds the months it added.
		conn, err := db.Acquire(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Release()
		var n int
		if err := pgx.BeginFunc(ctx, conn, func(rd pgx.Tx) error {
			if _, err := rd.Exec(ctx, "SET LOCAL lock_timeout = '5s'"); err != nil {
				return err
			}
			return rd.QueryRow(ctx, "SELECT count(*) FROM user_presence_segments").Scan(&n)
		}); err != nil {
			t.Fatalf("a reader during a load that adds months: %v", err)
		}
		st, err := tx.Commit(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st["user_presence_segments"]
	}
	if got := load(rows); got != (TableStats{Inserted: 12}) {
		t.Errorf("first window: %+v, want 12 inserted", got)
	}
	want := []string{"user_presence_segments_2026_10", "user_presence_segments_2026_11", "user_presence_segments_2026_12", "user_presence_segments_2027_01"}
	for _, m := range before {
		if !slices.Contains(want, m) {
			want = append(want, m)
		}
	}
	slices.Sort(want)
	if d := cmp.Diff(want, months("user_presence_segments")); d != "" {
		t.Errorf("partitions (-want +got):\n%s", d)
	}
	for i := range rows {
		if rows[i].End.IsZero() {
			rows[i].End = rows[i].Start.Add(2 * time.Hour)
		}
	}
	if got := load(rows); got != (TableStats{Updated: 6, Unchanged: 6}) {
		t.Errorf("reload closing the open segments: %+v, want 6 updated, 6 unchanged", got)
	}
	var parts, open int
	if err := db.QueryRow(ctx, `SELECT count(DISTINCT tableoid), count(*) FILTER (WHERE end_time IS NULL) FROM user_presence_segments`).Scan(&parts, &open); err != nil {
		t.Fatal(err)
	}
	if parts != 3 || open != 0 {
		t.Errorf("segments in %d partitions with %d open, want 3 partitions and none open", parts, open)
	}

	// A Tx that rolls back takes its new months with it.
	tx, err := l.Begin(ctx, Stream{Pipeline: "p", Name: "routing"})
	if err != nil {
		t.Fatal(err)
	}
	if err := tx.RoutingStatusSegments(ctx, []RoutingStatusSegmentRow{{UserID: "u1", Start: time.Date(2031, 5, 1, 0, 0, 0, 0, time.UTC), RoutingStatus: "IDLE"}}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	for _, m := range months("user_routing_status_segments") {
		if strings.HasPrefix(m, "user_routing_status_segments_2031") {
			t.Errorf("partition %s outlived the Tx that created it", m)
		}
	}
}

// TestSchemaCheckRefusesPartitionedEntitiesAndHistory: the entity and child
// merges, and the closing of history versions, need plain tables; a
// migration partitioning one fails the declaration check.
func TestSchemaCheckRefusesPartitionedEntitiesAndHistory(t *testing.T) {
	t.Parallel()
	db, schema := migrated(t)
	ctx := context.Background()
	_, err := db.Exec(ctx, `DROP TABLE user_queues, user_queues_history CASCADE;
		CREATE TABLE user_queues (user_id text NOT NULL, queue_id text NOT NULL, joined boolean NOT NULL DEFAULT false,
			row_hash uuid NOT NULL, first_seen_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, updated_run bigint,
			PRIMARY KEY (user_id, queue_id)) PARTITION BY HASH (user_id);
		CREATE TABLE user_queues_0 PARTITION OF user_queues FOR VALUES WITH (MODULUS 2, REMAINDER 0);
		CREATE TABLE user_queues_1 PARTITION OF user_queues FOR VALUES WITH (MODULUS 2, REMAINDER 1);
		CREATE TABLE user_queues_history (user_id text NOT NULL, queue_id text NOT NULL, joined boolean NOT NULL,
			row_hash uuid NOT NULL, valid_from timestamptz NOT NULL, valid_to timestamptz, run_id bigint,
			PRIMARY KEY (user_id, queue_id, valid_from)) PARTITION BY HASH (user_id);
		CREATE UNIQUE INDEX user_queues_history_current_idx ON user_queues_history (user_id, queue_id) WHERE valid_to IS NULL;
		CREATE TABLE user_queues_history_0 PARTITION OF user_queues_history FOR VALUES WITH (MODULUS 2, REMAINDER 0);
		CREATE TABLE user_queues_history_1 PARTITION OF user_queues_history FOR VALUES WITH (MODULUS 2, REMAINDER 1)`)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := schemaProblems(ctx, db, schema, &userQueuesByUserTable.table)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"user_queues: partitioned, but only segment tables may be", "user_queues_history: partitioned, but a history table may not be"} {
		if !slices.ContainsFunc(problems, func(p string) bool { return strings.HasPrefix(p, w) }) {
			t.Errorf("the check did not report %q; it reported:\n  %s", w, strings.Join(problems, "\n  "))
		}
	}
	if len(problems) != 2 {
		t.Errorf("got %d problems, want the 2 about partitioning:\n  %s", len(problems), strings.Join(problems, "\n  "))
	}
}

// TestANewTableIsADeclarationAndAMigration follows "Adding a table" in
// doc.go for a table keyed by a time, with history: the migration below and
// one declaration are all the loader needs.
func TestANewTableIsADeclarationAndAMigration(t *testing.T) {
	t.Parallel()
	db, schema := migrated(t)
	ctx := context.Background()
	_, err := db.Exec(ctx, `CREATE TABLE user_leaves (
			user_id text NOT NULL CHECK (user_id <> ''), start_time timestamptz NOT NULL, end_time timestamptz, note text,
			row_hash uuid NOT NULL, first_seen_at timestamptz NOT NULL, updated_at timestamptz NOT NULL, updated_run bigint,
			PRIMARY KEY (user_id, start_time));
		CREATE TABLE user_leaves_history (
			user_id text NOT NULL, start_time timestamptz NOT NULL, end_time timestamptz, note text,
			row_hash uuid NOT NULL, valid_from timestamptz NOT NULL, valid_to timestamptz, run_id bigint,
			PRIMARY KEY (user_id, start_time, valid_from));
		CREATE UNIQUE INDEX user_leaves_history_current_idx ON user_leaves_history (user_id, start_time) WHERE valid_to IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	type leaveRow struct {
		UserID     string
		Start, End time.Time
		Note       string
	}
	lv, err := newTable(table{name: "user_leaves", kind: child, owner: "user_id", key: []string{"user_id", "start_time"},
		history: "user_leaves_history"},
		text("user_id", func(r *leaveRow) string { return r.UserID }),
		timestamp("start_time", func(r *leaveRow) time.Time { return r.Start }),
		optTimestamp("end_time", func(r *leaveRow) time.Time { return r.End }),
		optText("note", func(r *leaveRow) string { return r.Note }),
	)
	if err != nil {
		t.Fatal(err)
	}
	problems, err := schemaProblems(ctx, db, schema, &lv.table)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("declaration disagrees with its migration: %s", p)
	}

	l := New(db, Config{Schema: schema})
	l.sql[&lv.table] = buildSQL(l.schema, &lv.table) // what New does for a declared table
	load := func(rows []leaveRow) TableStats {
		t.Helper()
		tx, err := l.Begin(ctx, Stream{Pipeline: "p", Name: "leaves", Snapshot: true})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if err := loadRows(ctx, tx, lv, []string{"u1", "u2"}, rows); err != nil {
			t.Fatal(err)
		}
		st, err := tx.Commit(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		return st["user_leaves"]
	}
	at := time.Date(2026, 12, 21, 0, 0, 0, 0, time.UTC)
	rows := []leaveRow{
		{UserID: "u1", Start: at, End: at.Add(72 * time.Hour), Note: "Holiday"},
		{UserID: "u1", Start: at.Add(240 * time.Hour)},
		{UserID: "u2", Start: at, End: at.Add(24 * time.Hour)},
	}
	if got := load(rows); got != (TableStats{Inserted: 3}) {
		t.Errorf("first load: %+v, want 3 inserted", got)
	}
	if got := load(rows); got != (TableStats{Unchanged: 3}) {
		t.Errorf("identical reload: %+v, want 3 unchanged", got)
	}
	rows[0].End = rows[0].End.Add(24 * time.Hour)
	if got := load(rows[:1:1]); got != (TableStats{Updated: 1, Deleted: 2}) {
		t.Errorf("one period longer, the others gone: %+v, want 1 updated, 2 deleted", got)
	}
	var versions, open int
	if err := db.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE valid_to IS NULL) FROM user_leaves_history`).Scan(&versions, &open); err != nil {
		t.Fatal(err)
	}
	if versions != 4 || open != 1 {
		t.Errorf("history holds %d versions, %d open; want 4, 1 open", versions, open)
	}
}
