package load

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// A table is declared once, in tables.go, with declare: its merge kind, key
// and history table, and its data columns, each bound to the field of the
// row type its value is taken from. The COPY column order, the staging
// tables, every merge and history statement (buildSQL) and the values of each
// COPY row (tableOf.fill) all come from that one declaration;
// TestDeclarationsMatchSchema compares it with a freshly migrated schema.

// kind says how a table is merged.
type kind int

const (
	// entity: keyed by id; soft-deleted (deleted_at) when it vanishes from a
	// complete snapshot; reappearing clears deleted_at.
	entity kind = iota
	// child: a list belonging to an owner (a user, or a queue); a batch
	// carries the complete list of every owner it names, so rows of those
	// owners missing from the batch are deleted.
	child
	// segment: upserted by key, never deleted, no history and no row_hash
	// (a row is rewritten only when a value differs): analytics segments
	// and aggregates, and records that stay once seen (out-of-office
	// periods, development activities).
	segment
)

func (k kind) String() string {
	switch k {
	case entity:
		return "entity"
	case child:
		return "child"
	case segment:
		return "segment"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// column is one data column as the SQL sees it.
type column struct {
	name string
	typ  string // SQL type, as Postgres's format_type spells it
	null bool   // the loader may write NULL into it
}

// col binds a column to the value it takes from a row of type R.
type col[R any] struct {
	column
	get func(*R) any
}

// The column constructors fix, for each Go type a row field may have, the
// SQL type, whether the column may receive NULL, and the Go value staged: one
// of the types rowHash encodes (changing which one changes every stored
// row_hash). The opt forms store the zero value ("", zero time, nil) as NULL.

// text is a text column that is never NULL ("" is stored as "").
func text[R any](name string, get func(*R) string) col[R] {
	return col[R]{column{name, "text", false}, func(r *R) any { return get(r) }}
}

// optText is a text column storing "" as NULL.
func optText[R any](name string, get func(*R) string) col[R] {
	return col[R]{column{name, "text", true}, func(r *R) any { return nullString(get(r)) }}
}

// boolean is a boolean column.
func boolean[R any](name string, get func(*R) bool) col[R] {
	return col[R]{column{name, "boolean", false}, func(r *R) any { return get(r) }}
}

// integer is an integer (int4) column.
func integer[R any](name string, get func(*R) int) col[R] {
	return col[R]{column{name, "integer", false}, func(r *R) any { return int32(get(r)) }}
}

// double is a double precision column.
func double[R any](name string, get func(*R) float64) col[R] {
	return col[R]{column{name, "double precision", false}, func(r *R) any { return get(r) }}
}

// optDouble is a double precision column storing nil as NULL.
func optDouble[R any](name string, get func(*R) *float64) col[R] {
	return col[R]{column{name, "double precision", true}, func(r *R) any {
		if p := get(r); p != nil {
			return *p
		}
		return nil
	}}
}

// optBigint is a bigint column storing nil as NULL.
func optBigint[R any](name string, get func(*R) *int64) col[R] {
	return col[R]{column{name, "bigint", true}, func(r *R) any {
		if p := get(r); p != nil {
			return *p
		}
		return nil
	}}
}

// optBool is a boolean column storing nil as NULL.
func optBool[R any](name string, get func(*R) *bool) col[R] {
	return col[R]{column{name, "boolean", true}, func(r *R) any {
		if p := get(r); p != nil {
			return *p
		}
		return nil
	}}
}

// timestamp is a timestamp with time zone column that is never NULL.
func timestamp[R any](name string, get func(*R) time.Time) col[R] {
	return col[R]{column{name, "timestamp with time zone", false}, func(r *R) any { return get(r) }}
}

// optTimestamp is a timestamp with time zone column storing the zero time
// as NULL.
func optTimestamp[R any](name string, get func(*R) time.Time) col[R] {
	return col[R]{column{name, "timestamp with time zone", true}, func(r *R) any { return nullTime(get(r)) }}
}

// date is a date column that is never NULL (the UTC calendar day of the
// time).
func date[R any](name string, get func(*R) time.Time) col[R] {
	return col[R]{column{name, "date", false}, func(r *R) any { return get(r) }}
}

// optDate is a date column storing the zero time as NULL. The day is the
// time's calendar day in its own location (as pgx writes a date), staged
// as midnight UTC of that day, so two times of one day hash alike.
func optDate[R any](name string, get func(*R) time.Time) col[R] {
	return col[R]{column{name, "date", true}, func(r *R) any {
		t := get(r)
		if t.IsZero() {
			return nil
		}
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	}}
}

// sortedTexts is a text[] column holding a set: its elements are stored in
// byte order, so the order the API lists them in never reads as a change,
// and no elements as an empty array, never NULL.
func sortedTexts[R any](name string, get func(*R) []string) col[R] {
	return col[R]{column{name, "text[]", false}, func(r *R) any {
		v := get(r)
		out := make([]string, len(v))
		copy(out, v)
		slices.Sort(out)
		return out
	}}
}

// The array constructors are the columns of packed tables (see
// table.entries): one element per entry, the array itself never NULL.

// timestamps is a timestamp with time zone[] column.
func timestamps[R any](name string, get func(*R) []time.Time) col[R] {
	return col[R]{column{name, "timestamp with time zone[]", false}, func(r *R) any { return get(r) }}
}

// texts is a text[] column.
func texts[R any](name string, get func(*R) []string) col[R] {
	return col[R]{column{name, "text[]", false}, func(r *R) any { return get(r) }}
}

// optDoubles is a double precision[] column whose nil elements are NULL.
func optDoubles[R any](name string, get func(*R) []*float64) col[R] {
	return col[R]{column{name, "double precision[]", false}, func(r *R) any { return get(r) }}
}

// optBigints is a bigint[] column whose nil elements are NULL.
func optBigints[R any](name string, get func(*R) []*int64) col[R] {
	return col[R]{column{name, "bigint[]", false}, func(r *R) any { return get(r) }}
}

// optJSON is a jsonb column storing an absent document as NULL.
func optJSON[R any](name string, get func(*R) json.RawMessage) col[R] {
	return col[R]{column{name, "jsonb", true}, func(r *R) any { return nullJSON(get(r)) }}
}

// table is what the merge needs of a declared table; declare fills cols.
type table struct {
	name    string
	kind    kind
	cols    []column // data columns, in COPY order
	key     []string // natural key, a subset of cols, in the order of its index
	history string   // SCD2 history table with the same data columns, or ""
	// owner is the column naming a child row's owner (child tables only);
	// staging and seen-owner tables are per table and owner column.
	owner string
	// segment tables: columns set on update and how (SQL expressions over t
	// and EXCLUDED); and the columns compared to detect a change.
	setExprs map[string]string
	// partition names the column a segment table is range-partitioned by,
	// one partition per UTC month (a key column, as Postgres requires of a
	// partitioned primary key): before a batch is written, the loader
	// creates the months it needs and the one after its last
	// (ensure_month_partition, in the batch's transaction).
	partition string
	// entries makes a segment table packed: every column but the key is an
	// array with one element per entry, and entries names the arrays that
	// key an entry within its row. A batch row is merged into the stored row
	// entry by entry (new entries added, changed ones replaced, the others
	// kept), and the Tx counts entries, not rows.
	entries []string
	// view is the relation BI reads a packed table through, one row per
	// entry: the Tx's stats are kept under its name.
	view string
	// appended names the first of the columns added to a hashed table after
	// a release stored its rows (they and every column after it, all
	// nullable, last in COPY order). While each of them is NULL, rowHash
	// leaves them out, so a row that has none of them hashes as it did
	// before they existed: an upgrade rewrites no row and opens no history
	// version. A row with any of them set hashes them all.
	appended string
	// rollup names the daily table the closed segments of a segment table
	// are summed into per user, UTC day and rollupValue (a column of the
	// table, and of the rollup), kept by the Tx (rollup.go); the table has
	// user_id, start_time and end_time.
	rollup, rollupValue string
}

// tableOf is a table loaded from rows of type R.
type tableOf[R any] struct {
	table
	get []func(*R) any // the value of each column, in the order of cols
}

// tables lists every declared table, in declaration order; New builds the
// statements of each.
var tables []*table

// declare returns the table t with the columns cols, in COPY order, and
// registers it. An inconsistent declaration panics when the package
// initializes, so no binary or test runs with it.
func declare[R any](t table, cols ...col[R]) *tableOf[R] {
	d, err := newTable(t, cols...)
	if err != nil {
		panic("load: " + err.Error())
	}
	for _, o := range tables {
		if o.id() == d.id() {
			panic(fmt.Sprintf("load: table %s declared twice", d.id()))
		}
	}
	tables = append(tables, &d.table)
	return d
}

// newTable returns the table t with the columns cols, in COPY order, or
// what makes it unusable.
func newTable[R any](t table, cols ...col[R]) (*tableOf[R], error) {
	d := &tableOf[R]{table: t}
	d.cols = make([]column, len(cols))
	d.get = make([]func(*R) any, len(cols))
	for i, c := range cols {
		d.cols[i], d.get[i] = c.column, c.get
	}
	if err := d.table.validate(); err != nil {
		return nil, err
	}
	return d, nil
}

// fill returns the COPY values of rows: fill(i, v) sets v[j] to column j of
// row i.
func (t *tableOf[R]) fill(rows []R) func(int, []any) {
	get := t.get
	return func(i int, v []any) {
		r := &rows[i]
		for j, g := range get {
			v[j] = g(r)
		}
	}
}

// validate reports what makes a declaration unusable by the merge.
func (t *table) validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("table %s: "+format, append([]any{t.name}, args...)...))
	}
	if t.name == "" {
		bad("no name")
	}
	if len(t.cols) == 0 {
		bad("no columns")
	}
	seen := map[string]bool{}
	for _, c := range t.cols {
		switch {
		case c.name == "":
			bad("a column has no name")
		case seen[c.name]:
			bad("column %s declared twice", c.name)
		}
		seen[c.name] = true
	}
	if len(t.key) == 0 {
		bad("no key")
	}
	for i, k := range t.key {
		if c, ok := t.col(k); !ok {
			bad("key column %s is not declared", k)
		} else if c.null {
			bad("key column %s may be NULL", k)
		} else if c.typ != "text" && c.typ != "timestamp with time zone" && c.typ != "date" {
			// The fast paths (insertFresh, insertNew) read keys of these types.
			bad("key column %s is %s; keys are text, timestamp with time zone or date", k, c.typ)
		}
		if slices.Contains(t.key[:i], k) {
			bad("key column %s repeated", k)
		}
	}
	switch {
	case t.kind == child && t.owner == "":
		bad("a child table needs an owner column")
	case t.kind != child && t.owner != "":
		bad("only child tables have an owner column")
	case t.owner != "":
		if c, ok := t.col(t.owner); !ok || c.typ != "text" || c.null || !t.isKey(t.owner) {
			bad("owner %s must be a key column of type text, never NULL", t.owner)
		}
	}
	if t.appended != "" {
		i := slices.IndexFunc(t.cols, func(c column) bool { return c.name == t.appended })
		switch {
		case !t.hashed():
			bad("appended columns only matter to hashed tables")
		case i < 0:
			bad("appended column %s is not declared", t.appended)
		default:
			for _, c := range t.cols[i:] {
				if !c.null || t.isKey(c.name) {
					bad("appended column %s must take NULL and not be a key column", c.name)
				}
			}
		}
	}
	if t.rollup != "" {
		typed := func(name, typ string, null bool) bool {
			c, ok := t.col(name)
			return ok && c.typ == typ && c.null == null
		}
		switch {
		case t.kind != segment || len(t.entries) > 0:
			bad("only plain segment tables have a rollup")
		case !typed("user_id", "text", false) || !typed("start_time", "timestamp with time zone", false) || !typed("end_time", "timestamp with time zone", true):
			bad("a table with a rollup has user_id text, start_time and end_time timestamp with time zone (end_time may be NULL)")
		case !typed(t.rollupValue, "text", false) || t.isKey(t.rollupValue):
			bad("rollup value %q is not a text column outside the key", t.rollupValue)
		case !t.isKey("user_id") || !t.isKey("start_time") || len(t.key) != 2:
			bad("a table with a rollup is keyed by user_id and start_time")
		}
	}
	if t.history != "" && t.kind == segment {
		bad("segment tables keep no history")
	}
	if len(t.setExprs) > 0 && t.kind != segment {
		bad("only segment tables set columns by expression")
	}
	for c := range t.setExprs {
		if _, ok := t.col(c); !ok || t.isKey(c) {
			bad("set expression for %s, which is not a declared non-key column", c)
		}
	}
	if t.partition != "" {
		c, ok := t.col(t.partition)
		switch {
		case t.kind != segment:
			// Entity and child merges tell inserts from updates by xmax and
			// close history versions by ctid: neither works across partitions.
			bad("only segment tables may be partitioned")
		case !ok || !t.isKey(t.partition):
			bad("partition column %s must be a key column", t.partition)
		case c.typ != "timestamp with time zone" && c.typ != "date":
			bad("partition column %s is %s; months partition a timestamp with time zone or a date", t.partition, c.typ)
		}
	}
	if len(t.entries) > 0 {
		if t.kind != segment {
			bad("only segment tables are packed")
		}
		if len(t.setExprs) > 0 {
			bad("a packed table merges entries; it sets no column by expression")
		}
		for _, c := range t.cols {
			if !t.isKey(c.name) && !strings.HasSuffix(c.typ, "[]") {
				bad("packed table column %s is %s; every column but the key holds one element per entry", c.name, c.typ)
			}
		}
		for _, e := range t.entries {
			if c, ok := t.col(e); !ok || t.isKey(e) || !strings.HasSuffix(c.typ, "[]") {
				bad("entry key %s is not a declared array column", e)
			}
		}
	} else if t.view != "" {
		bad("only packed tables are read through a view")
	}
	return errors.Join(errs...)
}

