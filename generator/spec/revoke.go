package spec

// RevokeMethod is the Client method that a spec with auth.revokeURL gets
// (the Connector Builder's revoke flow); no action of such a spec may take
// its Go name.
const RevokeMethod = "Revoke"
