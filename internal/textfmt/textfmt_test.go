package textfmt_test

import (
	"math"
	"testing"

	"github.com/usersync/syncer/internal/textfmt"
)

func TestThousands(t *testing.T) {
	for in, want := range map[int64]string{
		0: "0", 7: "7", 999: "999", 1000: "1,000", 1908: "1,908", 1234567: "1,234,567",
		-4500: "-4,500", -999: "-999", math.MinInt64: "-9,223,372,036,854,775,808",
	} {
		if got := textfmt.Thousands(in); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", in, got, want)
		}
	}
}
