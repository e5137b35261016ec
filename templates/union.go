package templates

import (
	"bytes"
	"encoding/json"
)

// jsonKind is the kind of a JSON value by its first byte: '{', '[', '"',
// '0' for a number, 't' for a boolean, 'n' for null, 0 for nothing valid.
// Union types use it to pick the alternative a value decodes into.
func jsonKind(data []byte) byte {
	data = bytes.TrimLeft(data, " \t\r\n")
	if len(data) == 0 {
		return 0
	}
	switch c := data[0]; {
	case c == '{' || c == '[' || c == '"' || c == 'n':
		return c
	case c == 't' || c == 'f':
		return 't'
	case c == '-' || c >= '0' && c <= '9':
		return '0'
	}
	return 0
}

//conngen:if discriminator

// jsonTag reads the discriminator property of a JSON object: its string
// value, or the text of a number; "" when absent.
func jsonTag(data []byte, prop string) string {
	var obj map[string]json.RawMessage
	if json.Unmarshal(data, &obj) != nil {
		return ""
	}
	raw, ok := obj[prop]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

//conngen:end
