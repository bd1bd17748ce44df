//go:build chaos

package chaos

// Under the chaos tag (`make test-chaos`): twenty kill -9 points per
// command, every corrupt answer, and the org re-read for every bad feed.
const (
	crashPoints = 20
	fullSuite   = true
)
