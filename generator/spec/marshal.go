package spec

import (
	"bytes"
	"encoding"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// Marshal writes s as a spec file that Load reads back: field order as in
// the types, two-space indentation, schemas and properties in their order.
//
// The output is exactly what gopkg.in/yaml.v3 writes for s (with
// Schemas.MarshalYAML), which is how Marshal used to work; on the large
// imported specs yaml.v3 spent most of an import re-encoding nested
// schemas, so the common case is written here directly, by a writer that
// makes the same choices as yaml.v3's emitter. Whatever that writer does
// not reproduce exactly (a key needing the "? " form, a string yaml.v3
// would not read back as written, a type with its own marshaller) makes
// Marshal fall back to yaml.v3 for the whole file.
// TestMarshalMatchesYAMLv3 holds the two to the same bytes.
//
// Why a second serializer: even one yaml.Node tree for the whole spec,
// encoded once by yaml.v3 (no per-node re-encoding), costs 4–7× this
// writer, 14–34% of the import stage on the large documents, against a
// 10% budget (BENCHMARKS.md, "Keeping spec.Marshal";
// BenchmarkMarshal/DOC/yaml.v3-node measures it).
func Marshal(s *Spec) ([]byte, error) {
	if out, err := marshalDirect(s); err == nil {
		return out, nil
	}
	return marshalYAMLv3(s)
}

// marshalDirect is Marshal without yaml.v3, or errFallback.
func marshalDirect(s *Spec) ([]byte, error) {
	if s == nil {
		return nil, errFallback
	}
	w := writer{buf: make([]byte, 0, 64<<10)}
	if err := w.value(reflect.ValueOf(s).Elem(), 0, atRoot); err != nil {
		return nil, err
	}
	return w.buf, nil
}

// marshalYAMLv3 is Marshal by gopkg.in/yaml.v3: the reference output and
// the fallback.
func marshalYAMLv3(s *Spec) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// errFallback stops the writer: yaml.v3 writes the file instead.
var errFallback = errors.New("spec: not written directly")

// writer writes block YAML the way yaml.v3's encoder does with
// SetIndent(2): each nesting level two spaces deeper, sequences indented
// under their key, a mapping or sequence that is a sequence item starting
// on the dash's line, empty ones as {} and [].
//
// The methods that write a value are called right after "key:" or "-" (or
// at the start of the document) and leave the output at the start of a
// line. col is the column of that key or dash; the value's own entries go
// two columns further in.
type writer struct {
	buf []byte
}

// at is where a value starts.
type at int

const (
	afterKey  at = iota // after "key:"
	afterDash           // after a sequence item's "-"
	atRoot              // the document itself
)

// value writes v, which follows "key:" or "-" at column col.
func (w *writer) value(v reflect.Value, col int, where at) error {
	switch v.Type() {
	case schemasType:
		return w.schemas(v.Interface().(Schemas), col, where)
	case additionalType:
		// (*AdditionalProperties).MarshalYAML: a schema or a boolean.
		a := v.Interface().(*AdditionalProperties)
		switch {
		case a == nil:
			w.scalar("null")
		case a.Schema != nil:
			return w.value(reflect.ValueOf(a.Schema), col, where)
		default:
			w.scalar(strconv.FormatBool(a.Allowed))
		}
		return nil
	}
	if !plainType(v.Type()) {
		return errFallback
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			w.scalar("null")
			return nil
		}
		return w.value(v.Elem(), col, where)
	case reflect.Struct:
		return w.structFields(v, col, where)
	case reflect.Map:
		return w.stringMap(v, col, where)
	case reflect.Slice, reflect.Array:
		return w.sequence(v, col, where)
	case reflect.String:
		return w.str(v.String(), col, where)
	case reflect.Bool:
		w.scalar(strconv.FormatBool(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.scalar(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w.scalar(strconv.FormatUint(v.Uint(), 10))
	case reflect.Float32, reflect.Float64:
		bits := 64
		if v.Kind() == reflect.Float32 {
			bits = 32
		}
		s := strconv.FormatFloat(v.Float(), 'g', -1, bits)
		switch s {
		case "+Inf":
			s = ".inf"
		case "-Inf":
			s = "-.inf"
		case "NaN":
			s = ".nan"
		}
		w.scalar(s)
	default:
		return errFallback
	}
	return nil
}

// plainType reports whether yaml.v3 writes t by its kind alone, with no
// marshaller of its own, no IsZero for omitempty and no special case
// (time.Time, time.Duration, yaml.Node); the writer leaves anything else
// to yaml.v3. It also leaves maps with keys that are not plain strings.
func plainType(t reflect.Type) bool {
	if v, ok := plainTypes.Load(t); ok {
		return v.(bool)
	}
	ok := !t.Implements(reflect.TypeFor[yaml.Marshaler]()) &&
		!t.Implements(reflect.TypeFor[encoding.TextMarshaler]()) &&
		!t.Implements(reflect.TypeFor[yaml.IsZeroer]()) &&
		t != reflect.TypeFor[time.Duration]() && t != reflect.TypeFor[time.Time]() &&
		t != reflect.TypeFor[yaml.Node]() && t != reflect.TypeFor[*yaml.Node]() &&
		(t.Kind() != reflect.Map || t.Key().Kind() == reflect.String && plainType(t.Key()))
	plainTypes.Store(t, ok)
	return ok
}

var plainTypes sync.Map // reflect.Type → bool

// scalar writes a value yaml.v3 writes as it is: numbers, booleans, null.
func (w *writer) scalar(s string) {
	w.buf = append(w.buf, ' ')
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\n')
}

// empty writes an empty mapping or sequence, "{}" or "[]".
func (w *writer) empty(s string, where at) {
	if where != atRoot {
		w.buf = append(w.buf, ' ')
	}
	w.buf = append(w.buf, s...)
	w.buf = append(w.buf, '\n')
}

// entry starts entry i of a block mapping or sequence whose entries are at
// column col: the first entry of a sequence item goes on the dash's line,
// the first entry of a key's value on the next line.
func (w *writer) entry(i, col int, where at) {
	switch {
	case i == 0 && where == afterDash:
		w.buf = append(w.buf, ' ')
		return
	case i == 0 && where == afterKey:
		w.buf = append(w.buf, '\n')
	}
	for range col {
		w.buf = append(w.buf, ' ')
	}
}

// inner is the column of the entries of a collection at col.
func inner(col int, where at) int {
	if where == atRoot {
		return 0
	}
	return col + 2
}

// structFields writes a struct as yaml.v3's structv does: fields in order,
// keyed by their yaml tag (or lower-cased name), omitempty fields left out
// when yaml.v3 deems them zero.
func (w *writer) structFields(v reflect.Value, col int, where at) error {
	fields, err := fieldsFor(v.Type())
	if err != nil {
		return err
	}
	n := 0
	for _, f := range fields {
		fv := v.Field(f.index)
		if f.omitEmpty && isZero(fv) {
			continue
		}
		w.entry(n, inner(col, where), where)
		n++
		if err := w.key(f.name, true); err != nil {
			return err
		}
		if err := w.value(fv, inner(col, where), afterKey); err != nil {
			return err
		}
	}
	if n == 0 {
		w.empty("{}", where)
	}
	return nil
}

// schemas writes Schemas as Schemas.MarshalYAML has yaml.v3 write them.
func (w *writer) schemas(ss Schemas, col int, where at) error {
	if len(ss) == 0 {
		w.empty("{}", where)
		return nil
	}
	for i, s := range ss {
		w.entry(i, inner(col, where), where)
		// Schemas.MarshalYAML makes the names yaml.Nodes tagged !!str,
		// which yaml.v3 quotes only when they would read back as another
		// type; Go strings it also quotes when YAML 1.1 would read them
		// so (yes, no, 1:20).
		if err := w.key(s.Name, false); err != nil {
			return err
		}
		if err := w.value(reflect.ValueOf(s.Schema), inner(col, where), afterKey); err != nil {
			return err
		}
	}
	return nil
}

// stringMap writes a map with string keys in yaml.v3's key order.
func (w *writer) stringMap(v reflect.Value, col int, where at) error {
	if v.Len() == 0 {
		w.empty("{}", where)
		return nil
	}
	keys := v.MapKeys()
	slices.SortFunc(keys, func(a, b reflect.Value) int {
		switch {
		case keyLess(a.String(), b.String()):
			return -1
		case keyLess(b.String(), a.String()):
			return 1
		}
		return 0
	})
	for i, k := range keys {
		w.entry(i, inner(col, where), where)
		if err := w.key(k.String(), true); err != nil {
			return err
		}
		if err := w.value(v.MapIndex(k), inner(col, where), afterKey); err != nil {
			return err
		}
	}
	return nil
}

// sequence writes a block sequence.
func (w *writer) sequence(v reflect.Value, col int, where at) error {
	if v.Len() == 0 {
		w.empty("[]", where)
		return nil
	}
	for i := range v.Len() {
		w.entry(i, inner(col, where), where)
		w.buf = append(w.buf, '-')
		if err := w.value(v.Index(i), inner(col, where), afterDash); err != nil {
			return err
		}
	}
	return nil
}

// field is one struct field as yaml.v3 writes it.
type field struct {
	index     int
	name      string
	omitEmpty bool
}

var fieldCache sync.Map // reflect.Type → []field, or errFallback

// fieldsFor lists the fields yaml.v3's getStructInfo would, in order;
// flags this writer does not reproduce (flow, inline, embedded structs)
// make it give up.
func fieldsFor(t reflect.Type) ([]field, error) {
	if c, ok := fieldCache.Load(t); ok {
		if fs, ok := c.([]field); ok {
			return fs, nil
		}
		return nil, errFallback
	}
	var fs []field
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			fieldCache.Store(t, errFallback)
			return nil, errFallback
		}
		if !sf.IsExported() {
			continue
		}
		// isZero, which tells omitempty fields apart, trusts kinds. A
		// field of another type (pointers and interfaces aside, which
		// are zero when nil either way) is left to yaml.v3, even one it
		// does not write, since its isZero looks at every field.
		if k := sf.Type.Kind(); k != reflect.Pointer && k != reflect.Interface &&
			sf.Type != schemasType && !plainType(sf.Type) {
			fieldCache.Store(t, errFallback)
			return nil, errFallback
		}
		tag := sf.Tag.Get("yaml")
		if tag == "" && !strings.Contains(string(sf.Tag), ":") {
			tag = string(sf.Tag)
		}
		if tag == "-" {
			continue
		}
		name, flags, _ := strings.Cut(tag, ",")
		f := field{index: i, name: name}
		if flags != "" {
			for flag := range strings.SplitSeq(flags, ",") {
				if flag != "omitempty" {
					fieldCache.Store(t, errFallback)
					return nil, errFallback
				}
				f.omitEmpty = true
			}
		}
		if f.name == "" {
			f.name = strings.ToLower(sf.Name)
		}
		fs = append(fs, f)
	}
	fieldCache.Store(t, fs)
	return fs, nil
}

// isZero is yaml.v3's test for omitempty.
func isZero(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return v.Len() == 0
	case reflect.Interface, reflect.Pointer:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.Len() == 0
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return v.Int() == 0
	case reflect.Float32, reflect.Float64:
		return v.Float() == 0
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return v.Uint() == 0
	case reflect.Bool:
		return !v.Bool()
	case reflect.Struct:
		if _, err := fieldsFor(v.Type()); err != nil {
			return false // not zero, so that writing it falls back
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() && !isZero(v.Field(i)) {
				return false
			}
		}
		return true
	}
	return false
}

