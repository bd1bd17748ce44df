package main

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// cmd/syncer only parses and wires: every SQL statement lives in package
// store (or load), so none of its files (tests aside) imports a database
// driver, holds a statement or runs a query.
func TestCommandsHoldNoSQL(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	statement := regexp.MustCompile(`^\s*(SELECT|INSERT|UPDATE|DELETE|WITH|CREATE|DROP|ALTER|TRUNCATE|COPY|GRANT|REVOKE)\s`)
	queries := map[string]bool{"Query": true, "QueryRow": true, "Exec": true, "CopyFrom": true, "SendBatch": true}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		checked++
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, "github.com/jackc/") || path == "database/sql" || path == "github.com/lib/pq" {
				t.Errorf("%s: imports %s: database access belongs in internal/store", fset.Position(imp.Pos()), path)
			}
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.BasicLit:
				if n.Kind != token.STRING {
					break
				}
				if s, err := strconv.Unquote(n.Value); err == nil && statement.MatchString(s) {
					t.Errorf("%s: an SQL statement: move it into internal/store as a named method", fset.Position(n.Pos()))
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && queries[sel.Sel.Name] {
					t.Errorf("%s: runs a query (.%s): move it into internal/store as a named method", fset.Position(n.Pos()), sel.Sel.Name)
				}
			}
			return true
		})
	}
	if checked < 10 {
		t.Errorf("checked %d files: the test does not see the package", checked)
	}
}
