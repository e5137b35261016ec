// Package model is the resolved connector: every Go name and Go type is
// decided here, once, from a validated spec. The emitter only renders it.
package model

import (
	"slices"
	"time"

	"github.com/conngen/conngen/generator/spec"
)

// Connector is everything the emitter needs to write one package.
type Connector struct {
	Name           string // Go package name
	Title          string
	Description    string
	Version        string
	DocsURL        string
	DefaultBaseURL string
	UserAgent      string

	Conn      []*ConnParam
	Auth      Auth
	Headers   []KV // default headers, sorted by name
	Retry     Retry
	RateLimit *spec.RateLimit
	Ping      *Ping // nil when the spec has none (auth none)

	Types    []*Type // named types, in declaration order
	Actions  []*Action
	Webhooks *Webhooks // nil when the spec has none
	Monitors []*Monitor

	// Actions as data (registry.go): one Entry per action, the $defs
	// they share, and the Config fields a command line fills.
	Registry     []*Entry
	Defs         []*Def
	SchemaPieces []SchemaPiece // what Actions() assembles its schemas from
	// PackSchemas: the registry's schema text is large (over
	// PackSchemasOver) and carried compressed, unpacked at first use.
	PackSchemas bool
	// SchemasWhole: the schema pieces are whole schemas, $defs included,
	// as Actions() returns them: the registry is small (WholeSchemasUnder).
	SchemasWhole bool
	// InputChecks are the functions of a compiled input check (check.go),
	// each action's Input first; nil when the interpreter checks input.
	InputChecks []*CheckFunc
	// inputKeywords are the schema keywords the Inputs use, their $defs
	// included (schemaKeywords): the input checker's pieces follow them.
	inputKeywords map[string]bool
	// inputRecursive is whether some Input's $defs lead back to themselves.
	inputRecursive bool
	AuthFields     []AuthField   // the credential fields of Config, in order
	ConfigFields   []ConfigField // the Config fields conngen call and mcp fill

	// What the runtime must do; Runtime is decided from them.
	NeedsPaginate bool
	NeedsEncode   bool // form or multipart bodies
	NeedsQuery    bool // object (or deepObject) query params: query.go
	NeedsUnion    bool // oneOf/anyOf types with JSON methods
	NeedsStream   bool // streamed responses or events (stream.go)
	NeedsSSE      bool // Server-Sent Events (sse.go)
	// ExpandBaseURL: New fills {placeholders} of the base URL from the
	// non-secret connection parameters (expandBaseURL); without any, it
	// only parses it (parseBaseURL).
	ExpandBaseURL bool

	// Runtime lists the template files and pieces the package carries.
	Runtime Runtime
	// SecretHeaders are the headers guardRedirects drops on a redirect to
	// another host: the connector's credential headers, then the actions' own.
	SecretHeaders []string

	Warnings []string
	Work     Work // what Build did, against its budget
}

// KV is an ordered key and value.
type KV struct{ Key, Value string }

// ConnParam is a connection parameter: a Config field.
type ConnParam struct {
	Name        string // as in the spec and in {placeholders}
	GoName      string
	Description string
	Required    bool
	Secret      bool
	Default     string
	Enum        []string
	// OnlyInBaseURL: the parameter fills a baseURL placeholder and nothing
	// else, so a Config.BaseURL override makes it unnecessary.
	OnlyInBaseURL bool
}

// Auth is the resolved authentication setup.
type Auth struct {
	Type  string // spec.Auth* constants
	Grant string

	AuthorizeURL string // with authorizeParams appended as a query string
	TokenURL     string
	RefreshURL   string // "" when it is TokenURL
	Scopes       []string
	ScopeSep     string
	PKCE         bool
	ClientAuth   string // header | body
	TokenParams  []KV
	RevokeURL    string // RFC 7009 endpoint; "" when the connector has no Revoke

	// bearer, apiKey: where the credential goes
	In     string // header | query | cookie
	Key    string // header, query or cookie name
	Prefix string

	// SecretHeaders carry credentials under names net/http does not know
	// to drop on a redirect to another host.
	SecretHeaders []string

	// custom
	CustomHeaders []Template
	CustomQuery   []Template
}

// Params are the connection parameters that custom auth's templates use,
// each once, in the order the headers and then the query name them.
func (a *Auth) Params() []*ConnParam {
	var out []*ConnParam
	for _, t := range append(slices.Clone(a.CustomHeaders), a.CustomQuery...) {
		for _, p := range t.Parts {
			if p.Param != nil && !slices.Contains(out, p.Param) {
				out = append(out, p.Param)
			}
		}
	}
	return out
}

