// Package names turns spec names (action names, schema names, JSON property
// names, parameter names, enum values) into Go identifiers. It is the one
// naming function of conngen: every Go name in generated code comes from
// here, so the rules live in one place and are tested as a table.
package names

import (
	"go/token"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Initialisms are written in upper case when they form a whole word, as Go
// style asks (userId -> UserID, apiUrl -> APIURL).
var Initialisms = map[string]bool{
	"ACL": true, "API": true, "ASCII": true, "CPU": true, "CSS": true, "CSV": true,
	"DNS": true, "EOF": true, "GUID": true, "HTML": true, "HTTP": true,
	"HTTPS": true, "ID": true, "IDS": true, "IP": true, "JSON": true, "JWT": true, "LHS": true,
	"OS": true, "QPS": true, "RAM": true, "RHS": true, "RPC": true, "SLA": true,
	"SMTP": true, "SQL": true, "SSH": true, "SSO": true, "TCP": true, "TLS": true, "TTL": true,
	"UDP": true, "UI": true, "UID": true, "URI": true, "URL": true, "UTF8": true,
	"UUID": true, "VM": true, "XML": true, "XMPP": true, "XSRF": true, "XSS": true,
}

// Go returns an exported Go identifier for s: words split at
// non-alphanumerics and lower-to-upper case changes, each capitalised,
// initialisms upper-cased. A name that would start with a digit gets an "X"
// in front; a name with no letters or digits at all becomes "X".
func Go(s string) string {
	var b strings.Builder
	for _, w := range Words(s) {
		up := strings.ToUpper(w)
		if Initialisms[up] {
			if up == "IDS" {
				up = "IDs"
			}
			b.WriteString(up)
			continue
		}
		r, n := utf8.DecodeRuneInString(w)
		b.WriteRune(unicode.ToUpper(r))
		b.WriteString(w[n:])
	}
	name := b.String()
	if name == "" {
		return "X"
	}
	if r, _ := utf8.DecodeRuneInString(name); !unicode.IsLetter(r) || !unicode.IsUpper(r) {
		name = "X" + name
	}
	if !token.IsIdentifier(name) {
		return "X" // unreachable by construction; keeps the promise of a valid identifier
	}
	return name
}

// Words splits s into words: at every character that is not a letter or a
// digit, at lower-to-upper changes ("userId" -> user, Id), and before the
// last upper-case letter of an upper-case run followed by a lower-case one
// ("HTTPServer" -> HTTP, Server). Digits stay with the word before them.
func Words(s string) []string {
	var words []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			words = append(words, string(cur))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i, r := range rs {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 && unicode.IsUpper(r) {
			prev := cur[len(cur)-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return words
}

// Set hands out unique names: the first request for a name gets it, later
// ones get the name with 2, 3, ... appended. Seed it with reserved names.
type Set struct{ used map[string]bool }

// NewSet returns a Set in which the reserved names are already taken.
func NewSet(reserved ...string) *Set {
	s := &Set{used: map[string]bool{}}
	for _, r := range reserved {
		s.used[r] = true
	}
	return s
}

// Has reports whether name is taken.
func (s *Set) Has(name string) bool { return s.used[name] }

// Unique returns name, or name2, name3, ... whichever is free first, and
// takes it.
func (s *Set) Unique(name string) string {
	cand := name
	for i := 2; s.used[cand]; i++ {
		cand = name + strconv.Itoa(i)
	}
	s.used[cand] = true
	return cand
}
