package main

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/usersync/syncer/internal/config"
)

// The deployment examples name commands, flags and pipelines: they must
// keep working as the commands change.

// checkInvocation fails unless syncer parses args as a command line of an
// implemented command: the command, its flags, their values and its
// arguments (parsed only: nothing runs).
func checkInvocation(t *testing.T, where string, args []string) {
	t.Helper()
	if _, ok := commands[args[0]]; !ok {
		t.Errorf("%s: %q is not an implemented command", where, args[0])
		return
	}
	if _, code, stderr := parseOnly(args); code != exitOK {
		t.Errorf("%s: syncer %s does not parse (exit %d):\n%s", where, strings.Join(args, " "), code, stderr)
	}
}

func TestDockerComposeInvocations(t *testing.T) {
	var compose struct {
		Services map[string]struct {
			Command []string `yaml:"command"`
		} `yaml:"services"`
	}
	b, err := os.ReadFile(filepath.Join("..", "..", "docker-compose.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &compose); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	for name, svc := range compose.Services {
		if len(svc.Command) > 0 {
			checkInvocation(t, "docker-compose.yml service "+name, svc.Command)
		}
	}
}

func TestSystemdUnitInvocation(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "configs", "systemd", "syncer.service"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := false
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if cmdline, ok := strings.CutPrefix(sc.Text(), "ExecStart="); ok {
			found = true
			fields := strings.Fields(cmdline)
			checkInvocation(t, "syncer.service ExecStart", fields[1:])
		}
	}
	if !found {
		t.Error("syncer.service has no ExecStart")
	}
}

func TestKubernetesCronJob(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "configs", "kubernetes", "cronjob.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	type container struct {
		Args []string `yaml:"args"`
	}
	var cfgText string
	var invocations [][]string
	dec := yaml.NewDecoder(bytes.NewReader(b))
	for {
		var doc struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
			Spec struct {
				JobTemplate struct {
					Spec struct {
						Template struct {
							Spec struct {
								InitContainers []container `yaml:"initContainers"`
								Containers     []container `yaml:"containers"`
							} `yaml:"spec"`
						} `yaml:"template"`
					} `yaml:"spec"`
				} `yaml:"jobTemplate"`
			} `yaml:"spec"`
		}
		if err := dec.Decode(&doc); err != nil {
			break
		}
		switch doc.Kind {
		case "ConfigMap":
			cfgText = doc.Data["syncer.yaml"]
		case "CronJob":
			ps := doc.Spec.JobTemplate.Spec.Template.Spec
			for _, c := range append(ps.InitContainers, ps.Containers...) {
				invocations = append(invocations, c.Args)
			}
		}
	}
	if cfgText == "" || len(invocations) != 2 {
		t.Fatalf("cronjob.yaml: config %d bytes, %d containers; want a ConfigMap config and migrate + run", len(cfgText), len(invocations))
	}
	path := filepath.Join(t.TempDir(), "syncer.yaml")
	if err := os.WriteFile(path, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("the ConfigMap's syncer.yaml does not load: %v", err)
	}
	for _, args := range invocations {
		checkInvocation(t, "cronjob.yaml", args)
		if args[0] == "run" {
			if _, ok := cfg.Pipelines[args[1]]; !ok {
				t.Errorf("cronjob.yaml runs pipeline %q, which its config does not define", args[1])
			}
		}
	}
}
