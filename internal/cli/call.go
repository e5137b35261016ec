package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
)

// setFlags are repeated --set FIELD=VALUE flags.
type setFlags map[string]string

func (s setFlags) String() string { return "" }
func (s setFlags) Set(v string) error {
	k, val, ok := strings.Cut(v, "=")
	if !ok || k == "" {
		return fmt.Errorf("want FIELD=VALUE, got %q", v)
	}
	s[k] = val
	return nil
}

// runCall is conngen call: the Builder's Run button.
func runCall(args []string, stdout, stderr io.Writer) int {
	stderr = &syncWriter{w: stderr}
	fs := newFlags("call", stderr)
	token := fs.String("token", "", "token JSON file from conngen login")
	input := fs.String("input", "", "the whole input object: JSON, or @FILE")
	find := fs.String("find", "", "print the 10 actions that best fit a task")
	help := fs.Bool("help", false, "with ACTION: print its input fields")
	sets := setFlags{}
	fs.Var(sets, "set", "set a non-secret Config field (repeatable)")
	positional, err := parseArgs(fs, args)
	if err != nil {
		return exitUsage
	}
	if len(positional) == 0 {
		fmt.Fprintln(stderr, "conngen call: no spec given")
		return exitUsage
	}
	specPath, rest := positional[0], positional[1:]
	if *help && len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return exitUsage
	}
	if *find != "" && len(rest) > 0 {
		fmt.Fprintln(stderr, "conngen call: --find takes a spec, not an action")
		return exitUsage
	}

	obj := map[string]json.RawMessage{}
	if *input != "" {
		data := []byte(*input)
		if name, ok := strings.CutPrefix(*input, "@"); ok {
			var err error
			if data, err = os.ReadFile(name); err != nil {
				fmt.Fprintf(stderr, "conngen call: --input: %v\n", err)
				return exitUsage
			}
		}
		if err := json.Unmarshal(data, &obj); err != nil || obj == nil {
			fmt.Fprintln(stderr, "conngen call: --input: want a JSON object")
			return exitUsage
		}
	}
	var action string
	pairs := map[string]string{}
	if len(rest) > 0 {
		action = rest[0]
		for _, pair := range rest[1:] {
			k, v, ok := strings.Cut(pair, "=")
			if !ok || k == "" {
				fmt.Fprintf(stderr, "conngen call: want NAME=VALUE, got %q\n", pair)
				return exitUsage
			}
			pairs[k] = v
		}
	}

	r, err := startRunner(specPath, stderr)
	if err != nil {
		if !errors.Is(err, errSpec) {
			fmt.Fprintf(stderr, "conngen call: %v\n", err)
		}
		return exitFail
	}
	defer r.close()

	if *find != "" {
		served := []*servedAction{{r: r, tool: "authPing", ping: true, a: runAction{Name: "authPing", Title: "Test connection", ReadOnly: true}}}
		for _, a := range r.list.Actions {
			served = append(served, &servedAction{r: r, tool: a.Name, a: a})
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, s := range newActionIndex(served).find(*find, 10, false) {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", s.a.Name, s.a.Method, s.a.Path, shortText(s.a.Title, maxHitTitle))
		}
		tw.Flush()
		return exitOK
	}
	if *help {
		return printInputFields(r, action, specPath, stdout, stderr)
	}
	if action == "" {
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "authPing\t%s\t%s\t%s\n", "", "", "Test connection")
		for _, a := range r.list.Actions {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", a.Name, a.Method, a.Path, a.Title)
		}
		tw.Flush()
		return exitOK
	}
	for k, v := range pairs {
		obj[k] = jsonValue(v, stringField(r.list.Actions, action, k))
	}
	req := runRequest{Op: "call", Action: action, Set: sets, Token: *token}
	if action == "authPing" {
		if len(obj) > 0 {
			fmt.Fprintln(stderr, "conngen call: authPing takes no input")
			return exitUsage
		}
		req = runRequest{Op: "ping", Set: sets, Token: *token}
	} else {
		data, _ := json.Marshal(obj)
		req.Input = data
	}
	rep, err := r.do(req)
	if err != nil {
		fmt.Fprintf(stderr, "conngen call: %v\n", err)
		return exitFail
	}
	if rep.Ping != nil {
		data, _ := json.MarshalIndent(rep.Ping, "", "  ")
		fmt.Fprintf(stdout, "%s\n", data)
		if !rep.Ping.Working {
			fmt.Fprintf(stderr, "conngen call: connection not working: %s\n", rep.Ping.ServiceResponse.Body)
			return exitFail
		}
		return exitOK
	}
	switch rep.Kind {
	case "usage":
		fmt.Fprintf(stderr, "conngen call: %s\n", rep.Error)
		return exitUsage
	case "unknown":
		fmt.Fprintf(stderr, "conngen call: %s (conngen call %s lists the actions)\n", rep.Error, specPath)
		return exitUsage
	}
	// A service that echoes a credential back does not get it printed.
	secrets := secretValues([]*runner{r}, []string{*token})
	if len(rep.Body) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, rep.Body, "", "  ") != nil {
			buf.Reset()
			buf.Write(rep.Body)
		}
		fmt.Fprintf(stdout, "%s\n", redact(buf.String(), secrets))
	}
	switch {
	case rep.Kind == "api":
		fmt.Fprintf(stderr, "%s\n", rep.Error)
		if rep.Text != "" { // not JSON (a proxy's page, a plain-text error): its text, cut
			fmt.Fprintf(stderr, "%s\n", redact(cutText(strings.TrimSpace(rep.Text), maxErrorBody), secrets))
		}
		return exitFail
	case rep.Error != "":
		fmt.Fprintf(stderr, "conngen call: %s\n", rep.Error)
		return exitFail
	}
	fmt.Fprintf(stderr, "%d %s\n", rep.Status, http.StatusText(rep.Status))
	if rep.Status < 200 || rep.Status > 299 {
		return exitFail
	}
	return exitOK
}

