package feed

import (
	"strconv"
	"strings"
	"unicode"
)

// Field names one attribute of an employee record. Its string form is the
// column name of our CSV layout and the key of the JSONL layout.
type Field uint8

// The fields a feed can carry.
const (
	FieldEmployeeID Field = iota
	FieldEmail
	FieldName
	FieldTitle
	FieldDepartment
	FieldManagerEmployeeID
	FieldManagerEmail
	FieldDivision
	FieldState
	FieldSkills
	FieldLanguages
	FieldQueues
	FieldRoles
	FieldACDAutoAnswer
	FieldPhoneWork
	FieldExtension
	FieldLocation
	FieldHireDate
	FieldEmployeeType
	FieldUtilization
	FieldDefaultStation
	FieldProfileSkills
	FieldAction
	numFields
)

var fieldNames = [numFields]string{
	FieldEmployeeID:        "employee_id",
	FieldEmail:             "email",
	FieldName:              "name",
	FieldTitle:             "title",
	FieldDepartment:        "department",
	FieldManagerEmployeeID: "manager_employee_id",
	FieldManagerEmail:      "manager_email",
	FieldDivision:          "division",
	FieldState:             "state",
	FieldSkills:            "skills",
	FieldLanguages:         "languages",
	FieldQueues:            "queues",
	FieldRoles:             "roles",
	FieldACDAutoAnswer:     "acd_auto_answer",
	FieldPhoneWork:         "phone_work",
	FieldExtension:         "extension",
	FieldLocation:          "location",
	FieldHireDate:          "hire_date",
	FieldEmployeeType:      "employee_type",
	FieldUtilization:       "utilization",
	FieldDefaultStation:    "default_station",
	FieldProfileSkills:     "profile_skills",
	FieldAction:            "action",
}

// aliases are spellings of our columns that HR exports commonly use.
var aliases = map[string]Field{
	"employee_number": FieldEmployeeID, "employee_no": FieldEmployeeID, "emp_id": FieldEmployeeID,
	"e_mail": FieldEmail, "email_address": FieldEmail, "work_email": FieldEmail,
	"full_name": FieldName, "display_name": FieldName,
	"job_title":             FieldTitle,
	"manager_id":            FieldManagerEmployeeID,
	"manager_email_address": FieldManagerEmail,
	"auto_answer":           FieldACDAutoAnswer,
	"work_phone":            FieldPhoneWork,
	"phone_extension":       FieldExtension,
	"work_location":         FieldLocation,
	"date_hire":             FieldHireDate, "date_of_hire": FieldHireDate, "hired_on": FieldHireDate,
	"employment_type":     FieldEmployeeType,
	"utilization_profile": FieldUtilization,
	"station":             FieldDefaultStation,
}

// adminAliases maps the column names of the Genesys Cloud admin CSV import
// ("Add people with .csv file import") that are not our field names to our
// fields. Any one of them in a header marks the admin-import layout.
var adminAliases = map[string]Field{
	"email_manager":   FieldManagerEmail,
	"roles_divisions": FieldRoles,
	"location_work":   FieldLocation,
}

// adminColumns are the columns of the admin-import template, in its
// documented order (hire_date is the newer template's last column). A header
// made of these columns only, with phone_work or extension among them, is
// read in the admin-import layout even without one of adminAliases: its
// list and manager cells then follow the importer's rules too.
var adminColumns = []string{"name", "email", "phone_work", "extension", "title", "department", "email_manager",
	"location_work", "roles_divisions", "queues", "division", "skills", "hire_date"}

func (f Field) String() string {
	if f < numFields {
		return fieldNames[f]
	}
	return "field(" + strconv.Itoa(int(f)) + ")"
}

// ParseField returns the field called name: our column name or a common
// variant of it (see aliases), in any case, with spaces, hyphens or
// camelCase for underscores.
func ParseField(name string) (Field, bool) {
	n := normalizeHeader(name)
	for f, s := range fieldNames {
		if s == n {
			return Field(f), true
		}
	}
	f, ok := aliases[n]
	return f, ok
}

// Fields returns every field in column order.
func Fields() []Field {
	out := make([]Field, numFields)
	for i := range out {
		out[i] = Field(i)
	}
	return out
}

// FieldSet is a set of fields. A record's set says which attributes the
// feed speaks for: an attribute outside the set is left as it is.
type FieldSet uint32

// Has reports whether f is in the set.
func (s FieldSet) Has(f Field) bool { return s&(1<<f) != 0 }

// With returns the set plus f.
func (s FieldSet) With(f ...Field) FieldSet {
	for _, x := range f {
		s |= 1 << x
	}
	return s
}

// Without returns the set minus f.
func (s FieldSet) Without(f ...Field) FieldSet {
	for _, x := range f {
		s &^= 1 << x
	}
	return s
}

// List returns the fields of the set in column order.
func (s FieldSet) List() []Field {
	var out []Field
	for f := range numFields {
		if s.Has(f) {
			out = append(out, f)
		}
	}
	return out
}

func (s FieldSet) String() string {
	var b strings.Builder
	for i, f := range s.List() {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(f.String())
	}
	return b.String()
}

// MarshalText writes the set as a comma-separated list of field names.
func (s FieldSet) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a comma-separated list of field names.
func (s *FieldSet) UnmarshalText(b []byte) error {
	set, err := ParseFieldSet(string(b))
	if err != nil {
		return err
	}
	*s = set
	return nil
}

// ParseFieldSet reads a comma-separated list of field names.
func ParseFieldSet(list string) (FieldSet, error) {
	var s FieldSet
	for part := range strings.SplitSeq(list, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		f, ok := ParseField(part)
		if !ok {
			return 0, &unknownFieldError{name: part}
		}
		s = s.With(f)
	}
	return s, nil
}

type unknownFieldError struct{ name string }

func (e *unknownFieldError) Error() string { return "unknown feed field " + `"` + e.name + `"` }

// normalizeHeader folds a column header to our spelling: trimmed, lower
// case, with underscores for spaces, hyphens and camelCase humps
// ("Employee ID", "employee-id" and "employeeId" are all employee_id).
func normalizeHeader(h string) string {
	h = strings.TrimSpace(h)
	var b strings.Builder
	prev := rune(0)
	for _, r := range h {
		switch {
		case r == ' ' || r == '-' || r == '.':
			r = '_'
		case unicode.IsUpper(r) && (unicode.IsLower(prev) || unicode.IsDigit(prev)):
			b.WriteByte('_')
		}
		if r == '_' && prev == '_' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
		prev = r
	}
	return b.String()
}
