package generator

import "gopkg.in/yaml.v3"

// The merge of a derived spec's overrides into the imported spec
// (connector-spec 10.1), on YAML nodes so that every node keeps the
// position of the file it came from:
//   - mappings merge key by key, recursively, except that a mapping
//     whose type, style, scheme or $ref the override changes replaces the
//     imported one whole;
//   - lists of named entries merge entry by entry: actions, monitors,
//     webhooks.events and connection on name, an action's params on
//     (name, in); an entry naming nothing imported is added;
//   - any other value replaces the imported one, and a key set to null
//     removes it;
//   - name and conngen are the spec's own.

// replacingKeys are the keys whose change makes an override replace a
// mapping whole: what the rest of the mapping means depends on them.
var replacingKeys = []string{"type", "style", "scheme", "$ref"}

// mergeTop merges the spec file's top-level mapping (without from) into
// the imported one.
func mergeTop(base, top *yaml.Node) *yaml.Node {
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: top.Line, Column: top.Column}
	for i := 0; i+1 < len(base.Content); i += 2 {
		switch base.Content[i].Value {
		case "conngen", "name":
			continue
		}
		out.Content = append(out.Content, base.Content[i], base.Content[i+1])
	}
	for i := 0; i+1 < len(top.Content); i += 2 {
		k, v := top.Content[i], top.Content[i+1]
		switch k.Value {
		case "from":
			continue
		case "conngen", "name":
			out.Content = append([]*yaml.Node{k, v}, out.Content...)
			continue
		}
		setKey(out, k, v, k.Value)
	}
	return out
}

// setKey merges value v of key k into mapping out; shape names where the
// mapping is ("" at the top, "actions[]" in an action, ...).
func setKey(out *yaml.Node, k, v *yaml.Node, shape string) {
	for j := 0; j+1 < len(out.Content); j += 2 {
		if out.Content[j].Value != k.Value {
			continue
		}
		if isNull(v) {
			out.Content = append(out.Content[:j], out.Content[j+2:]...)
			return
		}
		out.Content[j] = k
		out.Content[j+1] = mergeValue(out.Content[j+1], v, shape)
		return
	}
	if !isNull(v) {
		out.Content = append(out.Content, k, v)
	}
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

// namedLists are the shapes of the lists merged entry by entry, with the
// keys that identify an entry.
var namedLists = map[string][]string{
	"actions":          {"name"},
	"monitors":         {"name"},
	"connection":       {"name"},
	"webhooks.events":  {"name"},
	"actions[].params": {"name", "in"},
}

// mergeValue merges over into base; shape is the path of the value with
// list indexes written [].
func mergeValue(base, over *yaml.Node, shape string) *yaml.Node {
	if base.Kind == yaml.AliasNode {
		base = base.Alias
	}
	if over.Kind == yaml.AliasNode {
		over = over.Alias
	}
	if keys, ok := namedLists[shape]; ok && base.Kind == yaml.SequenceNode && over.Kind == yaml.SequenceNode {
		return mergeNamed(base, over, keys, shape+"[]")
	}
	if base.Kind != yaml.MappingNode || over.Kind != yaml.MappingNode {
		return over
	}
	for _, rk := range replacingKeys {
		if ov := lookup(over, rk); ov != nil {
			if bv := lookup(base, rk); bv == nil || !sameScalar(bv, ov) {
				return over
			}
		}
	}
	out := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Line: over.Line, Column: over.Column, Style: over.Style}
	out.Content = append(out.Content, base.Content...)
	for i := 0; i+1 < len(over.Content); i += 2 {
		setKey(out, over.Content[i], over.Content[i+1], shapeJoin(shape, over.Content[i].Value))
	}
	return out
}

func shapeJoin(shape, key string) string {
	if shape == "" {
		return key
	}
	return shape + "." + key
}

func sameScalar(a, b *yaml.Node) bool {
	return a.Kind == yaml.ScalarNode && b.Kind == yaml.ScalarNode && a.Value == b.Value
}

// mergeNamed merges a list of named entries: an override entry whose
// keys match an imported entry is merged into it, in the imported place;
// any other is added at the end.
func mergeNamed(base, over *yaml.Node, keys []string, entryShape string) *yaml.Node {
	out := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Line: over.Line, Column: over.Column}
	out.Content = append(out.Content, base.Content...)
	for _, e := range over.Content {
		idx := -1
		if e.Kind == yaml.MappingNode {
			for i, b := range base.Content {
				if sameKeys(b, e, keys) {
					idx = i
					break
				}
			}
		}
		if idx < 0 {
			out.Content = append(out.Content, e)
			continue
		}
		out.Content[idx] = mergeValue(base.Content[idx], e, entryShape)
	}
	return out
}

// sameKeys reports whether two entries agree on every key (an override
// param without in matches on its name).
func sameKeys(a, b *yaml.Node, keys []string) bool {
	for _, k := range keys {
		av, bv := lookup(a, k), lookup(b, k)
		as, bs := "", ""
		if av != nil {
			as = av.Value
		}
		if bv != nil {
			bs = bv.Value
		}
		if k == "name" && (bv == nil || bs == "") {
			return false
		}
		if k == "in" && bv == nil {
			continue // an override naming a param without in: the param of that name
		}
		if as != bs {
			return false
		}
	}
	return true
}