// id names the staging objects of the table: user_queues is staged apart
// per owner column.
func (t *table) id() string {
	if t.kind == child {
		return t.name + "__" + t.owner
	}
	return t.name
}

// statsName is the name the Tx's stats give the table: its view for a
// packed table, else its own.
func (t *table) statsName() string { return cmp.Or(t.view, t.name) }

// hashed tables carry row_hash, computed by the loader.
func (t *table) hashed() bool { return t.kind != segment }

// hashTail is the index of the first appended column (see appended), or
// the number of columns when there is none.
func (t *table) hashTail() int {
	if t.appended == "" {
		return len(t.cols)
	}
	return t.colIndex(t.appended)
}

func (t *table) colNames() []string {
	out := make([]string, len(t.cols))
	for i, c := range t.cols {
		out[i] = c.name
	}
	return out
}

func (t *table) col(name string) (column, bool) {
	if i := slices.IndexFunc(t.cols, func(c column) bool { return c.name == name }); i >= 0 {
		return t.cols[i], true
	}
	return column{}, false
}

// colIndex returns the position of a column; validate made sure the key and
// owner columns exist.
func (t *table) colIndex(name string) int {
	i := slices.IndexFunc(t.cols, func(c column) bool { return c.name == name })
	if i < 0 {
		panic("load: no column " + name + " in " + t.name)
	}
	return i
}

