package generator

import (
	"slices"
	"strings"

	"gopkg.in/yaml.v3"
)

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
	// The imported entries by their keys, indexed once: an override with
	// many entries is then linear, not entries × imported entries.
	index := map[string]int{}
	for i, b := range base.Content {
		for _, k := range entryKeys(b, keys, true) {
			if _, ok := index[k]; !ok {
				index[k] = i
			}
		}
	}
	for _, e := range over.Content {
		idx, ok := -1, false
		if e.Kind == yaml.MappingNode {
			if ks := entryKeys(e, keys, false); len(ks) == 1 {
				idx, ok = index[ks[0]]
			}
		}
		if !ok {
			out.Content = append(out.Content, e)
			continue
		}
		out.Content[idx] = mergeValue(base.Content[idx], e, entryShape)
	}
	return out
}

// entryKeys are the index keys of a list entry: its values of keys,
// joined. An imported entry (base) is indexed under them all and, when
// "in" is a key, under its name alone too, since an override param
// without in matches the first param of that name; an override entry has
// the one key it is looked up by, none when it has no name.
func entryKeys(n *yaml.Node, keys []string, base bool) []string {
	var full strings.Builder
	nameOnly := ""
	for _, k := range keys {
		v := lookup(n, k)
		val := ""
		if v != nil {
			val = v.Value
		}
		switch {
		case k == "name" && val == "" && !base:
			return nil // an override entry without a name matches nothing
		case k == "in" && v == nil && !base:
			return []string{"name-only\x00" + nameOnly}
		case k == "name":
			nameOnly = val
		}
		full.WriteString(val)
		full.WriteByte(0)
	}
	if base && slices.Contains(keys, "in") {
		return []string{full.String(), "name-only\x00" + nameOnly}
	}
	return []string{full.String()}
}
