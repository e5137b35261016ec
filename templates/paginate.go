package templates

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// pager is an action's paginate block. style is offset, page, cursor, nextURL
// or linkHeader; the other fields are query param names or dot paths into the
// response, as in the spec.
type pager struct {
	style, items, limit, offset, page, cursor, nextCursor, next string
}

// maxPages bounds a listing, so a server that never stops cannot loop forever.
const maxPages = 10000

// paginate yields every item of every page, starting with req. A failure is
// yielded once, as the last element; reqErr, a request that could not be
// built, is the only one (one generic function for both, rather than a
// second that yields only an error: each is compiled again for every item
// type). Only this wrapper is generic: pages does the work once for every
// item type, so a connector with many lists compiles it once, not once per
// type.
func paginate[T any](ctx context.Context, c *Client, req Request, p pager, reqErr error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if reqErr != nil {
			var zero T
			yield(zero, reqErr)
			return
		}
		err := c.pages(ctx, req, p, func(raw json.RawMessage) (bool, error) {
			var item T
			if err := json.Unmarshal(raw, &item); err != nil {
				return false, err
			}
			return yield(item, nil), nil
		})
		if err != nil {
			var zero T
			yield(zero, err)
		}
	}
}

// pages calls each with every item of every page, starting with req, until
// each returns false (nil then) or an error (returned as a decode error),
// or the pages end. A failure is returned.
func (c *Client) pages(ctx context.Context, req Request, p pager, each func(json.RawMessage) (bool, error)) error {
	req.acceptDefault = "application/json" // req is a copy: each run of the sequence starts afresh
	req.Query = cloneValues(req.Query)
	offset, _ := strconv.Atoi(req.Query.Get(p.offset))
	page, err := strconv.Atoi(req.Query.Get(p.page))
	if err != nil {
		page = 1
	}
	limit, _ := strconv.Atoi(req.Query.Get(p.limit))
	seen := map[string]bool{} // cursors and links already followed
	if cur := req.Query.Get(p.cursor); p.style == "cursor" && cur != "" {
		seen[cur] = true
	}
	fail := func(format string, args ...any) error {
		path, _, _ := strings.Cut(req.RelativeURL, "?")
		return fmt.Errorf("%s: %s %s: "+format, append([]any{c.name, requestMethod(req), path}, args...)...)
	}
	for range maxPages {
		resp, err := c.httpHelper(ctx, req)
		if err != nil {
			return err
		}
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return newAPIError(resp)
		}
		if len(bytes.TrimSpace(resp.Body)) == 0 {
			return nil // nothing more, e.g. 204
		}
		if !json.Valid(resp.Body) {
			return fail("decode response: not JSON")
		}
		var items []json.RawMessage
		if raw, ok := jsonAt(resp.Body, p.items); ok {
			if err := json.Unmarshal(raw, &items); err != nil {
				return fail("decode items at %q: %w", p.items, err)
			}
		}
		for _, raw := range items {
			more, err := each(raw)
			if err != nil {
				return fail("decode item: %w", err)
			}
			if !more {
				return nil
			}
		}
		var next string
		switch p.style {
		case "offset":
			if len(items) == 0 || limit > 0 && len(items) < limit {
				return nil
			}
			offset += len(items)
			req.Query.Set(p.offset, strconv.Itoa(offset))
			continue
		case "page":
			if len(items) == 0 {
				return nil
			}
			page++
			req.Query.Set(p.page, strconv.Itoa(page))
			continue
		case "cursor":
			cur, _, _ := jsonText(resp.Body, p.nextCursor)
			if cur == "" || seen[cur] {
				return nil
			}
			seen[cur] = true
			req.Query.Set(p.cursor, cur)
			continue
		case "nextURL":
			next, _, _ = jsonText(resp.Body, p.next)
		case "linkHeader":
			next = linkNext(resp.Header)
		default:
			return nil
		}
		if next == "" || seen[next] {
			return nil
		}
		seen[next] = true
		// A relative link is resolved against the page it came from (RFC
		// 3986); httpHelper then refuses any other host.
		cur, err := c.requestURL(req.RelativeURL, req.Query)
		ref, perr := url.Parse(next)
		if err != nil || perr != nil {
			return fail("invalid next page link")
		}
		req.RelativeURL, req.Query = cur.ResolveReference(ref).String(), nil
	}
	return nil
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// linkNext returns the target of the rel="next" link of RFC 8288 Link headers.
func linkNext(h http.Header) string {
	for _, v := range h.Values("Link") {
		for {
			v = strings.TrimLeft(v, " \t,")
			if !strings.HasPrefix(v, "<") {
				break
			}
			end := strings.IndexByte(v, '>')
			if end < 0 {
				break
			}
			target, params := v[1:end], v[end+1:]
			// The link's params run to the next comma outside quotes.
			quoted, i := false, 0
			for ; i < len(params) && (quoted || params[i] != ','); i++ {
				if params[i] == '"' {
					quoted = !quoted
				}
			}
			params, v = params[:i], params[i:]
			for param := range strings.SplitSeq(params, ";") {
				name, value, _ := strings.Cut(param, "=")
				if !strings.EqualFold(strings.TrimSpace(name), "rel") {
					continue
				}
				for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(value), `"`)) {
					if strings.EqualFold(rel, "next") {
						return target
					}
				}
			}
		}
	}
	return ""
}