func (t *table) isKey(name string) bool { return slices.Contains(t.key, name) }

// sqlText holds the statements of one table, built once per schema.
type sqlText struct {
	stageName string // pg_temp staging table
	chgName   string // pg_temp changed rows (entity, child)
	seenName  string // pg_temp seen keys (entity) or owners (child)

	createStage string
	createChg   string
	createSeen  string

	findChanged  string // stage -> chg: candidates, new or different
	upsertFromCh string // chg -> current ($1 ts, $2 run), marks chg.applied
	closeHistory string // ($1 ts)
	openHistory  string // ($1 ts, $2 run)
	analyzeChg   string // fresh statistics, so joins on chg probe indexes
	countChanged string // inserted, updated by the upsert
	removeOwned  string // child: ($1 owners[, $2 ts with history])
	markSeen     string // entity: stage keys; child: ($1 owners)
	upsertDirect string // segment: stage -> current ($1 ts, $2 run), returns inserted, updated
	anyExisting  string // does any key of the batch ($1.. key arrays) exist?
	stageExists  string // entity: does any staged key exist? child: does any owner ($1) have rows?
	insertFresh  string // entity, child: stage -> current and history, new keys only ($1 ts, $2 run); returns inserted
	countOwned   string // child: rows of the owners ($1)
	maxLeadKey   string // segment: the latest time of the table (its key leads with it)
	ensureParts  string // partitioned: create the months ($2 first days) of the table ($1) that are missing
	relName      string // the table, schema-qualified, as $1 of ensureParts
	// with a rollup (rollup.go): the rollup, schema-qualified, and the
	// statements adding a batch's differences to it and deleting the rows
	// left with no segment; upsertDirect then also returns the old and new
	// values of the segments it changed.
	rollupRel   string
	rollupApply string
	rollupPrune string
	finishSnap  string // entity ($1 ts, $2 run); child ([$1 ts with history]); returns deleted count
}

