package templates

import (
	"bytes"
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// encodeQuery writes a query parameter whose value is an object (or, with
// deepObject, a list) into q, as OpenAPI's styles say. It goes through
// JSON, so json tags and omitempty decide the members:
//
//   - form, explode: each member is a parameter of its own, k1=v1&k2=v2
//     (a list member repeats its key);
//   - form, no explode: name=k1,v1,k2,v2, members sorted by key;
//   - deepObject: name[k1]=v1, nested objects name[a][b]=v, lists
//     name[k][0]=v (as Stripe reads them).
//
// Scalars are written as in JSON text without quotes; nulls are left out;
// a value nested where the style defines none (an object inside a form
// member) is sent as its JSON text.
func encodeQuery(q url.Values, name, style string, explode bool, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber() // keep numbers as written, not as float64
	if err := dec.Decode(&tree); err != nil {
		return err
	}
	if style == "deepObject" {
		deepObject(q, name, tree)
		return nil
	}
	obj, ok := tree.(map[string]any)
	if !ok {
		if s, ok := queryScalar(tree); ok {
			q.Set(name, s)
		}
		return nil
	}
	keys := sortedKeys(obj)
	if explode {
		for _, k := range keys {
			if list, ok := obj[k].([]any); ok {
				for _, e := range list {
					if s, ok := queryScalar(e); ok {
						q.Add(k, s)
					}
				}
				continue
			}
			if s, ok := queryScalar(obj[k]); ok {
				q.Add(k, s)
			}
		}
		return nil
	}
	var parts []string
	for _, k := range keys {
		if s, ok := queryScalar(obj[k]); ok {
			parts = append(parts, k, s)
		}
	}
	if len(parts) > 0 {
		q.Set(name, strings.Join(parts, ","))
	}
	return nil
}

// deepObject writes v under key: objects and lists as key[k]..., scalars
// as key=v.
func deepObject(q url.Values, key string, v any) {
	switch v := v.(type) {
	case map[string]any:
		for k, sub := range v {
			deepObject(q, key+"["+k+"]", sub)
		}
	case []any:
		for i, e := range v {
			deepObject(q, key+"["+strconv.Itoa(i)+"]", e)
		}
	default:
		if s, ok := queryScalar(v); ok {
			q.Add(key, s)
		}
	}
}

// queryScalar is a decoded JSON value as query text; ok is false for null.
// A list is joined with commas; an object is its JSON text.
func queryScalar(v any) (string, bool) {
	switch v := v.(type) {
	case nil:
		return "", false
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case []any:
		parts := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := queryScalar(e); ok {
				parts = append(parts, s)
			}
		}
		return strings.Join(parts, ","), true
	}
	data, _ := json.Marshal(v)
	return string(data), true
}
