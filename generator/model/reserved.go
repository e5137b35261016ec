package model

import (
	"slices"
	"sync"

	"github.com/conngen/conngen/templates"
)

// emitted are the package-level identifiers that the emitter declares
// itself (client.go, registry.go and its schema table, webhooks.go,
// revoke's ErrRevoked), in
// some connector or in all. TestReservedCoversGoldens fails when the
// emitter declares one that is missing here.
var emitted = []string{
	"Actions", "AuthCodeURL", "Config", "DefaultBaseURL", "ErrRevoked", "ErrUnknownAction",
	"Exchange", "New", "NewWebhookHandler", "OAuth2Config", "VerifyWebhook", "WebhookHandlers",
	"webhookConfig", "oauth2TokenParams", "specRetry", "actionSchema", "registry", "schemaRefs", "schemaText", "schemaTexts", "schemasBuilt",
}

// Reserved returns the package-level identifiers that no spec-derived name
// takes, in any connector: every identifier the runtime in templates/ can
// declare (read from its sources) and every one the emitter declares,
// whether or not this connector carries that part of the runtime, so that
// adding a capability to a spec never renames a user's type.
var Reserved = sync.OnceValue(func() []string {
	r := slices.Concat(templates.Names().Package, emitted)
	slices.Sort(r)
	return slices.Compact(r)
})
