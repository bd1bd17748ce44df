package config

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"github.com/usersync/syncer/internal/textfmt"
)

// Size limits. A configuration is a page or two of YAML; anything much
// larger is a mistake (a pasted export, a binary, a runaway generator) and
// is refused with the key rather than parsed and carried around.
const (
	// MaxFileSize is the largest configuration file read.
	MaxFileSize = 1 << 20
	// MaxValueLen is the longest value (or key) in bytes, except paths.
	MaxValueLen = 1024
	// MaxPathLen is the longest file path value in bytes (PATH_MAX).
	MaxPathLen = 4096
	// MaxEntries is the most entries of one list or mapping.
	MaxEntries = 1000
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
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	// One byte over the limit is enough to know the file is too large.
	data, err := io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config %s: %w", path, err)
	}
	if len(data) > MaxFileSize {
		size := "more than 1 MiB"
		if st, err := f.Stat(); err == nil {
			size = byteSize(st.Size())
		}
		return nil, Errors{{File: path, Msg: fmt.Sprintf("the file is %s; a configuration file is at most 1 MiB (is this the right file?)", size)}}
	}
	return Parse(path, data, os.LookupEnv)
}

// Parse is Load on bytes already read, with an explicit environment. A nil
// data with an empty file name is the configuration without a file (see
// Default); an empty file is an error.
func Parse(file string, data []byte, env Env) (*Config, error) {
	p := &parser{file: file, lines: map[string]int{}, fromEnv: map[string]string{}}
	cfg := &Config{File: file}

	if file != "" || data != nil {
		if err := p.checkBytes(data); err != nil {
			return nil, err
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err != nil {
			return nil, p.yamlError(err, data)
		}
		if len(root.Content) == 0 || root.Content[0].Tag == "!!null" {
			return nil, Errors{{File: file, Msg: "the file has no settings, only comments or blank lines: " +
				"write {} to run on the defaults and the environment on purpose, or start from configs/syncer.example.yaml"}}
		}
		doc := root.Content[0]
		if doc.Kind != yaml.MappingNode {
			return nil, Errors{{File: file, Line: doc.Line, Msg: "the top level must be a mapping of keys (genesys, database, rate, log, serve, pipelines, feeds)"}}
		}
		p.walk(doc, reflect.TypeOf(Config{}), "")
		if len(p.errs) > 0 {
			return nil, p.errs
		}
		if err := doc.Decode(cfg); err != nil {
			return nil, p.yamlError(err, data)
		}
	}
	cfg.File = file
	cfg.lines = p.lines
	p.applyDefaults(cfg)
	p.readEnv(cfg, env)
	p.validate(cfg)
	if len(p.errs) > 0 {
		// In file order; problems with the environment, which has no
		// line, after those with the file.
		slices.SortStableFunc(p.errs, func(a, b *Error) int {
			inEnv := func(e *Error) int {
				if e.File == "" {
					return 1
				}
				return 0
			}
			return cmp.Or(cmp.Compare(inEnv(a), inEnv(b)), cmp.Compare(a.Line, b.Line))
		})
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
	file    string
	lines   map[string]int    // key path -> line
	fromEnv map[string]string // key path -> the environment variable its value came from
	errs    Errors
	// minInterval is serve.min_schedule_interval, for checkSchedule.
	minInterval time.Duration
}

// errorf records a problem with key. The message must follow the rule in
// doc.go: it describes the value, it does not repeat it.
func (p *parser) errorf(key, format string, args ...any) {
	if v, ok := p.fromEnv[key]; ok {
		p.errs = append(p.errs, &Error{Key: key + " (from the environment variable " + v + ")", Msg: fmt.Sprintf(format, args...)})
		return
	}
	p.errs = append(p.errs, &Error{File: p.file, Line: p.line(key), Key: key, Msg: fmt.Sprintf(format, args...)})
}

// line finds the line of key, or of its closest ancestor that is in the file.
func (p *parser) line(key string) int { return lineOf(p.lines, key) }

func lineOf(lines map[string]int, key string) int {
	for k := key; k != ""; {
		if l, ok := lines[k]; ok {
			return l
		}
		i := strings.LastIndexAny(k, ".[")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return 0
}

// checkBytes refuses what is not YAML text before the YAML parser sees
// it, with the byte offset: yaml.v3 says "invalid leading UTF-8 octet" or
// "control characters are not allowed" without saying where.
func (p *parser) checkBytes(data []byte) error {
	fail := func(msg string) error { return Errors{{File: p.file, Msg: msg}} }
	if len(data) > MaxFileSize {
		return fail(fmt.Sprintf("the file is %s; a configuration file is at most 1 MiB (is this the right file?)", byteSize(int64(len(data)))))
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return fail("the file is empty: write {} to run on the defaults and the environment on purpose, or start from configs/syncer.example.yaml")
	}
	switch {
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return fail("the file is UTF-16 text: save it as UTF-8")
	}
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return fail(fmt.Sprintf("the file is binary, not YAML text: a NUL byte at byte offset %d (%s); is this the right file?", i, position(data, i)))
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			return fail(fmt.Sprintf("the file is not UTF-8 text: the byte at offset %d (%s) is not valid UTF-8; save the file as UTF-8", i, position(data, i)))
		case r == '\t' || r == '\n' || r == '\r' || r == 0x85 || r == 0xFEFF:
		case r < 0x20 || (r >= 0x7F && r <= 0x9F):
			return fail(fmt.Sprintf("a control character (U+%04X) at byte offset %d (%s): YAML does not allow control characters; is this the right file?", r, i, position(data, i)))
		}
		i += size
	}
	return nil
}

// position is "line L, column C" of byte offset i (C in bytes, 1-based).
func position(data []byte, i int) string {
	line := 1 + bytes.Count(data[:i], []byte{'\n'})
	col := i - bytes.LastIndexByte(data[:i], '\n')
	return fmt.Sprintf("line %d, column %d", line, col)
}

var (
	yamlLineRE   = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	yamlQuotedRE = regexp.MustCompile("`[^`]*`|'[^']{2,}'")
	yamlDupRE    = regexp.MustCompile(`^mapping key "(.*)" already defined at line (\d+)$`)
)

// yamlHints explain yaml.v3's parser messages in the user's terms. None of
// them repeats a value.
var yamlHints = map[string]string{
	"mapping values are not allowed in this context":         "a value contains \": \" (quote the value) or the indentation is off",
	"did not find expected key":                              "the indentation is off, or a value needs quotes",
	"could not find expected ':'":                            "a key is missing its \":\", or a quoted value is not closed",
	"found unexpected end of stream":                         "a quoted value or a [ or { is not closed",
	"did not find expected node content":                     "a list or mapping is not closed, or an entry is empty",
	"found character that cannot start any token":            "a value starts with a character YAML reserves (@ or `): quote the value",
	"did not find expected ',' or ']'":                       "a [ list ] is not closed",
	"did not find expected ',' or '}'":                       "a { mapping } is not closed",
	"block sequence entries are not allowed in this context": "a \"- \" list entry is at the wrong indentation",
	"found unknown escape character":                         "a double-quoted value has an unknown \\ escape: use single quotes, or \\\\",
}

// yamlParserErrors are the messages of yaml.v3's parser (not its
// scanner): for these it prints a 0-based line.
var yamlParserErrors = map[string]bool{
	"did not find expected <document start>": true, "did not find expected node content": true,
	"did not find expected ',' or ']'": true, "did not find expected ',' or '}'": true,
	"did not find expected key": true, "did not find expected '-' indicator": true,
}

var yamlAnchorRE = regexp.MustCompile(`^unknown anchor '(.*)' referenced$`)

// yamlError rewrites yaml.v3's messages into file:line form, with the key
// path when one is known, without the values yaml.v3 quotes (a type error
// quotes the value: "cannot unmarshal !!str `hunter2` into int"; walk
// reports those itself, so this is the fallback).
func (p *parser) yamlError(err error, data []byte) error {
	var te *yaml.TypeError
	msgs := []string{err.Error()}
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var out Errors
	for _, m := range msgs {
		e := &Error{File: p.file, Msg: strings.TrimPrefix(strings.TrimSpace(m), "yaml: ")}
		if sm := yamlLineRE.FindStringSubmatch(strings.TrimSpace(m)); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Msg = sm[2]
			if yamlParserErrors[e.Msg] {
				e.Line++
			}
			// A problem found at the end of the file is about its last line.
			e.Line = min(e.Line, lastContentLine(data))
			e.Key = p.keyAt(e.Line)
		} else if te == nil {
			// yaml.v3 leaves the line out when it is the first.
			e.Line = 1
		}
		if tab := tabIndentedLine(data, e.Line+1); tab > 0 && te == nil {
			out = append(out, &Error{File: p.file, Line: tab, Msg: "YAML does not allow tabs for indentation: indent with spaces"})
			continue
		}
		if sm := yamlDupRE.FindStringSubmatch(e.Msg); sm != nil {
			e.Msg = fmt.Sprintf("the key %s is set twice (first at line %s)", textfmt.Quote(displayKey(sm[1])), sm[2])
		} else if sm := yamlAnchorRE.FindStringSubmatch(e.Msg); sm != nil {
			e.Line = aliasLine(data, sm[1])
			e.Msg = "an alias (*name) refers to an anchor (&name) that is not defined before it"
		} else if hint, ok := yamlHints[e.Msg]; ok {
			where := ""
			if yamlParserErrors[e.Msg] {
				// yaml.v3 gives the line where the enclosing block starts.
				where = " in the block starting here"
			}
			e.Msg = "not valid YAML" + where + ": " + e.Msg + " (" + hint + ")"
		} else {
			// Unknown to us: keep yaml.v3's words, not what it quotes.
			e.Msg = yamlQuotedRE.ReplaceAllString(e.Msg, "a value")
			if te == nil {
				e.Msg = "not valid YAML: " + e.Msg
			}
		}
		out = append(out, e)
	}
	return out
}

