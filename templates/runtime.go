package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// maxResponseBytes caps how much of a response body is read, so a
// misbehaving server cannot exhaust memory. A var only so tests can lower it.
var maxResponseBytes int64 = 64 << 20

// Request is a call to any endpoint of the service.
type Request struct {
	Method      string
	RelativeURL string // joined to the base URL; may carry its own query string
	Query       url.Values
	Headers     http.Header // merged over the default and auth headers
	Body        any         // nil; []byte or io.Reader sent as is; anything else encoded as JSON
	//conngen:if actionauth

	action string // set by a generated action whose spec gives it its own auth
	//conngen:end
	// accept is the Accept header of a generated action whose spec names
	// the media types it reads; Headers wins over it, and it over the
	// connector's default headers.
	accept string
	// acceptDefault is what callInto, paginate and callStream read (JSON, or
	// anything for a stream), sent when no header and no accept says
	// otherwise.
	acceptDefault string
	//conngen:if noredirect
	// noRedirect is set by a generated action whose documented answer is a
	// redirect: a 3xx comes back as it is, not followed.
	noRedirect bool
	//conngen:end
	//conngen:if stream
	// stream is set by CustomActionStream: the last answer's body is put
	// there unread instead of being read (so it is never retried once
	// handed over).
	stream *io.ReadCloser
	//conngen:end
}

// Response is a service answer with its body decoded into T.
type Response[T any] struct {
	StatusCode int
	Header     http.Header
	Body       T
}

// Client calls the service. Create it with New.
type Client struct {
	baseURL    *url.URL
	httpClient *http.Client
	headers    http.Header
	authorize  func(*http.Request) error
	retry      retryPolicy
	ping       pingSpec
	name       string
	//conngen:if actionauth

	// actionAuth replaces authorize for the actions (by spec name) whose
	// spec gives them their own auth; a nil func sends no credentials.
	actionAuth map[string]func(*http.Request) error
	//conngen:end
	//conngen:if ratelimit

	limiter interface{ Wait(context.Context) error }
	//conngen:end
	//conngen:if revoke

	// revoke revokes the connection's token (revoke.go, with a revokeURL);
	// then ended holds the error every call returns without sending.
	revoke func(context.Context) error
	ended  atomic.Value // error
	//conngen:end
}

type retryPolicy struct {
	maxAttempts int // total attempts, the first included
	statuses    []int
	methods     []string
	maxWait     time.Duration // cap of one wait, Retry-After included; 0: none
	baseDelay   time.Duration // first backoff; 0: 500ms
}

type pingSpec struct {
	method, path string
	expect       []int
}

// PingResult tells whether the connection's credentials work.
type PingResult struct {
	Working         bool // the ping's status is one the spec expects
	ServiceResponse ServiceResponse
}

// ServiceResponse summarises the ping's answer.
type ServiceResponse struct {
	StatusCode int    // 0 when no response came back
	Body       string // "The connection is successful", or why not
}

// APIError is a non-2xx answer to an action.
type APIError struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	Message    string // the service's own message when the body has a common error shape
}

func (e *APIError) Error() string {
	s := strings.TrimSpace(fmt.Sprintf("%d %s", e.StatusCode, http.StatusText(e.StatusCode)))
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}

// Ptr returns a pointer to v, for optional fields and params.
func Ptr[T any](v T) *T { return &v }

// CustomAction calls any endpoint of the service with the connection's auth.
// It returns the response whatever its status; err only for transport or
// encoding failures.
func (c *Client) CustomAction(ctx context.Context, req Request) (*Response[[]byte], error) {
	return c.httpHelper(ctx, req)
}

//conngen:if stream

// CustomActionStream is CustomAction with the body handed over unread as
// soon as the headers arrive, with no size cap, whatever the status. The
// caller must close resp.Body. (Only a connector whose spec streams a
// response has it.)
func (c *Client) CustomActionStream(ctx context.Context, req Request) (*Response[io.ReadCloser], error) {
	var body io.ReadCloser
	req.stream = &body
	resp, err := c.httpHelper(ctx, req)
	if err != nil {
		return nil, err
	}
	return &Response[io.ReadCloser]{StatusCode: resp.StatusCode, Header: resp.Header, Body: body}, nil
}

