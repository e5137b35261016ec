package spec

// For the external tests: Marshal's two ways of writing a spec.
var (
	MarshalYAMLv3 = marshalYAMLv3
	MarshalDirect = marshalDirect
)