// lastContentLine is the number of the last line that is not blank.
func lastContentLine(data []byte) int {
	return max(1, 1+bytes.Count(bytes.TrimRight(data, " \t\r\n"), []byte{'\n'}))
}

// aliasLine is the line of the first alias *name in data; 0 if not found.
func aliasLine(data []byte, name string) int {
	re, err := regexp.Compile(`\*` + regexp.QuoteMeta(name) + `\b`)
	if err != nil {
		return 0
	}
	loc := re.FindIndex(data)
	if loc == nil {
		return 0
	}
	return 1 + bytes.Count(data[:loc[0]], []byte{'\n'})
}

// tabIndentedLine returns the first line at or before upTo (every line
// when upTo is 0) whose indentation holds a tab before content, or 0.
func tabIndentedLine(data []byte, upTo int) int {
	for n, line := range bytes.Split(data, []byte{'\n'}) {
		if upTo > 0 && n+1 > upTo {
			break
		}
		indent := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
		rest := bytes.TrimSpace(line[len(indent):])
		if bytes.IndexByte(indent, '\t') >= 0 && len(rest) > 0 && rest[0] != '#' {
			return n + 1
		}
	}
	return 0
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

var (
	durationType = reflect.TypeOf(time.Duration(0))
	daysType     = reflect.TypeOf(Days(0))
)

// walk records the line of every key, reports keys the target type does
// not have (with a suggestion when one is close), keys set twice, values
// of the wrong type and values over the size limits, all without
// repeating a value.
func (p *parser) walk(n *yaml.Node, t reflect.Type, path string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	add := func(line int, key, msg string) {
		p.errs = append(p.errs, &Error{File: p.file, Line: line, Key: key, Msg: msg})
	}
	if n.Tag == "!!null" {
		return // an empty value: the default
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map:
		if n.Kind != yaml.MappingNode {
			add(n.Line, path, "must be a mapping of keys, not "+nodeKind(n))
			return
		}
		if len(n.Content)/2 > MaxEntries {
			add(n.Line, path, fmt.Sprintf("has %d entries; at most %d", len(n.Content)/2, MaxEntries))
			return
		}
		var fields map[string]reflect.StructField
		if t.Kind() == reflect.Struct {
			fields = yamlFields(t)
		}
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				add(k.Line, path, "a key must be a plain name, not "+nodeKind(k))
				continue
			}
			if len(k.Value) > MaxValueLen {
				add(k.Line, path, fmt.Sprintf("a key of %s; keys are names of at most %d bytes", byteSize(int64(len(k.Value))), MaxValueLen))
				continue
			}
			kp := join(path, displayKey(k.Value))
			if first, dup := seen[k.Value]; dup {
				add(k.Line, kp, fmt.Sprintf("is set twice (first at line %d)", first))
				continue
			}
			seen[k.Value] = k.Line
			p.lines[kp] = k.Line
			if fields == nil {
				p.walk(v, t.Elem(), kp)
				continue
			}
			f, ok := fields[k.Value]
			if !ok {
				add(k.Line, kp, unknownKeyMsg(k.Value, fields))
				continue
			}
			p.walk(v, f.Type, kp)
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			add(n.Line, path, "must be a list ([a, b] or one \"- item\" per line), not "+nodeKind(n))
			return
		}
		if len(n.Content) > MaxEntries {
			add(n.Line, path, fmt.Sprintf("has %d entries; at most %d", len(n.Content), MaxEntries))
			return
		}
		for i, v := range n.Content {
			kp := fmt.Sprintf("%s[%d]", path, i)
			p.lines[kp] = v.Line
			p.walk(v, t.Elem(), kp)
		}
	default:
		p.checkScalar(n, t, path)
	}
}

