//go:build !chaos

package chaos

// crashPoints is the number of kill -9 points per command in `make test`.
const crashPoints = 5
