package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
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
	sets := setFlags{}
	fs.Var(sets, "set", "set a non-secret Config field (repeatable)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "conngen call: no spec given")
		return exitUsage
	}
	specPath, rest := fs.Arg(0), fs.Args()[1:]

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
	if len(rep.Body) > 0 {
		var buf bytes.Buffer
		if json.Indent(&buf, rep.Body, "", "  ") != nil {
			buf.Reset()
			buf.Write(rep.Body)
		}
		fmt.Fprintf(stdout, "%s\n", buf.Bytes())
	}
	switch {
	case rep.Kind == "api":
		fmt.Fprintf(stderr, "%s\n", rep.Error)
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
