// Package spec holds the connector spec (format 1) as users write it, the
// strict YAML loader that records a position for every node, and the
// validator that reports every problem at once.
//
// The types mirror the spec format (docs/spec.md) field for
// field; the yaml tags are the spec's field names. Marshal (marshal.go)
// writes a Spec as the spec file conngen import outputs, the bytes that
// gopkg.in/yaml.v3 would write for it, by a faster writer of its own that
// falls back to yaml.v3 for what it does not reproduce; Load reads it back.
package spec

// Format is the spec format this package reads and writes.
const Format = 1

// Spec is one connector spec file.
type Spec struct {
	Conngen      int    `yaml:"conngen"`
	Name         string `yaml:"name"`
	Title        string `yaml:"title,omitempty"`
	Description  string `yaml:"description,omitempty"`
	Version      string `yaml:"version,omitempty"`
	DocsURL      string `yaml:"docsURL,omitempty"`
	SupportEmail string `yaml:"supportEmail,omitempty"`

	BaseURL    string      `yaml:"baseURL"`
	Connection []ConnParam `yaml:"connection,omitempty"`
	Auth       Auth        `yaml:"auth"`

	Headers   map[string]string `yaml:"headers,omitempty"`
	Retry     *Retry            `yaml:"retry,omitempty"`
	RateLimit *RateLimit        `yaml:"rateLimit,omitempty"`
	Ping      *Ping             `yaml:"ping,omitempty"`
	Schemas   Schemas           `yaml:"schemas,omitempty"`
	Actions   []Action          `yaml:"actions,omitempty"`
	Webhooks  *Webhooks         `yaml:"webhooks,omitempty"`
	Monitors  []Monitor         `yaml:"monitors,omitempty"`
}

// ConnParam is a value the user supplies when creating a connection.
type ConnParam struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description,omitempty"`
	Required    bool     `yaml:"required,omitempty"`
	Secret      bool     `yaml:"secret,omitempty"`
	Default     string   `yaml:"default,omitempty"`
	Enum        []string `yaml:"enum,omitempty"`
}

// Auth types.
const (
	AuthNone   = "none"
	AuthBasic  = "basic"
	AuthBearer = "bearer"
	AuthAPIKey = "apiKey"
	AuthOAuth2 = "oauth2"
	AuthCustom = "custom"
)

// OAuth2 grants.
const (
	GrantAuthorizationCode = "authorizationCode"
	GrantClientCredentials = "clientCredentials"
)

// Auth is the authentication setup. Which fields apply depends on Type.
type Auth struct {
	Type string `yaml:"type"`

	// oauth2
	Grant           string            `yaml:"grant,omitempty"`
	AuthorizeURL    string            `yaml:"authorizeURL,omitempty"`
	TokenURL        string            `yaml:"tokenURL,omitempty"`
	RefreshURL      string            `yaml:"refreshURL,omitempty"`
	Scopes          []string          `yaml:"scopes,omitempty"`
	ScopeSeparator  *string           `yaml:"scopeSeparator,omitempty"`
	PKCE            bool              `yaml:"pkce,omitempty"`
	ClientAuth      string            `yaml:"clientAuth,omitempty"` // header | body
	AuthorizeParams map[string]string `yaml:"authorizeParams,omitempty"`
	TokenParams     map[string]string `yaml:"tokenParams,omitempty"`
	RevokeURL       string            `yaml:"revokeURL,omitempty"` // RFC 7009 revocation endpoint: Client.Revoke

	// apiKey
	In   string `yaml:"in,omitempty"` // header | query | cookie
	Name string `yaml:"name,omitempty"`

	// apiKey and bearer
	Prefix *string `yaml:"prefix,omitempty"`

	// bearer
	Header string `yaml:"header,omitempty"`

	// custom: values are templates over connection parameters ("SSWS {apiToken}")
	Headers map[string]string `yaml:"headers,omitempty"`
	Query   map[string]string `yaml:"query,omitempty"`
}

// Retry is the retry policy; absent fields take the defaults in the contract.
type Retry struct {
	MaxAttempts *int     `yaml:"maxAttempts,omitempty"`
	Statuses    []int    `yaml:"statuses,omitempty"`
	Methods     []string `yaml:"methods,omitempty"`
	MaxWait     string   `yaml:"maxWait,omitempty"` // Go duration, e.g. 30s
}

// RateLimit is a client-side token bucket.
type RateLimit struct {
	RequestsPerSecond float64 `yaml:"requestsPerSecond"`
	Burst             int     `yaml:"burst,omitempty"`
}

