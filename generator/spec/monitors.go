package spec

// Monitor turns a list action into a feed of new records, with a cursor
// that persists between runs (docs/spec.md, "monitors").
type Monitor struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
	Action      string `yaml:"action"`
	// Items is the dot path of the record list in the action's response;
	// default: paginate.items, or the response when it is a list.
	Items string `yaml:"items,omitempty"`
	// ID is the dot path of a record's unique id.
	ID       string `yaml:"id"`
	Since    *Since `yaml:"since,omitempty"`
	Interval string `yaml:"interval,omitempty"` // Go duration; default DefaultMonitorInterval
}

// Since says what makes a record newer.
type Since struct {
	Field  string `yaml:"field"`            // dot path of the record's change time or sequence number
	Format string `yaml:"format,omitempty"` // rfc3339 (default) | unix | unixMillis | number
	Param  string `yaml:"param,omitempty"`  // a query param of the action that filters on the server
	// Order is how the action lists records: newestFirst (default) or
	// oldestFirst. Records sharing a since value are handed over oldest
	// first by it, the same in every poll.
	Order string `yaml:"order,omitempty"`
	// Tiebreak is the dot path of a value the service sorts ties by (such
	// as the id, growing with creation); with it the cursor keeps only the
	// last one handed over at its since value, not every id there.
	Tiebreak string `yaml:"tiebreak,omitempty"`
}

// Since orders.
const (
	NewestFirst = "newestFirst"
	OldestFirst = "oldestFirst"
)

// SinceOrders lists them.
var SinceOrders = []string{NewestFirst, OldestFirst}

// Since formats.
const (
	SinceRFC3339    = "rfc3339"
	SinceUnix       = "unix"
	SinceUnixMillis = "unixMillis"
	SinceNumber     = "number"
)

// SinceFormats lists them.
var SinceFormats = []string{SinceRFC3339, SinceUnix, SinceUnixMillis, SinceNumber}

// DefaultMonitorInterval is how often Watch polls when neither the spec
// nor the caller says.
const DefaultMonitorInterval = "5m"
