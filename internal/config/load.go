package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Error is one problem in a configuration file, located by line and key.
type Error struct {
	File string // path of the file, "" when the problem is in the environment
	Line int    // 1-based; 0 when unknown
	Key  string // dotted key path, e.g. pipelines.nightly.users.page_size
	Msg  string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			fmt.Fprintf(&b, ":%d", e.Line)
		}
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Errors is every problem found in one file; Load returns all of them at
// once rather than making the user fix one per run.
type Errors []*Error

func (es Errors) Error() string {
	msgs := make([]string, len(es))
	for i, e := range es {
		msgs[i] = e.Error()
	}
	return strings.Join(msgs, "\n")
}

// Env looks up environment variables; os.LookupEnv in production.
type Env func(key string) (string, bool)

// Load reads the configuration file at path, fills defaults, reads secrets
// from the environment and validates the result.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse is Load on bytes already read, with an explicit environment.
func Parse(file string, data []byte, env Env) (*Config, error) {
	p := &parser{file: file, lines: map[string]int{}}
	cfg := &Config{File: file}

	var root yaml.Node
	if len(bytes.TrimSpace(data)) > 0 {
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, p.yamlError(err)
		}
	}
	if len(root.Content) > 0 {
		doc := root.Content[0]
		if doc.Kind != yaml.MappingNode {
			return nil, Errors{{File: file, Line: doc.Line, Msg: "the top level must be a mapping of keys (genesys, database, rate, log, serve, pipelines, feeds)"}}
		}
		p.walk(doc, reflect.TypeOf(Config{}), "")
		if len(p.errs) > 0 {
			return nil, p.errs
		}
		if err := doc.Decode(cfg); err != nil {
			return nil, p.yamlError(err)
		}
	}
	cfg.File = file
	p.applyDefaults(cfg)
	p.readEnv(cfg, env)
	p.validate(cfg)
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return cfg, nil
}

// Default returns the configuration used with no file: defaults plus the
// environment. It still validates, so a missing secret is reported.
func Default(env Env) (*Config, error) {
	return Parse("", nil, env)
}

type parser struct {
	file  string
	lines map[string]int // key path -> line
	errs  Errors
}

func (p *parser) errorf(key, format string, args ...any) {
	p.errs = append(p.errs, &Error{File: p.file, Line: p.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// line finds the line of key, or of its closest ancestor that is in the file.
func (p *parser) line(key string) int {
	for k := key; k != ""; {
		if l, ok := p.lines[k]; ok {
			return l
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// yamlError rewrites yaml.v3's "line N: ..." messages into file:line form
// with the key path when one is known.
func (p *parser) yamlError(err error) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var out Errors
	for _, m := range msgs {
		e := &Error{File: p.file, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLineRE.FindStringSubmatch(m); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Msg = sm[2]
			e.Key = p.keyAt(e.Line)
		}
		out = append(out, e)
	}
	return out
}

func (p *parser) keyAt(line int) string {
	best := ""
	for k, l := range p.lines {
		if l == line && (best == "" || len(k) > len(best)) {
			best = k
		}
	}
	return best
}

// walk records the line of every key and reports keys the target type does
// not have, with a suggestion when one is close.
func (p *parser) walk(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			if n.Tag == "!!null" {
				return
			}
			p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Key: path, Msg: "must be a mapping of keys"})
			return
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := join(path, k.Value)
			p.lines[kp] = k.Line
			f, ok := fields[k.Value]
			if !ok {
				p.errs = append(p.errs, &Error{File: p.file, Line: k.Line, Key: kp, Msg: unknownKeyMsg(k.Value, fields)})
				continue
			}
			p.walk(v, f.Type, kp)
		}
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			if n.Tag == "!!null" {
				return
			}
			p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Key: path, Msg: "must be a mapping"})
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			kp := join(path, k.Value)
			p.lines[kp] = k.Line
			p.walk(v, t.Elem(), kp)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return // scalar into slice: the decoder reports it with its line
		}
		for i, v := range n.Content {
			kp := fmt.Sprintf("%s[%d]", path, i)
			p.lines[kp] = v.Line
			p.walk(v, t.Elem(), kp)
		}
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func yamlFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		out[name] = f
	}
	return out
}

// keyAliases are names people reach for that mean a key under another name.
var keyAliases = map[string]string{"ownership": "owns", "owned": "owns", "own": "owns"}

func unknownKeyMsg(key string, fields map[string]reflect.StructField) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestD := "", 3
	for _, n := range names {
		if d := editDistance(strings.ToLower(key), n); d < bestD {
			best, bestD = n, d
		}
	}
	if alias, ok := keyAliases[key]; ok && fields[alias].Name != "" {
		return fmt.Sprintf("unknown key %q (the key is %q)", key, alias)
	}
	if key == "client_secret" || key == "client_id" || key == "password" || key == "url" {
		return fmt.Sprintf("unknown key %q: secrets are read from the environment only (see client_id_env, client_secret_env, url_env)", key)
	}
	if best != "" {
		return fmt.Sprintf("unknown key %q (did you mean %q?)", key, best)
	}
	return fmt.Sprintf("unknown key %q (valid keys: %s)", key, strings.Join(names, ", "))
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
