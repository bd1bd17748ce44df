//go:build chaos

package chaos

// crashPoints is the number of kill -9 points per command under the chaos tag.
const crashPoints = 20
