// Package schematest checks, in tests, JSON answers of syncer against the
// JSON Schemas published in docs/schema, so that the documents and the
// documentation cannot drift apart.
package schematest

import (
	"bytes"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	mu       sync.Mutex
	compiled = map[string]*jsonschema.Schema{}
)

// Validate fails the test unless body, a JSON document, is valid against
// docs/schema/NAME (e.g. "runs.schema.json"). Formats (date-time) are
// asserted, and the schemas forbid properties they do not list.
func Validate(t testing.TB, name string, body []byte) {
	t.Helper()
	sch := schema(t, name)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: the answer is not JSON: %v\n%s", name, err, body)
	}
	if err := sch.Validate(doc); err != nil {
		t.Errorf("the answer does not match docs/schema/%s: %v\n%s", name, err, body)
	}
}

// Dir returns the absolute path of docs/schema, found from the working
// directory (a package directory while testing) up to the module root.
func Dir(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "docs", "schema")
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("schematest: no go.mod above the working directory")
		}
		dir = parent
	}
}

func schema(t testing.TB, name string) *jsonschema.Schema {
	t.Helper()
	mu.Lock()
	defer mu.Unlock()
	if s, ok := compiled[name]; ok {
		return s
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	s, err := c.Compile(filepath.Join(Dir(t), name))
	if err != nil {
		t.Fatalf("compile docs/schema/%s: %v", name, err)
	}
	compiled[name] = s
	return s
}
