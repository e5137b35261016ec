package spec

import (
	"bytes"

	"gopkg.in/yaml.v3"
)

// Marshal writes s as a spec file that Load reads back: field order as in
// the types, two-space indentation, schemas and properties in their order.
func Marshal(s *Spec) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(s); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
