//go:build chaos

package chaos

// Under the chaos tag (`make test-chaos`): twenty kill -9 points per
// command and every corrupt answer.
const (
	crashPoints = 20
	fullSuite   = true
)