func buildSQL(schema string, t *table) sqlText {
	q := func(name string) string { return pgx.Identifier{schema, name}.Sanitize() }
	ident := func(name string) string { return pgx.Identifier{name}.Sanitize() }
	names := t.colNames()
	list := func(prefix string, cs []string) string {
		parts := make([]string, len(cs))
		for i, c := range cs {
			parts[i] = prefix + ident(c)
		}
		return strings.Join(parts, ", ")
	}
	eqKeys := func(a, b string) string {
		parts := make([]string, len(t.key))
		for i, k := range t.key {
			parts[i] = a + "." + ident(k) + " = " + b + "." + ident(k)
		}
		return strings.Join(parts, " AND ")
	}
	var defs []string
	for _, c := range t.cols {
		defs = append(defs, ident(c.name)+" "+c.typ)
	}
	s := sqlText{
		stageName: pgx.Identifier{"pg_temp", "_stage_" + t.id()}.Sanitize(),
		chgName:   pgx.Identifier{"pg_temp", "_chg_" + t.id()}.Sanitize(),
		seenName:  pgx.Identifier{"pg_temp", "_seen_" + t.id()}.Sanitize(),
	}
	target := q(t.name)
	selected := list("", names)
	if t.hashed() {
		// row_hash is computed by the loader (rowHash) and staged with the row.
		s.createStage = fmt.Sprintf("CREATE TEMP TABLE %s (_ord integer, %s, row_hash uuid) ON COMMIT DROP", s.stageName, strings.Join(defs, ", "))
		selected += ", row_hash"
	} else {
		s.createStage = fmt.Sprintf("CREATE TEMP TABLE %s (_ord integer, %s) ON COMMIT DROP", s.stageName, strings.Join(defs, ", "))
	}
	dedup := fmt.Sprintf("SELECT DISTINCT ON (%s) %s FROM %s ORDER BY %s, _ord DESC",
		list("", t.key), selected, s.stageName, list("", t.key))
	// The LATERAL ... LIMIT 1 cannot be flattened into a join, so each key
	// costs one primary-key probe, never a scan of the table.
	var unnest, kcols, match []string
	for i, k := range t.key {
		unnest = append(unnest, fmt.Sprintf("$%d::%s[]", i+1, t.cols[t.colIndex(k)].typ))
		kcols = append(kcols, fmt.Sprintf("k%d", i))
		match = append(match, fmt.Sprintf("t.%s = k.k%d", ident(k), i))
	}
	s.anyExisting = fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM unnest(%s) k(%s), LATERAL (SELECT 1 FROM %s t WHERE %s LIMIT 1) x)`,
		strings.Join(unnest, ", "), strings.Join(kcols, ", "), target, strings.Join(match, " AND "))
	if t.kind == segment {
		// Segment keys arrive mostly after everything stored: a key beyond
		// the table's greatest (in the key index's own order and collation)
		// cannot exist, so only the others cost a probe.
		var desc, kk []string
		for i, k := range t.key {
			desc = append(desc, ident(k)+" DESC")
			kk = append(kk, fmt.Sprintf("k.k%d", i))
		}
		s.anyExisting = fmt.Sprintf(`WITH m AS (SELECT %s FROM %s ORDER BY %s LIMIT 1)
