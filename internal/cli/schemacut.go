package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
)

// maxOutputSchema is the most an MCP tool's outputSchema may weigh, as
// JSON: an agent reads it with every tool, and a huge API's answers
// (Stripe's expandable objects) reach half a megabyte each.
const maxOutputSchema = 16 << 10

// outputSchema is the outputSchema of an action's tool: {status, body},
// body the action's Output, cut to fit maxOutputSchema.
func outputSchema(output json.RawMessage) (json.RawMessage, error) {
	body := map[string]any{}
	if len(output) > 0 {
		if err := json.Unmarshal(output, &body); err != nil {
			return nil, fmt.Errorf("output schema: %w", err)
		}
	}
	defs, _ := body["$defs"].(map[string]any)
	delete(body, "$defs")
	delete(body, "$schema")
	root := map[string]any{
		"$schema":    schemaDialect,
		"type":       "object",
		"properties": map[string]any{"status": map[string]any{"type": "integer"}, "body": body},
		"required":   []any{"status"},
	}
	if len(defs) > 0 {
		root["$defs"] = defs
	}
	return cutSchema(root, maxOutputSchema)
}

const schemaDialect = "https://json-schema.org/draft/2020-12/schema"

// cutSchema returns schema as JSON of at most limit bytes: when it is
// larger, every part nested deeper than some level is replaced by {} with a
// description saying what was cut — the deepest level first, so the
// outline survives — and only the $defs still referenced are kept. The
// level is the deepest that fits, so the result is the same every time.
func cutSchema(schema map[string]any, limit int) (json.RawMessage, error) {
	whole, err := json.Marshal(schema)
	if err != nil || len(whole) <= limit {
		return whole, err
	}
	defs, _ := schema["$defs"].(map[string]any)
	depth := defDepths(schema, defs)
	var best json.RawMessage
	for level := 1; ; level++ {
		data, err := json.Marshal(cutAt(schema, defs, depth, level))
		if err != nil {
			return nil, err
		}
		if len(data) > limit || bytes.Equal(data, best) {
			break // too large, or nothing deeper is left to keep
		}
		best = data
	}
	if best == nil {
		// Even the outline is too large: everything below the root goes.
		return json.Marshal(cutAt(schema, defs, depth, 0))
	}
	return best, nil
}

// defDepths is, for each $defs name, the least depth at which the schema
// reaches it (the root's properties are at depth 1).
func defDepths(root map[string]any, defs map[string]any) map[string]int {
	depth := map[string]int{}
	type item struct {
		node  any
		depth int
	}
	queue := []item{{root, 0}}
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		walkSubschemas(it.node, it.depth, func(ref string, d int) {
			if _, seen := depth[ref]; seen {
				return
			}
			if def, ok := defs[ref]; ok {
				depth[ref] = d
				queue = append(queue, item{def, d})
			}
		}, nil)
	}
	return depth
}

// refName is the $defs name a "$ref" points at, or "".
func refName(node map[string]any) string {
	ref, _ := node["$ref"].(string)
	name, _ := strings.CutPrefix(ref, "#/$defs/")
	return name
}

// subschemaKeys hold a schema (or a list or map of schemas) one level
// deeper than their parent.
var subschemaKeys = map[string]string{
	"properties": "map", "patternProperties": "map", "$defs": "skip", "dependentSchemas": "map",
	"items": "one", "additionalProperties": "one", "unevaluatedProperties": "one", "unevaluatedItems": "one",
	"not": "one", "if": "one", "then": "one", "else": "one", "contains": "one", "propertyNames": "one",
	"allOf": "list", "anyOf": "list", "oneOf": "list", "prefixItems": "list",
}

// walkSubschemas calls onRef for each $ref in node's subtree (not through
// $defs) with the depth of the schema holding it plus one, and visit (when
// set) for each subschema with its depth.
func walkSubschemas(node any, depth int, onRef func(name string, depth int), visit func(m map[string]any, depth int)) {
	m, ok := node.(map[string]any)
	if !ok {
		return
	}
	if visit != nil {
		visit(m, depth)
	}
	if name := refName(m); name != "" {
		onRef(name, depth+1)
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch subschemaKeys[k] {
		case "map":
			if sub, ok := m[k].(map[string]any); ok {
				for _, name := range slices.Sorted(maps.Keys(sub)) {
					walkSubschemas(sub[name], depth+1, onRef, visit)
				}
			}
		case "list":
			if list, ok := m[k].([]any); ok {
				for _, s := range list {
					walkSubschemas(s, depth+1, onRef, visit)
				}
			}
		case "one":
			walkSubschemas(m[k], depth+1, onRef, visit)
		}
	}
}

// cutAt copies schema with every subschema deeper than level replaced by
// a described {}, and the $defs reached within level.
func cutAt(schema map[string]any, defs map[string]any, depth map[string]int, level int) map[string]any {
	used := map[string]bool{}
	var copyNode func(node any, d int) any
	copyNode = func(node any, d int) any {
		m, ok := node.(map[string]any)
		if !ok {
			return node
		}
		if d > level {
			return cutNode(m)
		}
		if name := refName(m); name != "" {
			if dd, ok := depth[name]; ok && dd > level {
				return cutNode(m)
			}
			used[name] = true
		}
		out := make(map[string]any, len(m))
		for k, v := range m {
			switch subschemaKeys[k] {
			case "skip":
				continue
			case "map":
				if sub, ok := v.(map[string]any); ok {
					c := make(map[string]any, len(sub))
					for name, s := range sub {
						c[name] = copyNode(s, d+1)
					}
					v = c
				}
			case "list":
				if list, ok := v.([]any); ok {
					c := make([]any, len(list))
					for i, s := range list {
						c[i] = copyNode(s, d+1)
					}
					v = c
				}
			case "one":
				v = copyNode(v, d+1)
			}
			out[k] = v
		}
		return out
	}
	root := copyNode(schema, 0).(map[string]any)
	// The $defs kept are those still referenced, followed from the root
	// through the kept ones; each is copied at the depth it is reached.
	kept := map[string]any{}
	for {
		var todo []string
		for name := range used {
			if _, done := kept[name]; !done {
				todo = append(todo, name)
			}
		}
		if len(todo) == 0 {
			break
		}
		sort.Strings(todo)
		for _, name := range todo {
			kept[name] = copyNode(defs[name], depth[name])
		}
	}
	if len(kept) > 0 {
		root["$defs"] = kept
	}
	return root
}

// cutNode is what stands for a cut subschema: accepts anything, and says
// what was there.
func cutNode(m map[string]any) map[string]any {
	what := "a nested schema"
	if name := refName(m); name != "" {
		what = "the " + name + " schema"
	} else if t, ok := m["type"].(string); ok {
		what = "a nested " + t
	}
	return map[string]any{"description": "Cut to keep the schema under 16 KiB: " + what + "."}
}
