//go:build !chaos

package chaos

// In `make test` the suite runs a fast subset: two kill -9 points per
// command, the corrupt answers that fail differently, and the bad-feed
// corpus planned against an org read once.
const (
	crashPoints = 2
	fullSuite   = false
)
