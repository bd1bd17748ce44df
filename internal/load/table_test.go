package load

import (
	"strings"
	"testing"
	"time"
)

func TestValidateRejectsInconsistentDeclarations(t *testing.T) {
	t.Parallel()
	id := column{"id", "text", false}
	owner := column{"user_id", "text", false}
	cases := []struct {
		name string
		t    table
		want string
	}{
		{"no columns", table{name: "a", kind: entity, key: []string{"id"}}, "table a: no columns"},
		{"column twice", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{id, id}}, "column id declared twice"},
		{"unnamed column", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{id, {"", "text", true}}}, "a column has no name"},
		{"no key", table{name: "a", kind: entity, cols: []column{id}}, "table a: no key"},
		{"key not declared", table{name: "a", kind: entity, key: []string{"uuid"}, cols: []column{id}}, "key column uuid is not declared"},
		{"key may be NULL", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{{"id", "text", true}}}, "key column id may be NULL"},
		{"key of another type", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{{"id", "integer", false}}}, "key column id is integer"},
		{"key repeated", table{name: "a", kind: entity, key: []string{"id", "id"}, cols: []column{id}}, "key column id repeated"},
		{"child without owner", table{name: "a", kind: child, key: []string{"user_id"}, cols: []column{owner}}, "a child table needs an owner column"},
		{"entity with owner", table{name: "a", kind: entity, owner: "id", key: []string{"id"}, cols: []column{id}}, "only child tables have an owner column"},
		{"owner not in key", table{name: "a", kind: child, owner: "user_id", key: []string{"id"}, cols: []column{id, owner}}, "owner user_id must be a key column"},
		{"segment history", table{name: "a", kind: segment, history: "a_history", key: []string{"id"}, cols: []column{id}}, "segment tables keep no history"},
		{"set expression on entity", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{id, {"b", "text", true}},
			setExprs: map[string]string{"b": "EXCLUDED.b"}}, "only segment tables set columns by expression"},
		{"set expression on key", table{name: "a", kind: segment, key: []string{"id"}, cols: []column{id},
			setExprs: map[string]string{"id": "EXCLUDED.id"}}, "set expression for id"},
		{"appended column not declared", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{id}, appended: "b"},
			"appended column b is not declared"},
		{"appended NOT NULL column", table{name: "a", kind: entity, key: []string{"id"}, cols: []column{id, {"b", "text", true}, {"c", "text", false}},
			appended: "b"}, "appended column c must take NULL"},
		{"appended to a segment table", table{name: "a", kind: segment, key: []string{"id"}, cols: []column{id, {"b", "text", true}}, appended: "b"},
			"appended columns only matter to hashed tables"},
	}
	for _, tc := range cases {
		err := tc.t.validate()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: validate() = %v, want an error containing %q", tc.name, err, tc.want)
		}
	}
	for _, tb := range tables {
		if err := tb.validate(); err != nil {
			t.Errorf("declared table: %v", err)
		}
	}
}

func TestDeclareRefusesASecondDeclarationOfATable(t *testing.T) {
	t.Parallel()
	n := len(tables)
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "table roles declared twice") {
			t.Errorf("declare of a second roles table: recovered %v, want a panic naming the table", r)
		}
		if len(tables) != n {
			t.Errorf("the refused declaration was registered")
		}
	}()
	declare(table{name: "roles", kind: entity, key: []string{"id"}}, text("id", func(r *RoleRow) string { return r.ID }))
}

// TestCopySourceFindsRepeatedTimeKeys: a table keyed by a time column takes
// the fast path only when no key repeats in the batch.
func TestCopySourceFindsRepeatedTimeKeys(t *testing.T) {
	t.Parallel()
	type period struct {
		user  string
		start time.Time
	}
	tb, err := newTable(table{name: "periods", kind: child, owner: "user_id", key: []string{"user_id", "start_time"}},
		text("user_id", func(r *period) string { return r.user }),
		timestamp("start_time", func(r *period) time.Time { return r.start }),
	)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		rows []period
		dup  bool
	}{
		{[]period{{"u1", at}, {"u1", at.Add(time.Hour)}, {"u2", at}}, false},
		{[]period{{"u1", at}, {"u2", at}, {"u1", at}}, true},
		{[]period{{"u1", at}, {"u1", time.Time{}}}, false}, // the zero time is a time like any other
	} {
		src := &copySource{n: len(tc.rows), fill: tb.fill(tc.rows), data: 2, row: make([]any, 3), ownerIdx: 1,
			owners: map[string]struct{}{}, keyIdx: []int{1, 2}, keys: newKeySet(len(tc.rows))}
		for src.Next() {
		}
		if src.dup != tc.dup {
			t.Errorf("%v: dup = %v, want %v", tc.rows, src.dup, tc.dup)
		}
		if len(src.owners) == 0 {
			t.Errorf("%v: no owner recorded", tc.rows)
		}
	}
}
