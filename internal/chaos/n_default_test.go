//go:build !chaos

package chaos

// In `make test` the suite runs a fast subset: two kill -9 points per
// command and the corrupt answers that fail differently.
const (
	crashPoints = 2
	fullSuite   = false
)