// checkScalar checks a value decodes into a scalar of type t, and its size.
func (p *parser) checkScalar(n *yaml.Node, t reflect.Type, path string) {
	add := func(msg string) {
		p.errs = append(p.errs, &Error{File: p.file, Line: n.Line, Key: path, Msg: msg})
	}
	if n.Kind != yaml.ScalarNode {
		add("must be a single value, not " + nodeKind(n))
		return
	}
	limit := MaxValueLen
	if strings.HasSuffix(path, ".path") {
		limit = MaxPathLen
	}
	if len(n.Value) > limit {
		add(fmt.Sprintf("the value is %s; at most %d bytes", byteSize(int64(len(n.Value))), limit))
		return
	}
	v := reflect.New(t)
	err := n.Decode(v.Interface())
	switch {
	case t == daysType:
		if err != nil {
			add("must be a number of days like 30d, or a duration like 720h")
		}
	case t == durationType:
		if err != nil {
			if _, isInt := strconv.Atoi(n.Value); isInt == nil && len(n.Value) <= 6 {
				add(fmt.Sprintf("a duration needs a unit: %ss, %sm or %sh", n.Value, n.Value, n.Value))
			} else {
				add("must be a duration like 30s, 5m or 1h30m")
			}
		}
	case t.Kind() == reflect.Int:
		if err != nil || n.Tag == "!!float" {
			add("must be a whole number")
		}
	case t.Kind() == reflect.Float64:
		if err != nil {
			add("must be a number")
		}
	case t.Kind() == reflect.Bool:
		if err != nil {
			add("must be true or false")
		}
	case err != nil:
		add("must be text")
	}
}