// Template is a header or query value built from literal text and
// connection parameters.
type Template struct {
	Key   string
	Parts []TemplatePart
}

// TemplatePart is literal text, or the connection parameter Param.
type TemplatePart struct {
	Literal string
	Param   *ConnParam
}

// Retry is the resolved retry policy.
type Retry struct {
	MaxAttempts int
	Statuses    []int
	Methods     []string
	MaxWait     time.Duration
}

// Ping is the resolved AuthPing call.
type Ping struct {
	Method string
	Path   string
	Expect []int
}

// TypeKind says how a Go type is written.
type TypeKind int

const (
	Builtin TypeKind = iota // string, int, bool, any, ...
	Named                   // a type declared in the package
	Qual                    // a type from another package: time.Time, json.RawMessage, io.Reader
	Slice
	Map     // map[string]Elem
	Pointer // *Elem
)

// GoType is a reference to a Go type.
type GoType struct {
	Kind TypeKind
	Name string // Builtin, Named, Qual
	Path string // Qual: import path
	Elem *GoType

	// IsStruct is true for a Named struct type (pointer rules depend on it);
	// Nilable for a Named type whose zero value is nil (slices, maps, raw JSON).
	IsStruct bool
	Nilable  bool
}

// Common types.
var (
	RawJSON    = &GoType{Kind: Qual, Path: "encoding/json", Name: "RawMessage"}
	TimeType   = &GoType{Kind: Qual, Path: "time", Name: "Time"}
	Reader     = &GoType{Kind: Qual, Path: "io", Name: "Reader"}
	ReadCloser = &GoType{Kind: Qual, Path: "io", Name: "ReadCloser"}
	AnyType    = &GoType{Kind: Builtin, Name: "any"}
	String     = &GoType{Kind: Builtin, Name: "string"}
)

// IsNilable reports whether the zero value of t is nil, so optional values
// of t need no pointer.
func (t *GoType) IsNilable() bool {
	switch t.Kind {
	case Slice, Map, Pointer:
		return true
	case Qual:
		return t == RawJSON || t == Reader || t == ReadCloser || t.Name == "RawMessage"
	case Builtin:
		return t.Name == "any"
	case Named:
		return t.Nilable
	}
	return false
}

// Ptr returns *t.
func Ptr(t *GoType) *GoType { return &GoType{Kind: Pointer, Elem: t} }

// DeclKind says what a named type is.
type DeclKind int

const (
	Struct      DeclKind = iota
	Enum                 // a defined string type with constants
	Alias                // type X = Underlying
	DeclDefined          // type X Underlying
	Union                // a struct with one pointer per alternative and JSON methods
)

// Type is a named type declaration.
type Type struct {
	Name       string
	Doc        string
	Kind       DeclKind
	Fields     []*Field   // Struct
	Underlying *GoType    // Alias
	Values     []EnumItem // Enum

	// Union: the alternatives, told apart by Discriminator (a property
	// name) when set, else by the JSON kind of the value.
	Variants      []*Variant
	Discriminator string
}

// Variant is one alternative of a union.
type Variant struct {
	GoName string  // the field
	Type   *GoType // the field type (a pointer unless nilable)
	Kind   byte    // JSON kind: '{' object, '[' array, '"' string, '0' number, 't' boolean
	Tag    string  // the discriminator value
}

// EnumItem is one constant of an enum type.
type EnumItem struct {
	GoName string
	Value  string
}

// Field is a struct field.
type Field struct {
	GoName    string
	JSONName  string
	Doc       string
	Type      *GoType
	OmitEmpty bool
	// OmitZero: the tag says omitzero instead (a nil map or slice is left
	// out, an empty one is sent).
	OmitZero bool
}

// Action is one endpoint method.
type Action struct {
	Name        string // spec name
	GoName      string
	Title       string
	Description string
	Method      string
	Path        string      // as in the spec, for docs
	Segments    []Segment   // the path, split at {params}
	Params      []*Param    // path, query and header params in spec order
	ParamsType  string      // "" when the action takes only ctx
	Body        *Body       // nil when none
	Result      *GoType     // type of Response.Body
	Paginate    *Pagination // nil when not paginated
	Scopes      []string
	// Auth replaces the connector's auth for this action (type none or
	// custom); nil when the action uses the connector's.
	Auth *Auth
	// Stream: the 2xx body is handed over unread; Result is io.ReadCloser.
	Stream bool
	// Events: the service can answer with Server-Sent Events; nil when not.
	Events *Events
	// Accept is the spec's response.accept joined with ", "; "" leaves
	// Accept to the connector's headers, else the runtime's default
	// (application/json; */* for a stream; text/event-stream for events).
	Accept string
	// Redirect: the documented answer is a 3xx, not followed.
	Redirect bool
	// SharedRequest: more than the action's method builds its Request
	// (its iterator, events method or a monitor), so its Params have a
	// request method; else the method builds it itself, one function
	// fewer for the compiler.
	SharedRequest bool
}