SELECT EXISTS (SELECT 1 FROM unnest(%s) k(%s), m, LATERAL (SELECT 1 FROM %s t WHERE %s LIMIT 1) x WHERE (%s) <= (%s))`,
			list("", t.key), target, strings.Join(desc, ", "), strings.Join(unnest, ", "), strings.Join(kcols, ", "), target,
			strings.Join(match, " AND "), strings.Join(kk, ", "), list("m.", t.key))
	}

	if t.partition != "" || t.rollup != "" {
		s.relName = target
		s.ensureParts = fmt.Sprintf("SELECT count(%s($1::regclass, m)) FROM unnest($2::date[]) m", q("ensure_month_partition"))
	}

	switch t.kind {
	case entity, child:
		// chg holds the candidates (new or different from the committed
		// state); the upsert marks those it really wrote (applied) and
		// whether it inserted them. Only the upsert decides, under row
		// locks, so a concurrent Tx loading the same keys cannot make this
		// one open a second current history version.
		s.createChg = fmt.Sprintf("CREATE TEMP TABLE %s (%s, row_hash uuid, is_new boolean, applied boolean NOT NULL DEFAULT false) ON COMMIT DROP", s.chgName, strings.Join(defs, ", "))
		changed := "cur.row_hash IS DISTINCT FROM s.row_hash"
		curCols := "t.row_hash"
		if t.kind == entity {
			changed += " OR cur.deleted_at IS NOT NULL"
			curCols += ", t.deleted_at"
		}
		// One primary-key probe per staged row (LATERAL ... LIMIT 1 is never
		// flattened into a join): a plain join let the planner scan the whole
		// table for every batch, so a run that changed nothing cost more the
		// larger the table grew. row_hash is NOT NULL: a NULL cur.row_hash
		// means no current row.
		s.findChanged = fmt.Sprintf(`INSERT INTO %s (%s, row_hash, is_new)
