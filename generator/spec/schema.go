package spec

import "gopkg.in/yaml.v3"

// Schema is the JSON Schema subset a spec may use (docs/spec.md, "schemas").
type Schema struct {
	Ref                  string                `yaml:"$ref,omitempty"` // "#/schemas/Name"
	Type                 string                `yaml:"type,omitempty"`
	Format               string                `yaml:"format,omitempty"`
	Description          string                `yaml:"description,omitempty"`
	Properties           Schemas               `yaml:"properties,omitempty"`
	Required             []string              `yaml:"required,omitempty"`
	Items                *Schema               `yaml:"items,omitempty"`
	Enum                 []any                 `yaml:"enum,omitempty"`
	Nullable             bool                  `yaml:"nullable,omitempty"`
	AdditionalProperties *AdditionalProperties `yaml:"additionalProperties,omitempty"`
	Default              any                   `yaml:"default,omitempty"`
	Minimum              *float64              `yaml:"minimum,omitempty"`
	Maximum              *float64              `yaml:"maximum,omitempty"`
	MinLength            *int                  `yaml:"minLength,omitempty"`
	MaxLength            *int                  `yaml:"maxLength,omitempty"`
	MinItems             *int                  `yaml:"minItems,omitempty"` // arrays; an extension, like maxItems
	MaxItems             *int                  `yaml:"maxItems,omitempty"`
	MinProperties        *int                  `yaml:"minProperties,omitempty"` // objects; documentation, like minItems
	MaxProperties        *int                  `yaml:"maxProperties,omitempty"`
	Pattern              string                `yaml:"pattern,omitempty"`
	AllOf                []*Schema             `yaml:"allOf,omitempty"`
	OneOf                []*Schema             `yaml:"oneOf,omitempty"`
	AnyOf                []*Schema             `yaml:"anyOf,omitempty"`
	// Discriminator, with oneOf or anyOf, names the property whose value
	// says which alternative a value is (an extension of the contract's
	// subset, as in OpenAPI).
	Discriminator *Discriminator `yaml:"discriminator,omitempty"`
}

// Discriminator tells the alternatives of a oneOf or anyOf apart.
type Discriminator struct {
	PropertyName string `yaml:"propertyName"`
	// Mapping maps property values to "#/schemas/Name". Without a mapping
	// for an alternative, its value is the single enum value of its
	// property, or else its schema name.
	Mapping map[string]string `yaml:"mapping,omitempty"`
}

// RefPrefix starts every schema reference.
const RefPrefix = "#/schemas/"

// RefName is the schema name a $ref points at, or "" when s is not a
// well-formed reference.
func (s *Schema) RefName() string {
	if s == nil || len(s.Ref) <= len(RefPrefix) || s.Ref[:len(RefPrefix)] != RefPrefix {
		return ""
	}
	return s.Ref[len(RefPrefix):]
}

// IsRequired reports whether property name is listed in s.Required.
func (s *Schema) IsRequired(name string) bool {
	for _, r := range s.Required {
		if r == name {
			return true
		}
	}
	return false
}

// Untyped reports whether s says nothing about a value's type or shape,
// so that it accepts any JSON value: no reference, type, properties,
// items, enum, additionalProperties or alternatives. It may still carry a
// description or required names ({required: [name]} as an allOf part).
func (s *Schema) Untyped() bool {
	return s == nil || s.Ref == "" && s.Type == "" && len(s.Properties) == 0 && s.Items == nil &&
		len(s.Enum) == 0 && s.AdditionalProperties == nil && len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) == 0
}

// NamedSchema is one entry of an ordered name → schema mapping.
type NamedSchema struct {
	Name   string
	Schema *Schema
}

// Schemas is a name → schema mapping that keeps the order of the file:
// struct fields are emitted in the order the spec lists its properties.
type Schemas []NamedSchema

// Get returns the schema called name, or nil.
func (ss Schemas) Get(name string) *Schema {
	for _, s := range ss {
		if s.Name == name {
			return s.Schema
		}
	}
	return nil
}

// MarshalYAML writes the mapping in order.
func (ss Schemas) MarshalYAML() (any, error) {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for _, s := range ss {
		var v yaml.Node
		if err := v.Encode(s.Schema); err != nil {
			return nil, err
		}
		n.Content = append(n.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s.Name}, &v)
	}
	return n, nil
}

// AdditionalProperties is either a boolean or a schema.
type AdditionalProperties struct {
	Allowed bool    // meaningful when Schema is nil
	Schema  *Schema // the type of every extra property
}

// MarshalYAML writes a boolean or a schema.
func (a *AdditionalProperties) MarshalYAML() (any, error) {
	if a.Schema != nil {
		return a.Schema, nil
	}
	return a.Allowed, nil
}