// Segment is literal path text, or a path param.
type Segment struct {
	Literal string
	Param   *Param
}

// Param is an action parameter: a field of the Params struct.
type Param struct {
	Name        string // wire name
	In          string
	GoName      string
	Description string
	Required    bool
	Type        *GoType // the field type (pointer when optional scalar)
	Elem        *GoType // Type without the optional pointer
	IsList      bool    // a slice: one value per element
	Explode     bool    // list query params: repeat the key (true) or join with commas
	// QueryStyle is set for a query param encoded by the runtime's
	// encodeQuery: "form" or "deepObject" (an object, or a deepObject list).
	QueryStyle string
}

// How a param's value is written into the request (Param.Writing), each
// with the runtime function that writes it.
const (
	WritePath  = "path"  // a path segment escaped: escapePath of its Text
	WriteDigit = "digit" // a path segment that cannot need escaping (a number or a bool): its Text
	WriteStyle = "style" // encodeQuery (QueryStyle)
	WriteEach  = "each"  // a list, one value per element, each its Text
	WriteJoin  = "join"  // a list of strings joined with commas: strings.Join
	WriteList  = "list"  // any other list joined with commas: formatList
	WriteOne   = "one"   // one value, left out when a nil pointer: the set helper of its Text
)

// Writing is how p's value is written into the request.
func (p *Param) Writing() string {
	switch {
	case p.In == "path" && (p.Text() == TextInt || p.Text() == TextBool):
		return WriteDigit
	case p.In == "path":
		return WritePath
	case p.QueryStyle != "":
		return WriteStyle
	case p.IsList && p.Explode:
		return WriteEach
	case p.IsList && p.Text() == TextString:
		return WriteJoin
	case p.IsList:
		return WriteList
	}
	return WriteOne
}

// How a param's value (a list param's element) becomes text, each kind
// written by its own runtime helper or strconv call, so that no connector
// needs reflect for its params (Param.Text).
const (
	TextString  = "string"
	TextInt     = "int"     // int, int32, int64: strconv.FormatInt
	TextFloat32 = "float32" // strconv.FormatFloat(v, 'f', -1, 32)
	TextFloat64 = "float64"
	TextBool    = "bool"
	TextTime    = "time" // RFC 3339
	TextOther   = ""     // anything else: the runtime's formatParam
)

// Value is the type of p's value, or of each element of a list param.
func (p *Param) Value() *GoType {
	if p.IsList && p.Elem.Kind == Slice {
		return p.Elem.Elem
	}
	return p.Elem
}

// Text is how p's Value becomes text.
func (p *Param) Text() string {
	t := p.Value()
	if t == TimeType {
		return TextTime
	}
	if t.Kind != Builtin {
		return TextOther
	}
	switch t.Name {
	case "string":
		return TextString
	case "int", "int32", "int64":
		return TextInt
	case "float32":
		return TextFloat32
	case "float64":
		return TextFloat64
	case "bool":
		return TextBool
	}
	return TextOther
}

// setters are the runtime helpers that write one query or header value
// (WriteOne) by its Text, each with the piece that holds it; a TextOther
// value is written inline with formatParam.
var setters = map[string][2]string{
	TextString:  {"setText", PieceSetText},
	TextInt:     {"setInt", PieceSetInt},
	TextFloat32: {"setFloat", PieceSetFloat},
	TextFloat64: {"setFloat", PieceSetFloat},
	TextBool:    {"setBool", PieceSetBool},
	TextTime:    {"setTime", PieceSetTime},
}

// Setter is the runtime helper that writes p (WriteOne) and its piece; ok
// is false when p is written inline.
func (p *Param) Setter() (name, piece string, ok bool) {
	s, ok := setters[p.Text()]
	return s[0], s[1], ok
}

// Body is an action's request body: the Body field of the Params struct.
type Body struct {
	GoName      string
	ContentType string
	Required    bool
	Description string
	Type        *GoType // the field type (pointer when optional struct)
	FormArrays  string  // form bodies: repeat, brackets or indexed
}

// Pagination is a paginated action's iterator.
type Pagination struct {
	Method   string // the iterator's Go name, GoName + "All"
	Item     *GoType
	Paginate spec.Paginate
}
