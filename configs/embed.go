// Package configs holds the example and demo configurations and the sample
// HR feeds; the demo configuration is embedded for `syncer demo`.
package configs

import _ "embed"

// Demo is configs/demo.yaml.
//
//go:embed demo.yaml
var Demo []byte
