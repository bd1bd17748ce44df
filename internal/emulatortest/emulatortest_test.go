package emulatortest_test

import (
	"context"
	"testing"

	"github.com/usersync/syncer/internal/emulator"
	"github.com/usersync/syncer/internal/emulatortest"
	"github.com/usersync/syncer/internal/genesys"
)

// A client of a started org logs in with the org's own credentials, custom
// ones included, and reads its users.
func TestStartAndClient(t *testing.T) {
	org := emulatortest.Start(t, emulator.Config{Seed: 5, Users: 12, ClientID: "id-x", ClientSecret: "secret-x"})
	c := org.Client(t)
	n := 0
	for u, err := range c.Users(context.Background(), &genesys.ListUsersOptions{ListOptions: genesys.ListOptions{PageSize: 5}, State: "active"}) {
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == "" {
			t.Fatal("a user without an id")
		}
		n++
	}
	active := 0
	for _, u := range org.Users() {
		if u.State == "active" {
			active++
		}
	}
	if n == 0 || n != active {
		t.Fatalf("listed %d active users, the org has %d", n, active)
	}
}
