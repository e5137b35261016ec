package search

import (
	"html"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	reTag    = regexp.MustCompile(`<[^>]*>`)
	reMDLink = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	reURL    = regexp.MustCompile(`https?://\S+`)
)

// stripMarkup reduces HTML or markdown to its words: tags go, entities
// are decoded, a link keeps its text and loses its address, bare URLs go.
// (Markdown's markers, `*_#>|~, are not letters: splitWords drops them.)
func stripMarkup(s string) string {
	if strings.ContainsRune(s, '<') {
		s = reTag.ReplaceAllString(s, " ")
	}
	if strings.ContainsRune(s, '&') {
		s = html.UnescapeString(s)
	}
	if strings.ContainsRune(s, '[') {
		s = reMDLink.ReplaceAllString(s, "$1")
	}
	if strings.Contains(s, "://") {
		s = reURL.ReplaceAllString(s, " ")
	}
	return s
}

// firstSentence is s up to the end of its first sentence (a period,
// question or exclamation mark followed by a space, or a line break).
func firstSentence(s string) string {
	s = strings.TrimSpace(s)
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\n':
			return s[:i]
		case '.', '?', '!':
			if i+1 == len(s) || s[i+1] == ' ' || s[i+1] == '\n' {
				return s[:i+1]
			}
		}
	}
	return s
}

// splitWords splits s into lowercase words: at every character that is
// not a letter or digit (spaces, punctuation, "_", "-", "/", "{"), and
// inside camelCase words (issuesCreate → issues create, HTTPServer →
// http server), before a digit that follows a letter (oauth2 → oauth 2;
// "3d" stays whole) and before a capitalized word after a digit
// (oauth2Token → oauth 2 token). An apostrophe ends a word and what follows it
// ("customer's", "I've") is dropped.
func splitWords(s string) []string {
	if isASCII(s) {
		return splitASCII(s)
	}
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		if r == '\'' || r == '’' {
			flush()
			for i+1 < len(rs) && unicode.IsLetter(rs[i+1]) {
				i++
			}
			continue
		}
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush()
			continue
		}
		if len(cur) > 0 {
			prev := cur[len(cur)-1]
			switch {
			case unicode.IsUpper(r) && unicode.IsLower(prev), // issuesCreate
				unicode.IsUpper(r) && unicode.IsUpper(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]), // HTTPServer
				unicode.IsDigit(r) && unicode.IsLetter(prev),                                             // oauth2, v1; but 3d stays
				unicode.IsUpper(r) && unicode.IsDigit(prev) && i+1 < len(rs) && unicode.IsLower(rs[i+1]): // oauth2Token
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// splitASCII is splitWords for ASCII text, without converting to runes.
func splitASCII(s string) []string {
	out := make([]string, 0, len(s)/5+1)
	var buf [64]byte
	cur := buf[:0]
	flush := func() {
		if len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '\'' {
			flush()
			for i+1 < len(s) && isLetter(s[i+1]) {
				i++
			}
			continue
		}
		if !isLetter(c) && !isDigit(c) {
			flush()
			continue
		}
		if i > 0 && len(cur) > 0 {
			prev := s[i-1]
			switch {
			case isUpper(c) && isLower(prev),
				isUpper(c) && isUpper(prev) && i+1 < len(s) && isLower(s[i+1]),
				isDigit(c) && isLetter(prev),
				isUpper(c) && isDigit(prev) && i+1 < len(s) && isLower(s[i+1]):
				flush()
			}
		}
		if isUpper(c) {
			c += 'a' - 'A'
		}
		cur = append(cur, c)
	}
	flush()
	return out
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isLower(c byte) bool  { return c >= 'a' && c <= 'z' }
func isUpper(c byte) bool  { return c >= 'A' && c <= 'Z' }
func isLetter(c byte) bool { return isLower(c) || isUpper(c) }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }

// stem reduces an English word to a stem shared by its plural, -ing and
// -ed forms: a light, conservative suffix stripper (not Porter's), so
// that "issues", "issue" and "issued" meet, as do "starred", "starring"
// and "star". Words of three letters or fewer, and words with digits, are
// kept as they are.
func stem(w string) string {
	if len(w) <= 3 || !isASCIIAlpha(w) {
		return w
	}
	stripped := false
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4, strings.HasSuffix(w, "ied") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "zzes"):
		w = w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
	case strings.HasSuffix(w, "s"):
		w = w[:len(w)-1]
	case strings.HasSuffix(w, "ing") && len(w) >= 6 && hasVowel(w[:len(w)-3]):
		w, stripped = w[:len(w)-3], true
	case strings.HasSuffix(w, "ed") && len(w) >= 5 && hasVowel(w[:len(w)-2]):
		w, stripped = w[:len(w)-2], true
	}
	if stripped {
		n := len(w)
		if n >= 2 && w[n-1] == w[n-2] && !strings.ContainsRune("aeioulsz", rune(w[n-1])) {
			w = w[:n-1] // starr → star, runn → run; bill, pass, buzz kept
		}
	}
	if len(w) > 3 && strings.HasSuffix(w, "e") && !strings.HasSuffix(w, "ee") {
		w = w[:len(w)-1] // create, creates, created, creating → creat
	}
	return w
}

func isASCIIAlpha(w string) bool {
	for i := 0; i < len(w); i++ {
		if c := w[i]; c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func hasVowel(w string) bool { return strings.ContainsAny(w, "aeiouy") }
