package search

import (
	"encoding/json"
	"strings"
)

// Doc is one action as the ranking reads it.
type Doc struct {
	// Name is the tool name (e.g. "github_issuesCreate"): an opaque key,
	// returned as is and used to break ties.
	Name string
	// Action is the spec's action name, lowerCamelCase
	// ("issuesCreate", "postCustomersCustomerBalanceTransactions").
	Action      string
	Title       string
	Description string // may hold HTML or markdown
	Method      string // GET, POST, ...
	Path        string // "/repos/{owner}/{repo}/issues"
	Params      []string
}

// DocFromSchema returns d with Params filled from an action's Input JSON
// Schema: the object whose top-level properties are the params and
// "body". The body's own top-level properties, followed through
// "$ref": "#/$defs/X", allOf, anyOf and oneOf, are added; "body" itself is
// not a param name. An input that is not such an object adds nothing.
func DocFromSchema(d Doc, input json.RawMessage) Doc {
	var root schema
	if json.Unmarshal(input, &root) != nil {
		return d
	}
	seen := map[string]bool{}
	for _, p := range d.Params {
		seen[p] = true
	}
	add := func(name string) {
		if !seen[name] {
			seen[name] = true
			d.Params = append(d.Params, name)
		}
	}
	for _, k := range root.Properties.keys {
		if k != "body" {
			add(k)
		}
	}
	if body, ok := root.Properties.m["body"]; ok {
		visited := map[*schema]bool{}
		var walk func(s *schema)
		walk = func(s *schema) {
			if s == nil || visited[s] {
				return
			}
			visited[s] = true
			if strings.HasPrefix(s.Ref, "#/$defs/") {
				walk(root.Defs[strings.TrimPrefix(s.Ref, "#/$defs/")])
			}
			for _, k := range s.Properties.keys {
				add(k)
			}
			for _, list := range [][]*schema{s.AllOf, s.AnyOf, s.OneOf} {
				for _, sub := range list {
					walk(sub)
				}
			}
		}
		walk(body)
	}
	return d
}

// schema is the part of a JSON Schema DocFromSchema reads.
type schema struct {
	Ref        string             `json:"$ref"`
	Properties props              `json:"properties"`
	AllOf      []*schema          `json:"allOf"`
	AnyOf      []*schema          `json:"anyOf"`
	OneOf      []*schema          `json:"oneOf"`
	Defs       map[string]*schema `json:"$defs"`
}

// props keeps an object's keys in document order.
type props struct {
	keys []string
	m    map[string]*schema
}

func (p *props) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(data)))
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil // not an object: no properties
	}
	p.m = map[string]*schema{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		k, _ := tok.(string)
		s := &schema{}
		if err := dec.Decode(s); err != nil {
			return err
		}
		if _, dup := p.m[k]; !dup {
			p.keys = append(p.keys, k)
		}
		p.m[k] = s
	}
	return nil
}
