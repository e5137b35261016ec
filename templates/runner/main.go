// Package main is the program conngen call and conngen mcp build over one
// connector and run: it reads requests as JSON lines on stdin and answers
// each with one JSON line on stdout. This file is copied as it is, with the
// connector's import path put in place of the stand-in below (a golden
// package, so that the file compiles and is tested here); config.go, the
// part that varies by connector, is rendered by generator/emit (Runner),
// and the config.go beside this file is that rendering for the stand-in
// (TestRunnerStandIn keeps them equal).
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"golang.org/x/oauth2"

	conn "github.com/conngen/conngen/generated/publicholidays" // the connector: emit names the real one
)

type field struct {
	Name   string `json:"name"`
	Env    string `json:"env"`
	Secret bool   `json:"secret"`
}

type request struct {
	Op     string `json:"op"` // list, describe, ping, call
	Action string `json:"action,omitempty"`
	// NoOutput leaves the Output schemas out of a list: a huge API's add
	// up to megabytes, and describe gives one when it is needed.
	NoOutput bool              `json:"noOutput,omitempty"`
	Input    json.RawMessage   `json:"input,omitempty"`
	Set      map[string]string `json:"set,omitempty"`
	Token    string            `json:"token,omitempty"`
}

type reply struct {
	Connector string            `json:"connector,omitempty"`
	Actions   []conn.ActionInfo `json:"actions,omitempty"`
	Fields    []field           `json:"fields,omitempty"`
	Ping      *conn.PingResult  `json:"ping,omitempty"`
	Status    int               `json:"status,omitempty"`
	Body      json.RawMessage   `json:"body,omitempty"`
	Text      string            `json:"text,omitempty"` // a non-JSON error body, cut to maxText
	Error     string            `json:"error,omitempty"`
	Kind      string            `json:"kind,omitempty"` // api, unknown, usage, config, other
}

func main() { serve(os.Stdin, os.Stdout) }

// serve answers each JSON line of r with one JSON line on w, until r ends.
func serve(r io.Reader, w io.Writer) {
	in := bufio.NewScanner(r)
	in.Buffer(make([]byte, 0, 1<<20), 256<<20)
	out := json.NewEncoder(w)
	var client *conn.Client
	var clientKey string
	for in.Scan() {
		var req request
		if err := json.Unmarshal(in.Bytes(), &req); err != nil {
			out.Encode(reply{Error: "bad request: " + err.Error(), Kind: "usage"})
			continue
		}
		switch req.Op {
		case "list":
			actions := conn.Actions()
			if req.NoOutput {
				for i := range actions {
					actions[i].Output = nil
				}
			}
			out.Encode(reply{Connector: connector, Actions: actions, Fields: fields})
			continue
		case "describe":
			r := reply{Error: connector + ": unknown action " + req.Action, Kind: "unknown"}
			for _, a := range conn.Actions() {
				if a.Name == req.Action {
					r = reply{Actions: []conn.ActionInfo{a}}
				}
			}
			out.Encode(r)
			continue
		}
		key, _ := json.Marshal([]any{req.Set, req.Token})
		if client == nil || string(key) != clientKey {
			c, r := newClient(req)
			if r != nil {
				out.Encode(r)
				continue
			}
			client, clientKey = c, string(key)
		}
		ctx := context.Background()
		switch req.Op {
		case "ping":
			p := client.AuthPing(ctx)
			out.Encode(reply{Ping: &p})
		case "call":
			resp, err := client.Invoke(ctx, req.Action, req.Input)
			var apiErr *conn.APIError
			switch {
			case errors.As(err, &apiErr):
				r := reply{Status: apiErr.StatusCode, Error: apiErr.Error(), Kind: "api"}
				if json.Valid(apiErr.Body) {
					r.Body = apiErr.Body
				} else if len(apiErr.Body) > 0 {
					r.Text = errorText(apiErr.Body)
				}
				out.Encode(r)
			case errors.Is(err, conn.ErrUnknownAction):
				out.Encode(reply{Error: err.Error(), Kind: "unknown"})
			case err != nil:
				out.Encode(reply{Error: err.Error(), Kind: "other"})
			default:
				out.Encode(reply{Status: resp.StatusCode, Body: resp.Body})
			}
		default:
			out.Encode(reply{Error: fmt.Sprintf("unknown op %q", req.Op), Kind: "usage"})
		}
	}
}

// maxText is how much of a non-JSON error body (a proxy's HTML page, a
// plain-text 500) a reply carries: enough for the message, never megabytes.
const maxText = 64 << 10

// errorText is a non-JSON error body as text: valid UTF-8, at most maxText
// bytes.
func errorText(body []byte) string {
	if len(body) > maxText {
		body = body[:maxText] // a rune cut in two becomes U+FFFD below
	}
	return strings.ToValidUTF8(string(body), "\uFFFD")
}

// remedy adds to New's error what to do about each missing field: the
// environment variable to set, or the token file to pass.
func remedy(err error) string {
	msg := err.Error()
	_, list, ok := strings.Cut(msg, "missing required config: ")
	if !ok {
		return msg
	}
	var parts []string
	for _, name := range strings.Split(list, ", ") {
		part := "missing " + name
		for _, f := range fields {
			if f.Name != name {
				continue
			}
			part += ": set " + f.Env
			if name == "Token" || name == "AccessToken" {
				part += ", or pass --token FILE (a token from conngen login)"
			}
		}
		parts = append(parts, part)
	}
	return connector + ": " + strings.Join(parts, "; ")
}

// newClient makes the Client: Config fields from the environment, then
// --set (never a secret), then the token file.
func newClient(req request) (*conn.Client, *reply) {
	var cfg conn.Config
	for _, f := range fields {
		if v := os.Getenv(f.Env); v != "" {
			if err := apply(&cfg, f.Name, v); err != nil {
				return nil, &reply{Error: err.Error(), Kind: "config"}
			}
		}
	}
	for name, v := range req.Set {
		var fl *field
		for i := range fields {
			if fields[i].Name == name {
				fl = &fields[i]
			}
		}
		switch {
		case fl == nil:
			var known []string
			for _, f := range fields {
				if !f.Secret {
					known = append(known, f.Name)
				}
			}
			return nil, &reply{Error: fmt.Sprintf("--set %s: no such Config field; fields: %v", name, known), Kind: "usage"}
		case fl.Secret:
			return nil, &reply{Error: fmt.Sprintf("--set %s: a secret; set the environment variable %s instead", name, fl.Env), Kind: "usage"}
		}
		apply(&cfg, name, v)
	}
	if req.Token != "" {
		data, err := os.ReadFile(req.Token)
		if err != nil {
			return nil, &reply{Error: "--token: " + err.Error(), Kind: "config"}
		}
		tok := new(oauth2.Token)
		if err := json.Unmarshal(data, tok); err != nil {
			return nil, &reply{Error: "--token " + req.Token + ": not token JSON", Kind: "config"}
		}
		path := req.Token
		save := func(t *oauth2.Token) {
			if data, err := json.MarshalIndent(t, "", "  "); err == nil {
				os.WriteFile(path, append(data, '\n'), 0o600)
			}
		}
		if !setToken(&cfg, tok, save) {
			return nil, &reply{Error: "--token: " + connector + " takes no token", Kind: "usage"}
		}
	}
	c, err := conn.New(cfg)
	if err != nil {
		return nil, &reply{Error: remedy(err), Kind: "config"}
	}
	return c, nil
}
