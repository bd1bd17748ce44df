package console

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// The README's console section and the example configuration state the
// console's defaults and limits; they must be these.
func TestDocsStateTheDefaults(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	doc := string(readme)
	start := strings.Index(doc, "## The web console")
	if start < 0 {
		t.Fatal("README.md has no section \"The web console\"")
	}
	end := strings.Index(doc[start+1:], "\n## ")
	section := doc[start : start+1+end]
	example, err := os.ReadFile("../../configs/syncer.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	words := map[string]int{"Five": 5, "Four": 4, "Six": 6}
	var five string
	for w, n := range words {
		if n == maxFailures {
			five = w
		}
	}
	for _, want := range []string{
		fmt.Sprintf("`serve.console.session_idle`\n  unused (default %s)", dur(DefaultSessionIdle)),
		fmt.Sprintf("`serve.console.session_max` after sign-in (default %s)", dur(DefaultSessionMax)),
		"environment variable `" + DefaultAccountsEnv + "`",
		fmt.Sprintf("the latest %d runs", RunsListed),
		fmt.Sprintf("(at most %d)", PlansListed),
		fmt.Sprintf("the last %d runs", ChartRuns),
		fmt.Sprintf("%s wrong passwords for a name within %d minutes make that name wait %d\n  seconds", five, int(failureWindow.Minutes()), int(lockout.Seconds())),
		"random (256 bits)",
	} {
		if five == "" || !strings.Contains(section, want) {
			t.Errorf("README.md's console section does not say %q", want)
		}
	}
	for _, want := range []string{
		"accounts_env: " + DefaultAccountsEnv,
		"session_idle: " + dur(DefaultSessionIdle),
		"session_max: " + dur(DefaultSessionMax),
		"enabled: false",
	} {
		if !strings.Contains(string(example), want) {
			t.Errorf("configs/syncer.example.yaml does not say %q", want)
		}
	}
}

// dur writes d as the docs do: 30m, 12h.
func dur(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dm", int(d.Minutes()))
}
