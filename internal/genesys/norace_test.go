//go:build !race

package genesys_test

const raceBuild = false
