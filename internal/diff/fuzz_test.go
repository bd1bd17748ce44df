package diff

import (
	"slices"
	"testing"

	"github.com/usersync/syncer/internal/feed"
)

// FuzzConverges searches generated orgs and policies for a plan that does
// not apply (Simulate fails) or does not converge (a second plan is not
// empty).
func FuzzConverges(f *testing.F) {
	f.Add(uint64(1), uint8(30), false, uint8(0))
	f.Add(uint64(7), uint8(90), true, uint8(3))
	f.Add(uint64(42), uint8(5), false, uint8(6))
	cfgs := configs()
	names := make([]string, 0, len(cfgs))
	for n := range cfgs {
		names = append(names, n)
	}
	slices.Sort(names)
	f.Fuzz(func(t *testing.T, seed uint64, size uint8, delta bool, policy uint8) {
		mode := feed.ModeSnapshot
		if delta {
			mode = feed.ModeDelta
		}
		cfg := cfgs[names[int(policy)%len(names)]]
		w := genWorld(seed, 2+int(size)%120, mode)
		fd := w.read(t)
		p, err := Compute(fd, w.cur, w.refs, cfg)
		if err != nil {
			t.Fatal(err)
		}
		checkConverges(t, fd, w.cur, w.refs, cfg, p)
	})
}