//conngen:end

// AuthPing makes the spec's smallest authenticated call. It never returns an
// error: failures are reported in the result.
func (c *Client) AuthPing(ctx context.Context) PingResult {
	resp, err := c.httpHelper(ctx, Request{Method: c.ping.method, RelativeURL: c.ping.path})
	if err != nil {
		return PingResult{ServiceResponse: ServiceResponse{Body: err.Error()}}
	}
	expect := c.ping.expect
	if len(expect) == 0 {
		expect = []int{http.StatusOK}
	}
	if hasStatus(expect, resp.StatusCode) {
		return PingResult{Working: true, ServiceResponse: ServiceResponse{StatusCode: resp.StatusCode, Body: "The connection is successful"}}
	}
	e := newAPIError(resp)
	if e.Message == "" && !json.Valid(resp.Body) {
		e.Message = bodySnippet(resp.Body)
	}
	return PingResult{ServiceResponse: ServiceResponse{StatusCode: resp.StatusCode, Body: e.Error()}}
}

// bodySnippet makes a short single-line excerpt of a non-JSON body (an HTML or
// text error page) so a ping failure still says something.
func bodySnippet(b []byte) string {
	s := strings.Join(strings.Fields(strings.ToValidUTF8(string(b), "")), " ")
	if utf8.RuneCountInString(s) > 200 {
		s = string([]rune(s)[:200])
	}
	return s
}

//conngen:if actions

// callInto sends req and decodes a 2xx body into body, a pointer (to a
// json.RawMessage or []byte: the body as it came); any other status is an
// *APIError. It is not generic, and no wrapper of it is: an action's
// method declares its own Response[T] and fills it, so a connector
// compiles the call once, not again for each response type.
func (c *Client) callInto(ctx context.Context, req Request, body any) (int, http.Header, error) {
	req.acceptDefault = "application/json"
	resp, err := c.httpHelper(ctx, req)
	if err != nil {
		return 0, nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return 0, nil, newAPIError(resp)
	}
	if raw, ok := ctx.Value(rawBodyKey{}).(*[]byte); ok {
		*raw = resp.Body // Invoke returns the body as it came
	}
	switch body := body.(type) {
	case *json.RawMessage:
		if len(resp.Body) > 0 {
			*body = bytes.Clone(resp.Body)
		}
	case *[]byte:
		*body = resp.Body
	default:
		if len(bytes.TrimSpace(resp.Body)) == 0 {
			break // e.g. 204 No Content: zero T
		}
		if err := json.Unmarshal(resp.Body, body); err != nil {
			path, _, _ := strings.Cut(req.RelativeURL, "?")
			return 0, nil, c.errorf("decode %s %s response: %w", requestMethod(req), path, err)
		}
	}
	return resp.StatusCode, resp.Header, nil
}

//conngen:end

// newAPIError is the *APIError of resp. (Not inlined, like the other
// small helpers marked so: a helper inlined is compiled again at each of
// its calls, and a connector's compile time is mostly its runtime's.)
//
//go:noinline
func newAPIError(resp *Response[[]byte]) *APIError {
	return &APIError{StatusCode: resp.StatusCode, Header: resp.Header, Body: resp.Body, Message: errorMessage(resp.Body)}
}

// messageKeys are where common APIs put a human-readable error, most specific
// first: error_description beats OAuth2's terse "error" code, detail beats title.
var messageKeys = []string{"message", "error_description", "errorSummary", "error", "errors", "detail", "title", "msg", "error_message", "fault", "faultstring"}

// errorMessage extracts the service's message from a JSON error body, or "".
func errorMessage(body []byte) string {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return findMessage(v, 0)
}

