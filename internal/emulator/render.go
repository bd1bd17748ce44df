package emulator

import (
	"slices"
	"strconv"
	"unicode/utf8"
)

// The user listing is the emulator's hot path (thousands of pages a second),
// so users are written by hand-rolled appenders instead of encoding/json
// reflection. Everything else uses encoding/json. Tests decode every answer
// with encoding/json, which keeps these appenders honest.

const hexDigits = "0123456789abcdef"

// jsonSafe marks the bytes a JSON string can hold unescaped.
var jsonSafe = func() (t [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// appendStr appends s as a JSON string.
func appendStr(b []byte, s string) []byte {
	b = append(b, '"')
	i := 0
	for i < len(s) && jsonSafe[s[i]] {
		i++
	}
	if i == len(s) {
		b = append(b, s...)
		return append(b, '"')
	}
	return appendStrSlow(b, s, i)
}

// appendStrSlow escapes s from byte i on (s[:i] needs no escaping).
func appendStrSlow(b []byte, s string, i int) []byte {
	start := 0
	for i < len(s) {
		c := s[i]
		if jsonSafe[c] {
			i++
			continue
		}
		if c < utf8.RuneSelf {
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// appendKey appends "key": after a comma unless first.
func appendKey(b []byte, key string, first bool) []byte {
	if !first {
		b = append(b, ',')
	}
	b = append(b, '"')
	b = append(b, key...)
	return append(b, '"', ':')
}

func appendField(b []byte, key, val string, first bool) []byte {
	return appendStr(appendKey(b, key, first), val)
}

func appendIntField(b []byte, key string, v int, first bool) []byte {
	return strconv.AppendInt(appendKey(b, key, first), int64(v), 10)
}

func appendBoolField(b []byte, key string, v bool) []byte {
	return strconv.AppendBool(appendKey(b, key, false), v)
}

// appendRef appends {"id","name","selfUri"} with selfUri = prefix+id.
func appendRef(b []byte, e entity, prefix string) []byte {
	b = append(b, '{')
	b = appendField(b, "id", e.id, true)
	b = appendField(b, "name", e.name, false)
	b = appendKey(b, "selfUri", false)
	b = append(b, '"')
	b = append(b, prefix...)
	b = append(b, e.id...)
	return append(b, '"', '}')
}

// rendered is the cached JSON of a user's unexpanded fields, valid while
// the org's write sequence is still seq.
type rendered struct {
	seq uint64
	b   []byte
}

// appendUser appends user i as the API's User model with the expands in exp.
//
// The unexpanded fields come from a per-user cache filled on first use and
// invalidated by any write to the org (org.seq moves on every Server.write),
// so a listing that is read again and again costs little more than a
// copy, and no write can leave a stale rendering behind.
func (o *org) appendUser(b []byte, i int32, exp expand) []byte {
	u := &o.users[i]
	if c := o.cache[i].Load(); c != nil && c.seq == o.seq {
		b = append(b, c.b...)
	} else {
		start := len(b)
		b = o.appendUserBase(b, u)
		o.cache[i].Store(&rendered{seq: o.seq, b: slices.Clone(b[start:])})
	}
	return append(o.appendExpands(b, u, exp), '}')
}

// appendUserBase appends the unexpanded fields of u: the opening brace and
// every field up to selfUri, without the closing brace.
func (o *org) appendUserBase(b []byte, u *user) []byte {
	b = append(b, '{')
	b = appendField(b, "id", u.id, true)
	b = appendField(b, "name", u.name, false)
	b = appendKey(b, "division", false)
	b = appendRef(b, o.divisions[u.division].entity, "/api/v2/authorization/divisions/")
	b = append(b, `,"chat":{"jabberId":"`...)
	b = append(b, u.id...)
	b = append(b, `@emulator.inindca.com"}`...)
	b = appendField(b, "department", u.department, false)
	b = appendField(b, "email", u.email, false)
	b = append(b, `,"primaryContactInfo":[{"address":`...)
	b = appendStr(b, u.email)
	b = append(b, `,"mediaType":"EMAIL","type":"PRIMARY"}],"addresses":`...)
	b = appendContacts(b, u.addresses)
	b = appendField(b, "state", u.state.String(), false)
	b = appendField(b, "title", u.title, false)
	b = appendField(b, "username", u.username, false)
	if u.manager >= 0 {
		m := o.users[u.manager].id
		b = append(b, `,"manager":{"id":"`...)
		b = append(b, m...)
		b = append(b, `","selfUri":"/api/v2/users/`...)
		b = append(b, m...)
		b = append(b, `"}`...)
	}
	b = appendIntField(b, "version", int(u.version), false)
	b = appendBoolField(b, "acdAutoAnswer", u.acdAutoAnswer)
	b = append(b, `,"selfUri":"/api/v2/users/`...)
	b = append(b, u.id...)
	return append(b, '"')
}

// appendExpands appends the expanded fields exp of u.
func (o *org) appendExpands(b []byte, u *user, exp expand) []byte {
	if exp&expSkills != 0 {
		b = appendKey(b, "skills", false)
		b = append(b, '[')
		for k, s := range u.skills {
			if k > 0 {
				b = append(b, ',')
			}
			b = o.appendUserSkill(b, u, s, false)
		}
		b = append(b, ']')
	}
	if exp&expLanguages != 0 {
		b = appendKey(b, "languages", false)
		b = append(b, '[')
		for k, s := range u.languages {
			if k > 0 {
				b = append(b, ',')
			}
			b = o.appendUserSkill(b, u, s, true)
		}
		b = append(b, ']')
	}
	if exp&expGroups != 0 {
		b = appendKey(b, "groups", false)
		b = append(b, '[')
		for k, g := range u.groups {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, o.groupFrags[g]...)
		}
		b = append(b, ']')
	}
	if exp&expLocations != 0 {
		b = appendKey(b, "locations", false)
		b = append(b, '[')
		for k, l := range u.locations {
			if k > 0 {
				b = append(b, ',')
			}
			e := o.locations[l]
			b = append(b, `{"id":`...)
			b = appendStr(b, e.id)
			b = append(b, `,"locationDefinition":`...)
			b = appendRef(b, e, "/api/v2/locations/")
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if exp&expAuthorization != 0 {
		roles, perms := o.userRoles(u)
		b = append(b, `,"authorization":{"roles":[`...)
		for k, r := range roles {
			if k > 0 {
				b = append(b, ',')
			}
			b = append(b, '{')
			b = appendField(b, "id", o.roles[r].id, true)
			b = appendField(b, "name", o.roles[r].name, false)
			b = append(b, '}')
		}
		b = append(b, `],"unusedRoles":[],"permissions":[`...)
		for k, p := range perms {
			if k > 0 {
				b = append(b, ',')
			}
			b = appendStr(b, p)
		}
		b = append(b, "]}"...)
	}
	if exp&(expStation|expProfileSkills|expDateWelcomeSent|expDateLastLogin) != 0 {
		b = o.appendLifecycle(b, u, exp)
	}
	if exp&expPeople != 0 {
		b = o.appendPeople(b, u, exp)
	}
	if exp&expEmployerInfo != 0 {
		b = append(b, `,"employerInfo":{`...)
		b = appendField(b, "officialName", u.name, true)
		b = appendField(b, "employeeId", u.employeeID, false)
		b = appendField(b, "employeeType", u.employeeType, false)
		b = appendField(b, "dateHire", u.dateHire, false)
		b = append(b, '}')
	}
	return b
}

// skillFrag is the constant JSON around one skill (or language) in a
// user's list: everything but the proficiency and the user id.
type skillFrag struct {
	head string // {"id":…,"name":…,"proficiency":
	mid  string // ,"state":"active","skillUri":…,"selfUri":"/api/v2/users/
	tail string // /routingskills/{id}"}
}

// skillFrags renders the fragments of every skill (or language) once.
func skillFrags(es []entity, language bool) []skillFrag {
	uriKey, uriPrefix, sub := "skillUri", "/api/v2/routing/skills/", "/routingskills/"
	if language {
		uriKey, uriPrefix, sub = "languageUri", "/api/v2/routing/languages/", "/routinglanguages/"
	}
	out := make([]skillFrag, len(es))
	for k, e := range es {
		var b []byte
		b = append(b, '{')
		b = appendField(b, "id", e.id, true)
		b = appendField(b, "name", e.name, false)
		b = appendKey(b, "proficiency", false)
		out[k].head = string(b)
		b = append(b[:0], `,"state":"active",`...)
		b = appendStr(b, uriKey)
		b = append(b, ':')
		b = appendStr(b, uriPrefix+e.id)
		b = append(b, `,"selfUri":"/api/v2/users/`...)
		out[k].mid = string(b)
		b = append(b[:0], sub...)
		b = append(b, e.id...)
		b = append(b, '"', '}')
		out[k].tail = string(b)
	}
	return out
}

// appendUserSkill appends a UserRoutingSkill (or UserRoutingLanguage).
func (o *org) appendUserSkill(b []byte, u *user, s skillRef, language bool) []byte {
	frags := o.skillFrags
	if language {
		frags = o.languageFrags
	}
	f := frags[s.ref]
	b = append(b, f.head...)
	b = strconv.AppendFloat(b, s.proficiency, 'f', -1, 64)
	b = append(b, f.mid...)
	b = append(b, u.id...)
	return append(b, f.tail...)
}