// jsonValue is VALUE as JSON when it parses as JSON, else as a string; a
// field that can only be a string (zip=10115) takes VALUE as it is.
func jsonValue(v string, onlyString bool) json.RawMessage {
	if json.Valid([]byte(v)) && !(onlyString && !strings.HasPrefix(strings.TrimSpace(v), `"`)) {
		return json.RawMessage(v)
	}
	data, _ := json.Marshal(v)
	return data
}

// stringField reports whether the input field key of the action is typed
// string and nothing else.
func stringField(actions []runAction, action, key string) bool {
	for _, a := range actions {
		if a.Name != action {
			continue
		}
		var s struct {
			Properties map[string]struct {
				Type any `json:"type"`
			} `json:"properties"`
		}
		json.Unmarshal(a.Input, &s)
		t, _ := s.Properties[key].Type.(string)
		return t == "string"
	}
	return false
}

// inputProp is the part of an Input schema property that --help shows.
type inputProp struct {
	Type        any               `json:"type"`
	Ref         string            `json:"$ref"`
	Format      string            `json:"format"`
	Description string            `json:"description"`
	Default     json.RawMessage   `json:"default"`
	Enum        []json.RawMessage `json:"enum"`
	Items       *inputProp        `json:"items"`
	Properties  map[string]*inputProp
	Required    []string
}

// printInputFields is conngen call SPEC ACTION --help: the action's input
// fields, the body's own fields under body.
func printInputFields(r *runner, action, specPath string, stdout, stderr io.Writer) int {
	var input json.RawMessage
	found := action == "authPing"
	for _, a := range r.list.Actions {
		if a.Name == action {
			input, found = a.Input, true
		}
	}
	if !found {
		fmt.Fprintf(stderr, "conngen call: %s: unknown action %s (conngen call %s lists the actions)\n", r.name, action, specPath)
		return exitUsage
	}
	var root struct {
		inputProp
		Defs map[string]*inputProp `json:"$defs"`
	}
	if len(input) > 0 {
		if err := json.Unmarshal(input, &root); err != nil {
			fmt.Fprintf(stderr, "conngen call: %s: input schema: %v\n", action, err)
			return exitFail
		}
	}
	resolve := func(p *inputProp) *inputProp {
		for range 8 {
			if p == nil || p.Ref == "" {
				break
			}
			p = root.Defs[strings.TrimPrefix(p.Ref, "#/$defs/")]
		}
		return p
	}
	tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FIELD\tTYPE\tREQUIRED\tDEFAULT\tENUM\tDESCRIPTION")
	var row func(name string, p *inputProp, required bool)
	row = func(name string, p *inputProp, required bool) {
		t := typeName(p, resolve)
		req := ""
		if required {
			req = "yes"
		}
		var enum []string
		for _, e := range resolve(p).Enum {
			enum = append(enum, string(e))
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", name, t, req, string(resolve(p).Default), strings.Join(enum, " "), shortText(firstOf(p.Description, resolve(p).Description), 80))
	}
	for _, name := range slices.Sorted(maps.Keys(root.Properties)) {
		p := root.Properties[name]
		row(name, p, slices.Contains(root.Required, name))
		if name != "body" {
			continue
		}
		body := resolve(p)
		if body == nil {
			continue
		}
		for _, f := range slices.Sorted(maps.Keys(body.Properties)) {
			row("body."+f, body.Properties[f], slices.Contains(body.Required, f))
		}
	}
	tw.Flush()
	if len(root.Properties) == 0 {
		fmt.Fprintf(stdout, "%s takes no input\n", action)
	}
	return exitOK
}

// typeName is a property's type as --help writes it: string, integer,
// date-time, array of Pet, Pet (an object of that schema).
func typeName(p *inputProp, resolve func(*inputProp) *inputProp) string {
	if p == nil {
		return "any"
	}
	if p.Ref != "" {
		return strings.TrimPrefix(p.Ref, "#/$defs/")
	}
	if p.Format != "" {
		return p.Format
	}
	switch t := p.Type.(type) {
	case string:
		if t == "array" {
			return "array of " + typeName(p.Items, resolve)
		}
		return t
	case []any:
		var names []string
		for _, x := range t {
			if s, ok := x.(string); ok && s != "null" {
				names = append(names, s)
			}
		}
		return strings.Join(names, "|")
	}
	return "any"
}

func firstOf(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}
