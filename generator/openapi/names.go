package openapi

import (
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

func isUpper(b byte) bool  { return b >= 'A' && b <= 'Z' }
func isLower(b byte) bool  { return b >= 'a' && b <= 'z' }
func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return isUpper(b) || isLower(b) }
func isAlnum(b byte) bool  { return isLetter(b) || isDigit(b) }

// splitWords splits s into words at every character that is not an ASCII
// letter or digit and at camel-case boundaries ("listForOrg" -> list For
// Org, "HTTPServer" -> HTTP Server, "v1Users" -> v1 Users).
func splitWords(s string) []string {
	var words []string
	for _, part := range strings.FieldsFunc(s, func(r rune) bool {
		return r >= utf8.RuneSelf || !isAlnum(byte(r))
	}) {
		start := 0
		for i := 1; i < len(part); i++ {
			prev, cur := part[i-1], part[i]
			split := (isLower(prev) || isDigit(prev)) && isUpper(cur) ||
				isUpper(prev) && isUpper(cur) && i+1 < len(part) && isLower(part[i+1])
			if split {
				words = append(words, part[start:i])
				start = i
			}
		}
		words = append(words, part[start:])
	}
	return words
}

// lowerCamel joins the words of s in lowerCamelCase: "repos/list-for-org"
// -> "reposListForOrg", "GetUser" -> "getUser", "GET_USER" -> "getUser".
// The result starts with a letter ("op" is prepended otherwise) or is "".
func lowerCamel(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r < utf8.RuneSelf && isLower(byte(r)) }) {
		s = strings.ToLower(s)
	}
	words := splitWords(s)
	var b strings.Builder
	for i, w := range words {
		if i == 0 {
			b.WriteString(strings.ToLower(w))
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]))
		b.WriteString(w[1:])
	}
	out := b.String()
	if out != "" && !isLower(out[0]) {
		out = "op" + out
	}
	return out
}

// goName is the Go identifier the generator makes of a spec name.
func goName(s string) string { return names.Go(s) }

// connectorName derives the connector name from a title: lowercase
// letters and digits only, starting with a letter.
func connectorName(title string) string {
	var b strings.Builder
	for i := 0; i < len(title); i++ {
		c := title[i]
		switch {
		case isUpper(c):
			b.WriteByte(c + 'a' - 'A')
		case isLower(c):
			b.WriteByte(c)
		case isDigit(c) && b.Len() > 0:
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "connector"
	}
	return b.String()
}

// foldKey is the key under which two names count as the same after Go
// naming: the Go name, case-folded.
func foldKey(s string) string {
	return strings.ToLower(goName(s))
}

// sepFold is s case-folded without the separators naming removes.
func sepFold(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUpper(c):
			b.WriteByte(c + 'a' - 'A')
		case c == '.' || c == '-' || c == '_':
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// schemaName makes a component name fit ^[A-Za-z_][A-Za-z0-9_.-]*$.
func schemaName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '_' || c == '.' || c == '-' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "_.-")
	if out == "" {
		return "Schema"
	}
	if !isLetter(out[0]) {
		out = "Schema" + out
	}
	return out
}

// schemaNames hands out schema names unique under foldKey.
type schemaNames struct {
	used map[string]bool
}

func (n *schemaNames) unique(want string) string {
	base := schemaName(want)
	name := base
	for i := 2; n.used[foldKey(name)] || n.used["\x00"+sepFold(name)]; i++ {
		name = base + strconv.Itoa(i)
	}
	n.used[foldKey(name)] = true
	n.used["\x00"+sepFold(name)] = true
	return name
}

// reservedConfig are the Config fields every connector has (folded); a
// connection parameter may not Go-name to one of them.
var reservedConfig = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range spec.ConfigFields {
		m[strings.ToLower(f)] = true
	}
	return m
}()

// connParamName makes a server variable name a valid connection parameter
// name: ^[a-zA-Z][A-Za-z0-9_]*$, not Go-naming to a Config field
// ("baseUrl" -> "baseUrlParam").
func connParamName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAlnum(c) || c == '_' {
			b.WriteByte(c)
		} else {
			b.WriteByte('_')
		}
	}
	out := strings.Trim(b.String(), "_")
	if out == "" {
		out = "param"
	}
	if !isLetter(out[0]) {
		out = "p" + out
	}
	if reservedConfig[strings.ToLower(goName(out))] || reservedConfig[sepFold(out)] {
		out += "Param"
	}
	return out
}

// reservedActions are the connector's own methods.
var reservedActions = func() map[string]bool {
	m := map[string]bool{}
	for _, r := range spec.ReservedMethods() {
		m[r] = true
	}
	return m
}()

// actionNames hands out action names that are valid and unique after Go
// naming, that are not the connector's own methods, and of which none is
// another's name + "All" (the paginated iterator).
type actionNames struct {
	used map[string]bool // Go names
}

func (a *actionNames) taken(name string) bool {
	g := goName(name)
	if a.used[g] || reservedActions[g] || a.used[g+"All"] {
		return true
	}
	if base, ok := strings.CutSuffix(g, "All"); ok && base != "" && a.used[base] {
		return true
	}
	return false
}

func (a *actionNames) unique(want string) string {
	name := want
	for i := 2; a.taken(name); i++ {
		name = want + strconv.Itoa(i)
	}
	a.used[goName(name)] = true
	return name
}