// findMessage walks a few levels of objects (by messageKeys) and arrays (first
// element) for a non-empty string: {"error":{"message":..}}, {"errors":[..]}.
func findMessage(v any, depth int) string {
	if depth > 3 {
		return ""
	}
	switch v := v.(type) {
	case string:
		return strings.TrimSpace(v)
	case []any:
		if len(v) > 0 {
			return findMessage(v[0], depth+1)
		}
	case map[string]any:
		for _, k := range messageKeys {
			if m := findMessage(v[k], depth+1); m != "" {
				return m
			}
		}
	}
	return ""
}

// requestMethod is req's method, upper case; GET when empty.
//
//go:noinline
func requestMethod(req Request) string {
	if req.Method == "" {
		return http.MethodGet
	}
	return strings.ToUpper(req.Method)
}

// httpHelper is the one place where a request is built, authenticated,
// rate-limited, retried, sent and read. It returns the response whatever its
// status; err only for transport or encoding failures.
func (c *Client) httpHelper(ctx context.Context, req Request) (*Response[[]byte], error) {
	//conngen:if revoke
	if err, _ := c.ended.Load().(error); err != nil {
		return nil, err
	}
	//conngen:end
	method := requestMethod(req)
	u, err := c.requestURL(req.RelativeURL, req.Query)
	if err != nil {
		return nil, err
	}
	body, contentType, err := encodeRequestBody(req.Body)
	if err != nil {
		return nil, c.errorf("encode %s %s request body: %w", method, redactURL(u), err)
	}
	// Accept: a header of the request, else the action's own, else the
	// connector's default headers, else what the caller reads (send).
	accept := req.accept
	if accept == "" && c.headers.Get("Accept") == "" {
		accept = req.acceptDefault
	}
	hc := c.httpClient
	//conngen:if noredirect
	if req.noRedirect {
		hc = withoutRedirects(hc)
	}
	//conngen:end
	authorize := c.authorize
	//conngen:if actionauth
	if f, ok := c.actionAuth[req.action]; ok {
		authorize = f
	}
	//conngen:end
	attempts := 1
	for _, m := range c.retry.methods {
		if strings.EqualFold(m, method) {
			attempts = max(c.retry.maxAttempts, 1)
		}
	}
	var rb *readerBody
	if r, ok := req.Body.(io.Reader); ok {
		if rb = newReaderBody(r); rb.start < 0 {
			attempts = 1 // a one-shot reader cannot be sent twice
		}
		if rc, ok := r.(io.Closer); ok {
			defer rc.Close() // as http.NewRequest would
		}
	}
	for attempt := 1; ; attempt++ {
		//conngen:if ratelimit
		if c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				return nil, c.urlError(method, u, err)
			}
		}
		//conngen:end
		resp, transient, err := c.send(ctx, hc, method, u, body, rb, contentType, accept, &req, authorize)
		retry := attempt < attempts && ctx.Err() == nil &&
			(transient || err == nil && hasStatus(c.retry.statuses, resp.StatusCode))
		if !retry {
			return resp, err
		}
		//conngen:if stream
		if req.stream != nil && *req.stream != nil {
			(*req.stream).Close() // not handed over: another attempt follows
			*req.stream = nil
		}
		//conngen:end
		var h http.Header
		if resp != nil {
			h = resp.Header
		}
		t := time.NewTimer(c.retry.wait(attempt, h))
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, c.urlError(method, u, ctx.Err())
		}
	}
}

