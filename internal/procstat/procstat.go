// Package procstat measures the peak resident memory of a child process.
//
// getrusage's ru_maxrss is not usable for a child started by a large
// process: Go starts children with vfork semantics (the child shares the
// parent's memory until exec), and Linux records the high-water mark of that
// shared memory as the child's at exec. A 10 MB program started by a
// benchmark holding 400 MB reports 400 MB. The child's own VmHWM in
// /proc/PID/status starts afresh at exec, so Run samples that instead.
package procstat

import (
	"bufio"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Run starts cmd, waits for it like cmd.Run, and returns the peak resident
// set size of the program in bytes, sampled from /proc every interval (the
// last sample is at most interval before the program exits, and the peak is
// a high-water mark, so only a rise in that last interval can be missed).
// The peak is 0 where /proc is not available.
func Run(cmd *exec.Cmd, interval time.Duration) (peak uint64, err error) {
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if v := HWM(cmd.Process.Pid); v > peak {
			peak = v
		}
		select {
		case err := <-done:
			return peak, err
		case <-t.C:
		}
	}
}

// HWM returns the peak resident set size (VmHWM) of process pid in bytes,
// or 0 when it cannot be read.
func HWM(pid int) uint64 {
	f, err := os.Open("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// CPU returns the CPU time (user + system) this process has used so far;
// 0 when the system does not say.
func CPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
