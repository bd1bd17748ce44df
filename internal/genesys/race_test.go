//go:build race

package genesys_test

// raceBuild is true under -race, where the heaviest tests shrink: the race
// detector makes JSON decoding about ten times slower.
const raceBuild = true