// send makes one attempt of in. transient reports a transport failure
// worth retrying.
func (c *Client) send(ctx context.Context, hc *http.Client, method string, u *url.URL, body []byte, rb *readerBody, contentType, accept string, in *Request, authorize func(*http.Request) error) (resp *Response[[]byte], transient bool, err error) {
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body) // a fresh reader per attempt resends the same bytes
	}
	// The request is built from the URL already parsed, not from its
	// string: u is copied into the empty URL NewRequest made (a copy,
	// because auth may add a query parameter to it).
	req, err := http.NewRequestWithContext(ctx, method, "", r)
	if err != nil {
		return nil, false, c.urlError(method, u, err)
	}
	*req.URL, req.Host = *u, u.Host
	if rb != nil {
		if err := rb.attach(req); err != nil {
			return nil, false, c.urlError(method, u, err)
		}
	}
	// Default header slices are shared, not copied: Header.Set replaces a
	// slice, and Add on a full slice reallocates, so they are never written.
	for k, vs := range c.headers {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header["Content-Type"] = []string{contentType}
	}
	if accept != "" {
		req.Header["Accept"] = []string{accept} // over the default headers; the request's own go over it
	}
	if authorize != nil {
		if err := authorize(req); err != nil {
			return nil, false, c.errorf("authorize request: %w", err)
		}
	}
	for k, vs := range in.Headers {
		req.Header[http.CanonicalHeaderKey(k)] = vs
	}
	hr, err := hc.Do(req)
	if err != nil {
		return nil, true, c.urlError(method, u, err)
	}
	//conngen:if stream
	if in.stream != nil {
		*in.stream = hr.Body
		return &Response[[]byte]{StatusCode: hr.StatusCode, Header: hr.Header}, false, nil
	}
	//conngen:end
	defer hr.Body.Close()
	data, err := readBody(hr)
	if err != nil {
		return nil, !errors.Is(err, errTooLarge), c.urlError(method, u, err)
	}
	return &Response[[]byte]{StatusCode: hr.StatusCode, Header: hr.Header, Body: data}, false, nil
}

//conngen:if actions

// rawBodyKey is the context key of the slot Invoke reads the 2xx body from.
type rawBodyKey struct{}

//conngen:end

// errTooLarge is not worth a retry: the same answer would come back.
var errTooLarge = errors.New("response body larger")

// readBody reads a whole response body, at most maxResponseBytes of it. A
// declared Content-Length is read in one allocation.
func readBody(hr *http.Response) ([]byte, error) {
	if n := hr.ContentLength; n >= 0 && n <= maxResponseBytes {
		data := make([]byte, n)
		if _, err := io.ReadFull(hr.Body, data); err != nil {
			return nil, err
		}
		return data, nil
	}
	tooLarge := fmt.Errorf("%w than %d bytes", errTooLarge, maxResponseBytes)
	if hr.ContentLength > maxResponseBytes {
		return nil, tooLarge
	}
	data, err := io.ReadAll(io.LimitReader(hr.Body, maxResponseBytes+1))
	if err == nil && int64(len(data)) > maxResponseBytes {
		return nil, tooLarge
	}
	return data, err
}

// hasStatus reports whether status is in list. (Not slices.Contains:
// generic code is compiled again in every connector.)
//
//go:noinline
func hasStatus(list []int, status int) bool {
	for _, s := range list {
		if s == status {
			return true
		}
	}
	return false
}

// wait is the pause before attempt+1: the server's Retry-After when given,
// else exponential backoff with jitter so clients do not retry in lockstep.
func (p *retryPolicy) wait(attempt int, h http.Header) time.Duration {
	d, ok := retryAfter(h.Get("Retry-After"))
	if !ok {
		d = p.baseDelay
		if d == 0 {
			d = 500 * time.Millisecond
		}
		d <<= min(attempt-1, 20)
		d = d/2 + time.Duration(rand.Int64N(int64(d/2+1)))
	}
	if p.maxWait > 0 {
		d = min(d, p.maxWait)
	}
	return d
}

// retryAfter parses a Retry-After value: delta seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(min(n, 1<<31)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(time.Until(t), 0), true
	}
	return 0, false
}