SELECT %s, s.row_hash, cur.row_hash IS NULL
FROM (%s) s
LEFT JOIN LATERAL (SELECT %s FROM %s t WHERE %s LIMIT 1) cur ON true
WHERE cur.row_hash IS NULL OR %s`,
			s.chgName, list("", names), list("s.", names), dedup, curCols, target, eqKeys("t", "s"), changed)
		var sets []string
		for _, c := range names {
			if !t.isKey(c) {
				sets = append(sets, ident(c)+" = EXCLUDED."+ident(c))
			}
		}
		sets = append(sets, "row_hash = EXCLUDED.row_hash", "updated_at = EXCLUDED.updated_at", "updated_run = EXCLUDED.updated_run")
		if t.kind == entity {
			sets = append(sets, "deleted_at = NULL")
		}
		applyWhere := "t.row_hash IS DISTINCT FROM EXCLUDED.row_hash"
		if t.kind == entity {
			applyWhere += " OR t.deleted_at IS NOT NULL"
		}
		s.upsertFromCh = fmt.Sprintf(`WITH up AS (
INSERT INTO %s AS t (%s, row_hash, first_seen_at, updated_at, updated_run)
SELECT %s, row_hash, $1, $1, $2 FROM %s
ON CONFLICT (%s) DO UPDATE SET %s
WHERE %s
RETURNING %s, (t.xmax = 0) AS inserted)
UPDATE %s c SET applied = true, is_new = up.inserted FROM up WHERE %s`,
			target, list("", names), list("", names), s.chgName, list("", t.key), strings.Join(sets, ", "),
			applyWhere, list("t.", t.key), s.chgName, eqKeys("c", "up"))
		s.analyzeChg = "ANALYZE " + s.chgName
		// The fresh path: a batch none of whose keys (entity) or owners
		// (child) exist is inserted straight from the stage, history opened
		// from what the insert returns. DO NOTHING keeps it safe against a
		// concurrent Tx inserting the same keys: those rows are skipped and
		// the merge takes them.
		openFresh := ""
		if t.history != "" {
			openFresh = fmt.Sprintf(`, h AS (INSERT INTO %s (%s, row_hash, valid_from, valid_to, run_id) SELECT %s, row_hash, $1, NULL, $2 FROM ins)`,
				q(t.history), list("", names), list("", names))
		}
		s.insertFresh = fmt.Sprintf(`WITH ins AS (
INSERT INTO %s AS t (%s, row_hash, first_seen_at, updated_at, updated_run)
SELECT %s, row_hash, $1, $1, $2 FROM %s
ON CONFLICT (%s) DO NOTHING
RETURNING %s, row_hash)%s
SELECT count(*) FROM ins`, target, list("", names), list("", names), s.stageName, list("", t.key), list("", names), openFresh)
		if t.kind == entity {
			s.stageExists = fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM %s s, LATERAL (SELECT 1 FROM %s t WHERE %s LIMIT 1) x)`,
				s.stageName, target, eqKeys("t", "s"))
		} else {
			s.stageExists = fmt.Sprintf(`SELECT EXISTS (SELECT 1 FROM unnest($1::text[]) o(owner), LATERAL (SELECT 1 FROM %s t WHERE t.%s = o.owner LIMIT 1) x)`,
				target, ident(t.owner))
			s.countOwned = fmt.Sprintf(`SELECT coalesce(sum(x.n), 0)::bigint FROM unnest($1::text[]) o(owner), LATERAL (SELECT count(*) n FROM %s t WHERE t.%s = o.owner) x`,
				target, ident(t.owner))
		}
		s.countChanged = fmt.Sprintf("SELECT count(*) FILTER (WHERE applied AND is_new), count(*) FILTER (WHERE applied AND NOT is_new) FROM %s", s.chgName)
		// closeGone closes the open history versions of the keys a CTE d
		// removed, at the time parameter ts. Each removed key costs one probe
		// of the open-versions index, and none removed costs nothing: a join
		// of d with the history lets the planner, guessing d's size, read and
		// sort every open version of the table for an empty d (390 ms a batch
		// on 190k skills in a run that changed nothing).
		closeGone := func(ts string) string {
			return fmt.Sprintf(`, c AS (UPDATE %s h SET valid_to = %s WHERE h.ctid = ANY (ARRAY(
  SELECT x.ctid FROM d, LATERAL (SELECT h2.ctid FROM %s h2 WHERE %s AND h2.valid_to IS NULL LIMIT 1) x)))`,
				q(t.history), ts, q(t.history), eqKeys("h2", "d"))
		}
		if t.history != "" {
			s.closeHistory = fmt.Sprintf(`UPDATE %s h SET valid_to = $1 FROM %s c WHERE %s AND h.valid_to IS NULL AND c.applied AND NOT c.is_new`,
				q(t.history), s.chgName, eqKeys("h", "c"))
			s.openHistory = fmt.Sprintf(`INSERT INTO %s (%s, row_hash, valid_from, valid_to, run_id) SELECT %s, row_hash, $1, NULL, $2 FROM %s WHERE applied`,
				q(t.history), list("", names), list("", names), s.chgName)
		}
		if t.kind == entity {
			// No index: appending keys stays cheap, and the one anti-join at
			// Commit hashes them (repeats are harmless).
			s.createSeen = fmt.Sprintf("CREATE TEMP TABLE %s (%s) ON COMMIT DROP", s.seenName, strings.TrimSuffix(keyDefs(t, ident), ", "))
			s.markSeen = fmt.Sprintf("INSERT INTO %s SELECT %s FROM %s", s.seenName, list("", t.key), s.stageName)
			closeDeleted := ""
			if t.history != "" {
				closeDeleted = closeGone("$1")
			}
			s.finishSnap = fmt.Sprintf(`WITH d AS (
  UPDATE %s t SET deleted_at = $1, updated_at = $1, updated_run = $2
  WHERE t.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM %s s WHERE %s)
  RETURNING %s)%s
SELECT count(*) FROM d`, target, s.seenName, eqKeys("s", "t"), list("t.", t.key), closeDeleted)
		} else {
			own := ident(t.owner)
			s.createSeen = fmt.Sprintf("CREATE TEMP TABLE %s (owner text) ON COMMIT DROP", s.seenName)
			s.markSeen = fmt.Sprintf("INSERT INTO %s SELECT unnest($1::text[])", s.seenName)
			// removeOwned takes $1 owners and, with history, $2 the time;
			// finishSnap takes $1 the time with history, nothing without.
			removeClose, finishClose := "", ""
			if t.history != "" {
				removeClose, finishClose = closeGone("$2"), closeGone("$1")
			}
			s.removeOwned = fmt.Sprintf(`WITH d AS (
  DELETE FROM %s t
  WHERE t.%s = ANY($1::text[]) AND NOT EXISTS (SELECT 1 FROM %s s WHERE %s)
  RETURNING %s)%s
SELECT count(*) FROM d`, target, own, s.stageName, eqKeys("s", "t"), list("t.", t.key), removeClose)
			s.finishSnap = fmt.Sprintf(`WITH d AS (
  DELETE FROM %s t
  WHERE NOT EXISTS (SELECT 1 FROM %s s WHERE s.owner = t.%s)
  RETURNING %s)%s
SELECT count(*) FROM d`, target, s.seenName, own, list("t.", t.key), finishClose)
		}
	case segment:
		var sets, cmpOld, cmpNew []string
		for _, c := range names {
			if t.isKey(c) {
				continue
			}
			expr := "EXCLUDED." + ident(c)
			if e, ok := t.setExprs[c]; ok {
				expr = e
			}
			sets = append(sets, ident(c)+" = "+expr)
			cmpOld = append(cmpOld, "t."+ident(c))
			cmpNew = append(cmpNew, expr)
		}
		sets = append(sets, "updated_at = EXCLUDED.updated_at", "updated_run = EXCLUDED.updated_run")
		s.maxLeadKey = fmt.Sprintf("SELECT max(%s) FROM %s", ident(t.key[0]), target)
		if len(t.entries) > 0 {
			s.upsertDirect = mergeEntries(t, target, s.stageName, ident)
			break
		}
		// An inserted row is one whose first_seen_at is this batch's time:
		// the update never sets it, and no earlier batch had the time (it
		// increases strictly, and one Tx writes a segment table at a time).
		// Not xmax = 0, as entities and children test: Postgres cannot
		// return system columns from a partitioned table, and segment tables
		// are the ones worth partitioning.
		if t.rollup != "" {
			rollupSQL(&s, t, q, ident, list("", names), list("", t.key), strings.Join(sets, ", "),
				strings.Join(cmpOld, ", "), strings.Join(cmpNew, ", "), dedup)
			break
		}
		s.upsertDirect = fmt.Sprintf(`WITH up AS (
INSERT INTO %s AS t (%s, first_seen_at, updated_at, updated_run)
SELECT %s, $1, $1, $2 FROM (%s) s
ON CONFLICT (%s) DO UPDATE SET %s
WHERE (%s) IS DISTINCT FROM (%s)
RETURNING t.first_seen_at = $1 AS inserted)
SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM up`,
			target, list("", names), list("", names), dedup, list("", t.key), strings.Join(sets, ", "),
			strings.Join(cmpOld, ", "), strings.Join(cmpNew, ", "))
	}
	return s
}