// keyLess is the order yaml.v3 sorts string map keys in: runs of digits
// compare as numbers, letters before other characters.
func keyLess(a, b string) bool {
	ar, br := []rune(a), []rune(b)
	digits := false
	for i := 0; i < len(ar) && i < len(br); i++ {
		if ar[i] == br[i] {
			digits = unicode.IsDigit(ar[i])
			continue
		}
		al := unicode.IsLetter(ar[i])
		bl := unicode.IsLetter(br[i])
		if al && bl {
			return ar[i] < br[i]
		}
		if al || bl {
			if digits {
				return al
			}
			return bl
		}
		var ai, bi int
		var an, bn int64
		if ar[i] == '0' || br[i] == '0' {
			for j := i - 1; j >= 0 && unicode.IsDigit(ar[j]); j-- {
				if ar[j] != '0' {
					an = 1
					bn = 1
					break
				}
			}
		}
		for ai = i; ai < len(ar) && unicode.IsDigit(ar[ai]); ai++ {
			an = an*10 + int64(ar[ai]-'0')
		}
		for bi = i; bi < len(br) && unicode.IsDigit(br[bi]); bi++ {
			bn = bn*10 + int64(br[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return ar[i] < br[i]
	}
	return len(ar) < len(br)
}

// Scalar styles, as yaml.v3 names them.
type style int

const (
	plain style = iota
	singleQuoted
	doubleQuoted
	literal
)

// str writes a Go string value after "key:" or "-" at column col.
func (w *writer) str(s string, col int, where at) error {
	st, err := chooseStyle(s, true, false)
	if err != nil {
		return err
	}
	if st == literal && s[0] == ' ' && where == afterDash {
		// yaml.v3 writes an indentation indicator that does not fit a
		// sequence item, and fails to read that back inside a schema.
		return errFallback
	}
	w.buf = append(w.buf, ' ')
	if st != literal {
		w.quoted(s, st)
		w.buf = append(w.buf, '\n')
		return nil
	}
	// A literal block: "|", an indentation indicator when the text starts
	// with a space, "-" when it has no final line break and "+" when it
	// has more than one; then the lines at col+2, empty lines without
	// indentation.
	w.buf = append(w.buf, '|')
	if s[0] == ' ' {
		w.buf = append(w.buf, '2')
	}
	switch {
	case s[len(s)-1] != '\n':
		w.buf = append(w.buf, '-')
	case len(s) == 1 || s[len(s)-2] == '\n':
		w.buf = append(w.buf, '+')
	}
	w.buf = append(w.buf, '\n')
	for line := range strings.SplitAfterSeq(s, "\n") {
		if line != "\n" && line != "" {
			for range col + 2 {
				w.buf = append(w.buf, ' ')
			}
		}
		w.buf = append(w.buf, line...)
	}
	if s[len(s)-1] != '\n' {
		w.buf = append(w.buf, '\n')
	}
	return nil
}

// key writes a mapping key and its colon. stringRule is yaml.v3's rule
// for Go strings; schema names follow its rule for !!str nodes.
func (w *writer) key(s string, stringRule bool) error {
	st, err := chooseStyle(s, stringRule, true)
	if err != nil {
		return err
	}
	w.quoted(s, st)
	w.buf = append(w.buf, ':')
	return nil
}

// quoted writes s plain, single- or double-quoted.
func (w *writer) quoted(s string, st style) {
	switch st {
	case plain:
		w.buf = append(w.buf, s...)
	case singleQuoted:
		w.buf = append(w.buf, '\'')
		for i := 0; i < len(s); i++ {
			if s[i] == '\'' {
				w.buf = append(w.buf, '\'')
			}
			w.buf = append(w.buf, s[i])
		}
		w.buf = append(w.buf, '\'')
	case doubleQuoted:
		w.buf = append(w.buf, '"')
		for _, r := range s {
			if printable(r) && !isBreak(r) && r != '"' && r != '\\' {
				w.buf = utf8.AppendRune(w.buf, r)
				continue
			}
			w.buf = append(w.buf, '\\')
			switch r {
			case 0:
				w.buf = append(w.buf, '0')
			case '\a':
				w.buf = append(w.buf, 'a')
			case '\b':
				w.buf = append(w.buf, 'b')
			case '\t':
				w.buf = append(w.buf, 't')
			case '\n':
				w.buf = append(w.buf, 'n')
			case '\v':
				w.buf = append(w.buf, 'v')
			case '\f':
				w.buf = append(w.buf, 'f')
			case '\r':
				w.buf = append(w.buf, 'r')
			case 0x1b:
				w.buf = append(w.buf, 'e')
			case '"':
				w.buf = append(w.buf, '"')
			case '\\':
				w.buf = append(w.buf, '\\')
			case 0x85:
				w.buf = append(w.buf, 'N')
			case 0xA0:
				w.buf = append(w.buf, '_')
			case 0x2028:
				w.buf = append(w.buf, 'L')
			case 0x2029:
				w.buf = append(w.buf, 'P')
			default:
				digits := 8
				switch {
				case r <= 0xFF:
					w.buf, digits = append(w.buf, 'x'), 2
				case r <= 0xFFFF:
					w.buf, digits = append(w.buf, 'u'), 4
				default:
					w.buf = append(w.buf, 'U')
				}
				for k := (digits - 1) * 4; k >= 0; k -= 4 {
					w.buf = append(w.buf, "0123456789ABCDEF"[(r>>k)&0xF])
				}
			}
		}
		w.buf = append(w.buf, '"')
	}
}

// chooseStyle is the style yaml.v3 writes s in, in block context: the
// style its encoder asks for, then the emitter's analysis of what s
// allows (yaml_emitter_analyze_scalar and select_scalar_style). It
// returns errFallback for strings this writer does not reproduce: invalid
// UTF-8 (base64-encoded), keys that are not simple, a byte order mark at
// the start (every character escaped), line breaks other than \n in a
// literal or single-quoted string, a literal starting with a line break
// (which yaml.v3 does not read back as written), and "<<" (which
// Schemas.MarshalYAML reads back as a merge key and writes tagged).
func chooseStyle(s string, stringRule, key bool) (style, error) {
	if !utf8.ValidString(s) || strings.HasPrefix(s, "\uFEFF") || key && len(s) > 128 || s == "<<" {
		return 0, errFallback
	}
	// What the encoder asks for.
	if s == "" {
		return doubleQuoted, nil // plain, it would read back as null
	}
	want := plain
	switch {
	case strings.IndexByte(s, '\n') >= 0:
		want = literal
	case mayResolve(s[0]) && (&yaml.Node{Kind: yaml.ScalarNode, Value: s}).ShortTag() != "!!str":
		want = doubleQuoted // would read back as a number, boolean, null...
	case stringRule && (isBase60Float(s) || isOldBool(s)):
		want = doubleQuoted
	}

	// What s allows.
	var (
		blockIndicators, lineBreaks, otherBreaks, special, tabs  bool
		leadingSpace, leadingBreak, trailingSpace, trailingBreak bool
		breakSpace, spaceBreak, prevSpace, prevBreak             bool
	)
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockIndicators = true
	}
	precededByWhitespace := true
	for i, size := 0, 0; i < len(s); i += size {
		r := rune(s[i])
		size = 1
		if r >= utf8.RuneSelf {
			r, size = utf8.DecodeRuneInString(s[i:])
		}
		followedByWhitespace := i+size >= len(s) || s[i+size] == ' ' || s[i+size] == '\t'
		if i == 0 {
			switch r {
			case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
				blockIndicators = true
			case '?', ':', '-':
				if followedByWhitespace {
					blockIndicators = true
				}
			}
		} else {
			switch r {
			case ':':
				if followedByWhitespace {
					blockIndicators = true
				}
			case '#':
				if precededByWhitespace {
					blockIndicators = true
				}
			}
		}
		if r == '\t' {
			tabs = true
		} else if !printable(r) {
			special = true
		}
		last := i+size == len(s)
		switch {
		case r == ' ':
			leadingSpace = leadingSpace || i == 0
			trailingSpace = trailingSpace || last
			breakSpace = breakSpace || prevBreak
			prevSpace, prevBreak = true, false
		case isBreak(r):
			lineBreaks = true
			otherBreaks = otherBreaks || r != '\n'
			leadingBreak = leadingBreak || i == 0
			trailingBreak = trailingBreak || last
			spaceBreak = spaceBreak || prevSpace
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		precededByWhitespace = r == ' ' || r == '\t' || r == 0 || isBreak(r)
	}
	plainAllowed := !(leadingSpace || leadingBreak || trailingSpace || trailingBreak ||
		breakSpace || spaceBreak || tabs || special || lineBreaks || blockIndicators)
	singleAllowed := !(breakSpace || spaceBreak || tabs || special)
	blockAllowed := !(trailingSpace || spaceBreak || special)

	if key && lineBreaks {
		return 0, errFallback // not a simple key
	}
	st := want
	if st == plain && !plainAllowed {
		st = singleQuoted
	}
	if st == singleQuoted && !singleAllowed {
		st = doubleQuoted
	}
	if st == literal && (!blockAllowed || key) {
		st = doubleQuoted
	}
	if (st == literal || st == singleQuoted) && otherBreaks || st == literal && leadingBreak {
		return 0, errFallback
	}
	return st, nil
}

// mayResolve reports whether yaml.v3 reads a plain scalar starting with c
// as anything but a string, given the rest: its resolve looks no further
// unless c is one of these (numbers, booleans, null, .inf, .nan).
func mayResolve(c byte) bool {
	return c >= '0' && c <= '9' || strings.IndexByte("+-.~yYnNtTfFoO", c) >= 0
}

// printable is yaml.v3's is_printable for a whole character.
func printable(r rune) bool {
	return r == '\n' || r >= 0x20 && r <= 0x7E || r >= 0xA0 && r <= 0xD7FF ||
		r >= 0xE000 && r <= 0xFFFD && r != 0xFEFF
}

// isBreak is yaml.v3's is_break: CR, LF, NEL, LS, PS.
func isBreak(r rune) bool {
	return r == '\r' || r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029
}

// isBase60Float and isOldBool are yaml.v3's: Go strings that YAML 1.1
// would read as sexagesimal numbers or booleans are double-quoted.
func isBase60Float(s string) bool {
	if s == "" {
		return false
	}
	c := s[0]
	if !(c == '+' || c == '-' || c >= '0' && c <= '9') || strings.IndexByte(s, ':') < 0 {
		return false
	}
	return base60float.MatchString(s)
}

var base60float = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

func isOldBool(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "off", "Off", "OFF":
		return true
	}
	return false
}
