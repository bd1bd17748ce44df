// Package configs holds the example and demo configurations and the sample
// HR feeds; the demo configuration is embedded for `syncer demo`.
package configs

import _ "embed"

// Demo is configs/demo.yaml.
//
//go:embed demo.yaml
var Demo []byte

// SampleHRFeed is configs/samples/hr_feed.csv: joiners (with utilization
// profiles, stations and invites), a rehire, movers, leavers and
// skill changes against the default emulated org (seed 7, 2,000 users).
//
//go:embed samples/hr_feed.csv
var SampleHRFeed []byte
