package config

import (
	"os"
	"testing"
)

// Retention is off unless set; the example config's values load.
func TestRetention(t *testing.T) {
	t.Parallel()
	cfg, err := Parse("c.yaml", []byte("log:\n  level: info\n"), env())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Retention != (Retention{}) {
		t.Errorf("default retention = %+v, want every month kept (zero)", cfg.Retention)
	}
	data, err := os.ReadFile("../../configs/syncer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err = Parse("syncer.example.yaml", data, env("GENESYS_CLIENT_ID", "id", "GENESYS_CLIENT_SECRET", "s3cret"))
	if err != nil {
		t.Fatal(err)
	}
	if want := (Retention{UserPresenceSegments: 13, UserRoutingStatusSegments: 13, UserAggregates: 25}); cfg.Retention != want {
		t.Errorf("example retention = %+v, want %+v", cfg.Retention, want)
	}
}