func nodeKind(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return "a single value"
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// displayKey is how a key of the file is shown in errors. Keys are names
// and are shown when they look like one: at most 64 bytes of letters,
// digits, _, -, . and spaces, not shaped like a secret. Any other key is
// described instead, since it is most likely a value pasted where a key
// goes (a URL, a connection string, a NAME=value line).
func displayKey(k string) string {
	switch {
	case len(k) > 64:
		return fmt.Sprintf("<a key of %d bytes>", len(k))
	case strings.Contains(k, "://") || looksLikeSecret(k):
		return "<a key that looks like a secret>"
	case !keyRE.MatchString(k):
		return "<a key that is not a name>"
	}
	return k
}

var keyRE = regexp.MustCompile(`^[\p{L}\p{N}_. -]+$`)

func byteSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
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

var envVarKeyRE = regexp.MustCompile(`^[A-Z][A-Z0-9]*_[A-Z0-9_]+$`)

// secretKeys are keys people write to put a secret in the file.
var secretKeys = map[string]bool{
	"client_secret": true, "client_id": true, "secret": true, "password": true, "url": true,
	"database_url": true, "token": true, "access_token": true, "api_key": true,
}

func unknownKeyMsg(key string, fields map[string]reflect.StructField) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	shown := textfmt.Quote(displayKey(key))
	if displayKey(key) != key {
		return "unknown key: it is not a name (a value pasted where a key goes?); the keys here are " + strings.Join(names, ", ")
	}
	if alias, ok := keyAliases[key]; ok && fields[alias].Name != "" {
		return fmt.Sprintf("unknown key %s (the key is %q)", shown, alias)
	}
	if secretKeys[strings.ToLower(key)] {
		return fmt.Sprintf("unknown key %s: secrets are read from the environment only (see client_id_env, client_secret_env, url_env)", shown)
	}
	if envVarKeyRE.MatchString(key) {
		return fmt.Sprintf("unknown key %s: environment variables are set in the environment, not in this file (the *_env keys name them)", shown)
	}
	best, bestD := "", 3
	for _, n := range names {
		if d := textfmt.EditDistance(strings.ToLower(key), n, bestD); d < bestD {
			best, bestD = n, d
		}
	}
	if best != "" {
		return fmt.Sprintf("unknown key %s (did you mean %q?)", shown, best)
	}
	return fmt.Sprintf("unknown key %s (valid keys: %s)", shown, strings.Join(names, ", "))
}

// closest is the allowed word nearest to v, when one is close enough to be
// what was meant; "" otherwise. The suggestion is ours, so it may be shown.
func closest(v string, allowed []string) string {
	best, bestD := "", 3
	for _, a := range allowed {
		if d := textfmt.EditDistance(strings.ToLower(v), strings.ToLower(a), bestD); d < bestD && d < len(a) {
			best, bestD = a, d
		}
	}
	return best
}
