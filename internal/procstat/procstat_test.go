package procstat_test

import (
	"os"
	"os/exec"
	"runtime"
	"testing"
	"time"

	"github.com/usersync/syncer/internal/procstat"
)

// TestRunMeasuresTheChildNotTheParent holds 200 MB in the test process and
// starts a small child: its peak must be the child's own few megabytes,
// which getrusage's ru_maxrss gets wrong (it reports the parent's memory).
func TestRunMeasuresTheChildNotTheParent(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	ballast := make([]byte, 200<<20)
	for i := range ballast {
		ballast[i] = 1
	}
	cmd := exec.Command("sleep", "0.3")
	peak, err := procstat.Run(cmd, 10*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if peak == 0 || peak > 50<<20 {
		t.Errorf("peak of sleep = %d bytes, want a few MB (the parent holds %d MB)", peak, len(ballast)>>20)
	}
	runtime.KeepAlive(ballast)
}

func TestHWMOfSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	if procstat.HWM(os.Getpid()) == 0 {
		t.Error("HWM of this process = 0")
	}
	if procstat.HWM(-1) != 0 {
		t.Error("HWM of no process should be 0")
	}
}
