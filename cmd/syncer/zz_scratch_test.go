package main

import "testing"

func TestZZScratch403(t *testing.T) {
	e := newCLIEnv(t, 50, "  nightly:\n    streams: [reference, users, queues, roles]\n")
	e.migrate(t)
	if err := e.srv.DenyPermissions("routing:queue:view", "routing:queue:edit", "routing:queue:readonly", "routing:queueMember:manage"); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := e.syncer(t, "run", "nightly", "--config", e.cfg, "--progress", "off")
	t.Logf("code %d\nOUT:\n%s\nERR:\n%s", code, out, stderr)
}
