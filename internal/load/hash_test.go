package load

import (
	"testing"
	"time"
)

func TestRowHashSeparatesValues(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{nil},
		{""},
		{"ab", "c"},
		{"a", "bc"},
		{true},
		{false},
		{int32(1)},
		{int64(1)},
		{float64(1)},
		{at},
		{at.Add(time.Microsecond)},
		{[]byte(`{"a":1}`)},
		{"{\"a\":1}"},
		{"x", nil},
		{nil, "x"},
		{[]string{}},
		{[]string{""}},
		{[]string{"ab", "c"}},
		{[]string{"a", "bc"}},
		{[]string{"a"}, "b"},
		{[]string{"a", "b"}},
	}
	seen := map[[16]byte]int{}
	var buf []byte
	for i, r := range rows {
		var h [16]byte
		h, buf = rowHash(buf, r)
		if j, dup := seen[h]; dup {
			t.Errorf("rows %d %v and %d %v hash alike", j, rows[j], i, r)
		}
		seen[h] = i
		again, _ := rowHash(nil, r)
		if again != h {
			t.Errorf("row %d %v: hash not stable", i, r)
		}
	}
	// Sub-microsecond differences are below Postgres's precision: equal.
	a, _ := rowHash(nil, []any{at})
	b, _ := rowHash(nil, []any{at.Add(time.Nanosecond)})
	if a != b {
		t.Error("times equal to the microsecond hash differently")
	}
}