// mergeEntries is the upsert of a packed table ($1 ts, $2 run): each staged
// row (one per key: the loader packs a batch so) is unpacked, matched entry
// by entry with the stored row of its key (one index probe per staged row),
// and the union written back, batch entries winning, in entry-key order
// (text in byte order, as the loader sorts). Rows none of whose entries are
// new or changed are not written. It returns the entries inserted and
// updated.
func mergeEntries(t *table, target, stage string, ident func(string) string) string {
	var keys, arrays []string
	for _, c := range t.cols {
		if t.isKey(c.name) {
			keys = append(keys, ident(c.name))
		} else {
			arrays = append(arrays, ident(c.name))
		}
	}
	pre := func(p string, cs []string) string {
		out := make([]string, len(cs))
		for i, c := range cs {
			out[i] = p + c
		}
		return strings.Join(out, ", ")
	}
	var on, pick, oldVals, newVals, aggs, order, sets []string
	for _, k := range keys {
		on = append(on, "n."+k+" = o."+k)
		pick = append(pick, fmt.Sprintf("coalesce(n.%s, o.%s) AS %s", k, k, k))
	}
	for _, e := range t.entries {
		on = append(on, "n."+ident(e)+" = o."+ident(e))
		o := ident(e)
		if strings.HasPrefix(t.cols[t.colIndex(e)].typ, "text") {
			o += ` COLLATE "C"`
		}
		order = append(order, o)
	}
	for _, a := range arrays {
		pick = append(pick, fmt.Sprintf("CASE WHEN n.in_new THEN n.%s ELSE o.%s END AS %s", a, a, a))
		oldVals = append(oldVals, "o."+a)
		newVals = append(newVals, "n."+a)
		aggs = append(aggs, fmt.Sprintf("array_agg(%s ORDER BY %s) AS %s", a, strings.Join(order, ", "), a))
		sets = append(sets, a+" = EXCLUDED."+a)
	}
	sets = append(sets, "updated_at = EXCLUDED.updated_at", "updated_run = EXCLUDED.updated_run")
	var probe []string
	for _, k := range keys {
		probe = append(probe, "t."+k+" = s."+k)
	}
	return fmt.Sprintf(`WITH n AS (
  SELECT %[1]s, e.*, true AS in_new FROM %[2]s s CROSS JOIN LATERAL unnest(%[3]s) AS e(%[4]s)
), o AS (
  SELECT %[1]s, e.*, true AS in_old FROM %[2]s s
  CROSS JOIN LATERAL (SELECT %[5]s FROM %[6]s t WHERE %[7]s) t
  CROSS JOIN LATERAL unnest(%[5]s) AS e(%[4]s)
), j AS (
  SELECT %[8]s,
    coalesce(n.in_new AND o.in_old IS NULL, false) AS added,
    coalesce(n.in_new AND o.in_old AND (%[9]s) IS DISTINCT FROM (%[10]s), false) AS changed
  FROM n FULL JOIN o ON %[11]s
), g AS (
  SELECT %[12]s, %[13]s, count(*) FILTER (WHERE added) AS ins, count(*) FILTER (WHERE changed) AS upd
  FROM j GROUP BY %[12]s
), w AS (
  INSERT INTO %[6]s AS t (%[12]s, %[14]s, first_seen_at, updated_at, updated_run)
  SELECT %[12]s, %[14]s, $1, $1, $2 FROM g WHERE ins + upd > 0
  ON CONFLICT (%[15]s) DO UPDATE SET %[16]s
)
SELECT coalesce(sum(ins), 0)::bigint, coalesce(sum(upd), 0)::bigint FROM g`,
		pre("s.", keys), stage, pre("s.", arrays), strings.Join(arrays, ", "),
		pre("t.", arrays), target, strings.Join(probe, " AND "),
		strings.Join(pick, ", "), strings.Join(newVals, ", "), strings.Join(oldVals, ", "), strings.Join(on, " AND "),
		strings.Join(keys, ", "), strings.Join(aggs, ", "), strings.Join(arrays, ", "),
		func() string {
			var k []string
			for _, c := range t.key {
				k = append(k, ident(c))
			}
			return strings.Join(k, ", ")
		}(), strings.Join(sets, ", "))
}

func keyDefs(t *table, ident func(string) string) string {
	var b strings.Builder
	for _, k := range t.key {
		b.WriteString(ident(k) + " " + t.cols[t.colIndex(k)].typ + ", ")
	}
	return b.String()
}