// Ping is the AuthPing call.
type Ping struct {
	Method string `yaml:"method,omitempty"`
	Path   string `yaml:"path"`
	Expect []int  `yaml:"expect,omitempty"`
}

// Action is one endpoint of the service.
type Action struct {
	Name        string   `yaml:"name"`
	Title       string   `yaml:"title,omitempty"`
	Description string   `yaml:"description,omitempty"`
	Method      string   `yaml:"method"`
	Path        string   `yaml:"path"`
	Scopes      []string `yaml:"scopes,omitempty"`
	// Auth, when set, replaces the connector's auth for this action: type
	// none sends no credentials; type custom sends its headers and query,
	// templates over connection parameters, as custom auth does. For an
	// endpoint that takes another credential than the rest of the API.
	Auth     *Auth     `yaml:"auth,omitempty"`
	Params   []Param   `yaml:"params,omitempty"`
	Body     *Body     `yaml:"body,omitempty"`
	Response *Response `yaml:"response,omitempty"`
	Paginate *Paginate `yaml:"paginate,omitempty"`
	// Events: the service can also answer with Server-Sent Events
	// (stream.go); the package gets <Action>Events.
	Events *Events `yaml:"events,omitempty"`
}

// Param locations.
const (
	InPath   = "path"
	InQuery  = "query"
	InHeader = "header"
	InCookie = "cookie" // apiKey auth only; not an action param location
)

// Param is a path, query or header parameter of an action.
type Param struct {
	Name        string  `yaml:"name"`
	In          string  `yaml:"in"`
	Required    bool    `yaml:"required,omitempty"`
	Description string  `yaml:"description,omitempty"`
	Schema      *Schema `yaml:"schema,omitempty"`
	// Style, for query params whose schema is an object or an array, is
	// how the value is written: "form" (the default) or "deepObject"
	// (name[k1]=v1, nested name[a][b]=v, lists name[0]=v).
	Style string `yaml:"style,omitempty"`
	// Explode, for query params: true (default) repeats the key for a list
	// (ids=1&ids=2) and writes an object's properties as parameters of
	// their own (k1=v1&k2=v2); false joins the values with commas into one
	// (ids=1,2; name=k1,v1,k2,v2).
	Explode *bool `yaml:"explode,omitempty"`
}

// Query param styles.
const (
	StyleForm       = "form"
	StyleDeepObject = "deepObject"
)

// Body content types.
const (
	ContentJSON      = "application/json"
	ContentForm      = "application/x-www-form-urlencoded"
	ContentMultipart = "multipart/form-data"
	ContentBinary    = "application/octet-stream"
)

// Body is an action's request body.
type Body struct {
	ContentType string  `yaml:"contentType,omitempty"` // default application/json
	Required    bool    `yaml:"required,omitempty"`
	Description string  `yaml:"description,omitempty"`
	Schema      *Schema `yaml:"schema,omitempty"`
	// FormArrays, for form bodies, writes lists of scalars as repeated keys
	// ("repeat", the default: tags=a&tags=b), with brackets ("brackets":
	// tags[]=a) or with indexes ("indexed": tags[0]=a, as Stripe wants).
	FormArrays string `yaml:"formArrays,omitempty"`
}

// Response describes an action's 2xx body.
type Response struct {
	Description string  `yaml:"description,omitempty"`
	Schema      *Schema `yaml:"schema,omitempty"`
	// Stream hands a non-JSON 2xx body over unread, with no size cap: the
	// method returns *Response[io.ReadCloser] (stream.go).
	Stream bool `yaml:"stream,omitempty"`
	// Accept lists the media types the action reads, sent as its Accept
	// header; default application/json (*/* with stream).
	Accept []string `yaml:"accept,omitempty"`
	// Redirect says that the documented answer is a redirect (3xx): it is
	// not followed, and comes back as an *APIError with its Header.
	Redirect bool `yaml:"redirect,omitempty"`
}

// Pagination styles.
const (
	PageOffset     = "offset"
	PagePage       = "page"
	PageCursor     = "cursor"
	PageNextURL    = "nextURL"
	PageLinkHeader = "linkHeader"
)

// Paginate says how an action's results are split into pages.
type Paginate struct {
	Style      string `yaml:"style"`
	Items      string `yaml:"items,omitempty"`
	Limit      string `yaml:"limit,omitempty"`
	Offset     string `yaml:"offset,omitempty"`
	Page       string `yaml:"page,omitempty"`
	Cursor     string `yaml:"cursor,omitempty"`
	NextCursor string `yaml:"nextCursor,omitempty"`
	Next       string `yaml:"next,omitempty"`
}
