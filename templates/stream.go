package templates

import (
	"context"
	"io"
	"net/http"
)

// callStream sends req and hands a 2xx body over unread, as soon as the
// headers arrive and with no size cap; the caller must close it. The
// request is never retried once the body is handed over. Any other
// status is an *APIError, its body read (capped) and closed here.
func callStream(ctx context.Context, c *Client, req Request) (*Response[io.ReadCloser], error) {
	req.acceptDefault = "*/*"
	resp, err := c.CustomActionStream(ctx, req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		defer resp.Body.Close()
		data, _ := readBody(&http.Response{Body: resp.Body, ContentLength: -1})
		return nil, newAPIError(&Response[[]byte]{StatusCode: resp.StatusCode, Header: resp.Header, Body: data})
	}
	return resp, nil
}