// requestURL joins rel to the base URL. An absolute rel (a pagination link)
// must stay on the base URL's scheme and host: credentials go nowhere else.
func (c *Client) requestURL(rel string, query url.Values) (*url.URL, error) {
	if strings.HasPrefix(rel, "/") && !strings.HasPrefix(rel, "//") && !strings.ContainsAny(rel, "?#%") {
		// The common case, a generated action's path with its params
		// already escaped: no parsing needed.
		u := &url.URL{Scheme: c.baseURL.Scheme, Host: c.baseURL.Host, Path: strings.TrimRight(c.baseURL.Path, "/") + rel}
		if c.baseURL.RawPath != "" {
			u.RawPath = strings.TrimRight(c.baseURL.RawPath, "/") + rel
		}
		if len(query) > 0 {
			u.RawQuery = query.Encode()
		}
		return u, nil
	}
	ref, err := url.Parse(rel)
	if err != nil {
		return nil, c.errorf("invalid request URL")
	}
	u := &url.URL{Scheme: c.baseURL.Scheme, Host: c.baseURL.Host}
	path := ref.EscapedPath()
	if ref.Scheme != "" || ref.Host != "" || ref.Opaque != "" {
		if !strings.EqualFold(ref.Scheme, u.Scheme) || !strings.EqualFold(ref.Host, u.Host) || ref.Opaque != "" {
			return nil, c.errorf("refusing to send a request to %s://%s: not the service's host", ref.Scheme, ref.Host)
		}
	} else {
		if path != "" && !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		path = strings.TrimRight(c.baseURL.EscapedPath(), "/") + path
	}
	if u.Path, err = url.PathUnescape(path); err != nil {
		return nil, c.errorf("invalid request URL path")
	}
	u.RawPath = path
	u.RawQuery = ref.RawQuery
	if len(query) > 0 {
		// Merging re-encodes; without extra params a link's query is kept verbatim.
		q := ref.Query()
		for k, vs := range query {
			q[k] = append(q[k], vs...)
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// errorf is an error of the connector: its name, a colon, the message.
// (One call out of line: fmt.Errorf is inlined, so each of its calls
// would be compiled again in every connector.)
//
//go:noinline
func (c *Client) errorf(format string, args ...any) error {
	return fmt.Errorf("%s: "+format, append([]any{c.name}, args...)...)
}

// urlError formats err as "<name>: METHOD scheme://host/path: err". The query
// string is left out because it may carry an API key, and a *url.Error is
// unwrapped because its message repeats the full URL.
func (c *Client) urlError(method string, u *url.URL, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return c.errorf("%s %s: %w", method, redactURL(u), err)
}

//conngen:if noredirect revoke

// withoutRedirects is hc with redirects not followed: a 3xx comes back as
// it is.
func withoutRedirects(hc *http.Client) *http.Client {
	c := *hc
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &c
}

//conngen:end

// redactURL is u without its query, which may carry a credential.
//
//go:noinline
func redactURL(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath}).String()
}

// readerBody is an io.Reader Request.Body, sent as it is without being read
// into memory first: rewound for another attempt when it can seek (else it
// is sent once), its length known when it can seek or tells its Len.
type readerBody struct {
	r      io.Reader
	start  int64 // where a seekable r starts; -1: r is one-shot
	length int64 // -1: unknown, sent chunked
}

func newReaderBody(r io.Reader) *readerBody {
	b := &readerBody{r: r, start: -1, length: -1}
	if l, ok := r.(interface{ Len() int }); ok {
		b.length = int64(l.Len())
	}
	if s, ok := r.(io.Seeker); ok {
		if cur, err := s.Seek(0, io.SeekCurrent); err == nil {
			if end, err := s.Seek(0, io.SeekEnd); err == nil {
				if _, err := s.Seek(cur, io.SeekStart); err == nil {
					b.start, b.length = cur, max(end-cur, 0)
				}
			}
		}
	}
	return b
}

// attach makes b req's body, rewound to its start.
func (b *readerBody) attach(req *http.Request) error {
	req.ContentLength, req.Body = max(b.length, 0), io.NopCloser(b.r)
	if b.length == 0 {
		req.Body = http.NoBody
	}
	if b.start < 0 {
		return nil
	}
	req.GetBody = func() (io.ReadCloser, error) {
		_, err := b.r.(io.Seeker).Seek(b.start, io.SeekStart)
		return io.NopCloser(b.r), err
	}
	_, err := b.r.(io.Seeker).Seek(b.start, io.SeekStart)
	return err
}

// encodeRequestBody turns Request.Body into bytes and the Content-Type it
// implies; an io.Reader is left to readerBody.
func encodeRequestBody(v any) (body []byte, contentType string, err error) {
	switch b := v.(type) {
	case nil:
		return nil, "", nil
	case []byte:
		return b, "", nil
	case url.Values:
		return []byte(b.Encode()), "application/x-www-form-urlencoded", nil
	case io.Reader:
		return nil, "", nil
	}
	body, err = json.Marshal(v)
	if err == nil && string(body) == "null" {
		// An absent optional body (a nil pointer, slice or map), not JSON
		// null. (Told from the encoding, not by reflect: any reflect.ValueOf
		// makes the compiler add 41 reflect.Type wrappers to every connector.)
		return nil, "", nil
	}
	return body, "application/json", err
}

//conngen:if escapepath

// escapePath escapes one path segment so that a value can never change the
// path: "/" is escaped, and "." and ".." (which servers collapse) too.
//
//go:noinline
func escapePath(v string) string {
	switch v {
	case ".":
		return "%2E"
	case "..":
		return "%2E%2E"
	}
	return url.PathEscape(v)
}

//conngen:end

//conngen:if formatparam

// formatParam is the string form of a value of any type: a list param's
// elements joined (formatList), a multipart part. (Params of the scalar
// types are written by the set helpers and strconv, without reflect.)
func formatParam(v any) string {
	if v == nil {
		return ""
	}
	return formatValue(reflect.ValueOf(v))
}

//conngen:end

//conngen:if set-text

// setText sets key of m, a Request's Query or Headers, to *v, unless v is
// nil: an optional param left out. The generated request builders pass a
// pointer to the field, so that a required param and an optional one are
// the same call. (One helper per kind of value, rather than one that takes
// any: that would need reflect. Not inlined: a request builder calls it
// once per param, and the full Spotify import has 147 such calls.)
//
//go:noinline
func setText(m map[string][]string, key string, v *string) {
	if v != nil {
		m[key] = []string{*v}
	}
}

//conngen:end

//conngen:if set-int

// setInt is setText for an integer param.
//
//go:noinline
func setInt[T int | int32 | int64](m map[string][]string, key string, v *T) {
	if v != nil {
		m[key] = []string{strconv.FormatInt(int64(*v), 10)}
	}
}

//conngen:end

//conngen:if set-float

// setFloat is setText for a number param, written as formatValue writes it.
//
//go:noinline
func setFloat[T float32 | float64](m map[string][]string, key string, v *T) {
	if v != nil {
		bits := 64
		if _, ok := any(*v).(float32); ok {
			bits = 32
		}
		m[key] = []string{strconv.FormatFloat(float64(*v), 'f', -1, bits)}
	}
}

//conngen:end

//conngen:if set-bool

// setBool is setText for a boolean param.
//
//go:noinline
func setBool(m map[string][]string, key string, v *bool) {
	if v != nil {
		m[key] = []string{strconv.FormatBool(*v)}
	}
}

//conngen:end

//conngen:if set-time

// setTime is setText for a date-time param, in RFC 3339.
//
//go:noinline
func setTime(m map[string][]string, key string, v *time.Time) {
	if v != nil {
		m[key] = []string{v.Format(time.RFC3339)}
	}
}

//conngen:end

//conngen:if params

func formatValue(rv reflect.Value) string {
	switch rv.Kind() {
	case reflect.String:
		return rv.String()
	case reflect.Bool:
		return strconv.FormatBool(rv.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(rv.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(rv.Float(), 'f', -1, rv.Type().Bits())
	case reflect.Pointer: // an optional param
		if rv.IsNil() {
			return ""
		}
		return formatValue(rv.Elem())
	case reflect.Invalid:
		return ""
	}
	switch v := rv.Interface().(type) {
	case time.Time:
		return v.Format(time.RFC3339)
	case fmt.Stringer:
		return v.String()
	default:
		return fmt.Sprint(v)
	}
}

//conngen:end

//conngen:if baseurlvars

var (
	placeholderRE = regexp.MustCompile(`\{([^{}/]+)\}`)
	hostLabelsRE  = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$`)
)

// expandBaseURL fills {name} placeholders of a base URL from vars. A value in
// the host must be host name labels, so it cannot move the request to another
// host; a value in the path is escaped. Errors never echo values: they may be
// secret.
func expandBaseURL(raw string, vars map[string]string) (*url.URL, error) {
	hostEnd, queryStart := len(raw), len(raw)
	if i := strings.Index(raw, "://"); i >= 0 {
		if j := strings.IndexAny(raw[i+3:], "/?#"); j >= 0 {
			hostEnd = i + 3 + j
		}
	}
	if i := strings.IndexAny(raw, "?#"); i >= 0 {
		queryStart = i
	}
	var b strings.Builder
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(raw, -1) {
		name := raw[m[2]:m[3]]
		v, ok := vars[name]
		switch {
		case !ok:
			return nil, fmt.Errorf("base URL: unknown placeholder {%s}", name)
		case m[0] < hostEnd:
			if !hostLabelsRE.MatchString(v) {
				return nil, fmt.Errorf("base URL: invalid value for {%s}: must be a host name label", name)
			}
		case m[0] >= queryStart:
			v = url.QueryEscape(v)
		default:
			v = escapePath(v)
		}
		b.WriteString(raw[last:m[0]])
		b.WriteString(v)
		last = m[1]
	}
	b.WriteString(raw[last:])
	return parseBaseURL(b.String())
}

//conngen:end

// parseBaseURL is the base URL with its placeholders filled (a connector
// without connection parameters has none to fill, and refuses any).
func parseBaseURL(raw string) (*url.URL, error) {
	if strings.ContainsAny(raw, "{}") {
		return nil, errors.New("base URL: has a {placeholder} that no connection parameter fills")
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("base URL: must be an absolute http(s) URL")
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

//conngen:if formatlist

// formatList joins list values with commas, for parameters the spec marks
// explode: false (ids=1,2,3).
func formatList[T any](vs []T) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = formatParam(v)
	}
	return strings.Join(parts, ",")
}

//conngen:end

//conngen:if redacted

// redacted stands in for a secret in Config.String: it says whether the
// secret is set, never what it is.
func redacted(set bool) string {
	if set {
		return "[REDACTED]"
	}
	return `""`
}

//conngen:end

//conngen:if guardredirects

// guardRedirects returns a copy of hc that drops the headers carrying
// credentials when a redirect leaves the original host. net/http already
// drops Authorization and Cookie there, but not an API key in a header of
// the service's own naming.
func guardRedirects(hc *http.Client, secretHeaders ...string) *http.Client {
	guarded := *hc
	next := hc.CheckRedirect
	guarded.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if len(via) > 0 && req.URL.Host != via[0].URL.Host {
			for _, h := range secretHeaders {
				req.Header.Del(h)
			}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &guarded
}

//conngen:end

//conngen:if jsonat

// jsonAt returns the value at a dot path ("a.b") of a JSON document; "" is
// the document itself. ok is false when a step is missing or not an
// object. Pagination, webhooks and monitors all read dot paths, so it
// lives here, in the one file every connector has.
func jsonAt(doc []byte, path string) (json.RawMessage, bool) {
	raw := json.RawMessage(doc)
	if path == "" {
		return raw, true
	}
	for key := range strings.SplitSeq(path, ".") {
		var obj map[string]json.RawMessage
		if json.Unmarshal(raw, &obj) != nil {
			return nil, false
		}
		if raw = obj[key]; raw == nil {
			return nil, false
		}
	}
	return raw, true
}

//conngen:end

//conngen:if jsontext

// jsonText returns the string or number at a dot path as text, numbers in
// their literal form (12345678901234567890 stays as written); ok is false
// when the value is missing, null or of another type.
func jsonText(doc []byte, path string) (text string, isNumber, ok bool) {
	raw, ok := jsonAt(doc, path)
	if !ok {
		return "", false, false
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return "", false, false
	}
	switch v := v.(type) {
	case string:
		return v, false, true
	case json.Number:
		return v.String(), true, true
	}
	return "", false, false
}

//conngen:end
