package openapi

import (
	"strings"
	"testing"

	"github.com/conngen/conngen/generator/spec"
)

const head31 = `openapi: 3.1.0
info: {title: Test API, version: "1.0"}
servers: [{url: "https://api.example.com/v1"}]
`

// hooks is s's webhooks block, which must be there.
func hooks(t *testing.T, s *spec.Spec) *spec.Webhooks {
	t.Helper()
	if s.Webhooks == nil {
		t.Fatalf("no webhooks block")
	}
	return s.Webhooks
}

// events is name type, one event a line, for comparing.
func events(t *testing.T, s *spec.Spec) string {
	t.Helper()
	var b strings.Builder
	for _, e := range hooks(t, s).Events {
		b.WriteString(e.Name + " " + e.Type + "\n")
	}
	return b.String()
}

func event(t *testing.T, s *spec.Spec, name string) *spec.WebhookEvent {
	t.Helper()
	if s.Webhooks != nil {
		for i := range s.Webhooks.Events {
			if s.Webhooks.Events[i].Name == name {
				return &s.Webhooks.Events[i]
			}
		}
	}
	t.Fatalf("no event %s; have:\n%s", name, events(t, s))
	return nil
}

func schemaNamed(s *spec.Spec, name string) *spec.Schema {
	for _, n := range s.Schemas {
		if n.Name == name {
			return n.Schema
		}
	}
	return nil
}

func hook(schema string) string {
	return `{post: {summary: Sent, requestBody: {content: {application/json: {schema: ` + schema + `}}}, responses: {"200": {description: ok}}}}`
}

// 3.1 webhooks whose payloads fix a property to one value, by const, by a
// one-value enum, and through $ref and allOf, give that property as
// eventType and its values as the types.
func TestWebhooksEventType(t *testing.T) {
	s, warns := imp(t, head31+`paths:
  /me: {get: {responses: {"200": {description: ok}}}}
webhooks:
  email.sent:
    post:
      summary: Email sent
      description: |
        Occurs when the email was accepted.

        More text.
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/EmailSentEvent"}
      responses: {"200": {description: ok}}
  email.bounced: `+hook(`{$ref: "#/components/schemas/EmailBouncedEvent"}`)+`
  contact-created: `+hook(`{type: object, properties: {type: {type: string, enum: [contact.created]}, id: {type: string}}}`)+`
components:
  schemas:
    Event:
      type: object
      required: [type]
      properties:
        type: {type: string, enum: [email.sent, email.bounced, contact.created]}
        kind: {type: string, const: same}
    EmailSentEvent:
      type: object
      properties:
        type: {type: string, const: email.sent}
        data: {$ref: "#/components/schemas/Email"}
    EmailBouncedEvent:
      allOf:
        - $ref: "#/components/schemas/Event"
        - type: object
          properties:
            type: {allOf: [{$ref: "#/components/schemas/BouncedType"}]}
    BouncedType: {type: string, const: email.bounced}
    Email: {type: object, properties: {to: {type: string}}}
`, Options{})
	eq(t, "eventType", hooks(t, s).EventType, "type")
	eq(t, "events", events(t, s), "contactCreated contact.created\nemailBounced email.bounced\nemailSent email.sent\n")
	eq(t, "signature", hooks(t, s).Signature, &spec.Signature{Scheme: spec.SchemeNone})
	sent := event(t, s, "emailSent")
	eq(t, "description", sent.Description, "Occurs when the email was accepted.")
	eq(t, "description from summary", event(t, s, "emailBounced").Description, "Sent")
	eq(t, "schema", sent.Schema, &spec.Schema{Ref: spec.RefPrefix + "EmailSentEvent"})
	if sc := event(t, s, "contactCreated").Schema; sc == nil || sc.Properties.Get("type") == nil {
		t.Errorf("inline schema not converted: %#v", sc)
	}
	wantWarning(t, warns, "#/webhooks", "cannot say how deliveries are signed")
	wantWarning(t, warns, "#/webhooks", "standard, github, stripe, slack, shopify, hmac, header, field")
	if hasWarning(warns, "#/webhooks", "eventType is left") {
		t.Errorf("eventType warning although it was found:\n%s", warnList(warns))
	}
}

// Without a property that tells the events apart, each event's type is
// its key and a warning says to set eventType.
func TestWebhooksNoEventType(t *testing.T) {
	s, warns := imp(t, head31+`webhooks:
  newPet: `+hook(`{$ref: "#/components/schemas/Pet"}`)+`
  pet.deleted: `+hook(`{$ref: "#/components/schemas/Pet"}`)+`
  plain: {post: {requestBody: {content: {application/json: {}}}, responses: {"200": {description: ok}}}}
components:
  schemas:
    Pet: {type: object, properties: {id: {type: integer}, type: {type: string, enum: [cat, dog]}}}
`, Options{})
	eq(t, "eventType", hooks(t, s).EventType, "")
	eq(t, "events", events(t, s), "newPet newPet\npetDeleted pet.deleted\nplain plain\n")
	if e := event(t, s, "plain"); e.Schema != nil {
		t.Errorf("body without schema: schema %#v, want none (any JSON)", e.Schema)
	}
	wantWarning(t, warns, "#/webhooks", "no property of every event's schema holds a single enum or const value: each event's type is its key")
	wantWarning(t, warns, "#/webhooks", "set eventType")

	// A fixed property that is the same in two events does not tell them apart.
	s, warns = imp(t, head31+`webhooks:
  a: `+hook(`{type: object, properties: {type: {const: x}, v: {const: "1"}}}`)+`
  b: `+hook(`{type: object, properties: {type: {const: x}, v: {const: "2"}}}`)+`
  c: `+hook(`{type: object, properties: {type: {const: x}}}`)+`
`, Options{})
	eq(t, "eventType", hooks(t, s).EventType, "")
	eq(t, "events", events(t, s), "a a\nb b\nc c\n")
	wantWarning(t, warns, "#/webhooks", `property type is "x" in both a and b`)

	// An empty value is no type.
	s, _ = imp(t, head31+`webhooks:
  a: `+hook(`{type: object, properties: {type: {const: ""}}}`)+`
  b: `+hook(`{type: object, properties: {type: {const: b}}}`)+`
`, Options{})
	eq(t, "eventType", hooks(t, s).EventType, "")
	eq(t, "events", events(t, s), "a a\nb b\n")

	// ... but another property that does is used.
	s, _ = imp(t, head31+`webhooks:
  a: `+hook(`{type: object, properties: {type: {const: x}, topic: {const: t.a}}}`)+`
  b: `+hook(`{type: object, properties: {type: {const: x}, topic: {const: t.b}}}`)+`
`, Options{})
	eq(t, "eventType", hooks(t, s).EventType, "topic")
	eq(t, "events", events(t, s), "a t.a\nb t.b\n")
}

// 3.0 callbacks are events too: one per callback operation with a JSON
// body, a callback shared through $ref once.
func TestWebhooksCallbacks(t *testing.T) {
	s, warns := imp(t, head+`paths:
  /subscriptions:
    post:
      operationId: subscribe
      requestBody: {content: {application/json: {schema: {type: object, properties: {url: {type: string}}}}}}
      responses: {"201": {description: ok}}
      callbacks:
        onData:
          '{$request.body#/url}':
            post:
              description: Data arrived.
              requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Data"}}}}
              responses: {"200": {description: ok}}
        onPing:
          '{$request.body#/url}':
            post:
              requestBody: {content: {text/plain: {schema: {type: string}}}}
              responses: {"200": {description: ok}}
        shared: {$ref: "#/components/callbacks/shared"}
  /other:
    post:
      operationId: other
      responses: {"200": {description: ok}}
      callbacks:
        shared: {$ref: "#/components/callbacks/shared"}
components:
  callbacks:
    shared:
      '{$request.query.cb}':
        post:
          requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Shared"}}}}
          responses: {"200": {description: ok}}
  schemas:
    Data: {type: object, properties: {kind: {type: string, enum: [data]}}}
    Shared: {type: object, properties: {kind: {type: string, enum: [shared]}}}
`, Options{})
	eq(t, "actions", len(s.Actions), 2)
	eq(t, "eventType", hooks(t, s).EventType, "kind")
	// paths sorted: /other's callback first, and only once
	eq(t, "events", events(t, s), "shared shared\nonData data\n")
	eq(t, "description", event(t, s, "onData").Description, "Data arrived.")
	eq(t, "schema", event(t, s, "shared").Schema, &spec.Schema{Ref: spec.RefPrefix + "Shared"})
	wantWarning(t, warns, "#/paths/~1subscriptions/post/callbacks/onPing/{$request.body#~1url}/post", "no JSON request body")
	wantWarning(t, warns, "#/paths/~1other/post/callbacks/shared/{$request.query.cb}/post", "cannot say how deliveries are signed")
}

// A document with webhooks and no paths is a connector with no actions.
func TestWebhooksOnly(t *testing.T) {
	doc := `openapi: 3.1.0
info: {title: Hooks, version: "1"}
webhooks:
  newPet: ` + hook(`{$ref: "#/components/schemas/Pet"}`) + `
components:
  schemas:
    Pet: {type: object, properties: {name: {type: string}}}
`
	s, _ := imp(t, doc, Options{})
	eq(t, "actions", len(s.Actions), 0)
	eq(t, "auth", s.Auth.Type, spec.AuthNone)
	if s.Ping != nil {
		t.Errorf("auth none: ping %v", s.Ping)
	}
	eq(t, "events", events(t, s), "newPet newPet\n")

	// With no operation to call, declared schemes (Adyen's BasicAuth,
	// which its deliveries carry) authenticate nothing: auth none, said.
	s, warns := imp(t, strings.Replace(doc, "components:\n", "components:\n  securitySchemes: {BasicAuth: {type: http, scheme: basic}}\n", 1), Options{})
	eq(t, "actions", len(s.Actions), 0)
	eq(t, "auth", s.Auth.Type, spec.AuthNone)
	if s.Ping != nil {
		t.Errorf("no operations: ping %v", s.Ping)
	}
	wantWarning(t, warns, "#/components/securitySchemes", "no operations to call")
	// --auth still chooses one.
	s, _ = imp(t, strings.Replace(doc, "components:\n", "components:\n  securitySchemes: {BasicAuth: {type: http, scheme: basic}}\n", 1), Options{Auth: "BasicAuth"})
	eq(t, "auth", s.Auth.Type, spec.AuthBasic)

	s, warns = imp(t, strings.Replace(doc, "summary: Sent,", "summary: Sent, security: [{BasicAuth: []}],", 1)+
		"  securitySchemes: {BasicAuth: {type: http, scheme: basic}}\n", Options{})
	eq(t, "events", events(t, s), "newPet newPet\n")
	wantWarning(t, warns, "#/webhooks", "the events list the security scheme BasicAuth")
}

// Payload schemas are kept, with the schemas they reach, when filters
// prune the schemas to those of the kept actions.
func TestWebhookSchemasKept(t *testing.T) {
	s, _ := imp(t, head31+`paths:
  /a: {get: {operationId: getA, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/A"}}}}}}}
  /b: {get: {operationId: getB, responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/B"}}}}}}}
webhooks:
  thing: `+hook(`{$ref: "#/components/schemas/Thing"}`)+`
  part: `+hook(`{$ref: "#/components/schemas/Thing/properties/part"}`)+`
components:
  schemas:
    A: {type: object}
    B: {type: object}
    Thing:
      type: object
      properties:
        data: {$ref: "#/components/schemas/Data"}
        part: {type: object, properties: {x: {type: string}}}
    Data: {type: object, properties: {x: {type: string}}}
`, Options{Operations: []string{"getA"}})
	var kept []string
	for _, n := range s.Schemas {
		kept = append(kept, n.Name)
	}
	eq(t, "schemas", strings.Join(kept, " "), "A Data Thing Thing_part")
	eq(t, "thing", event(t, s, "thing").Schema, &spec.Schema{Ref: spec.RefPrefix + "Thing"})
	eq(t, "part", event(t, s, "part").Schema, &spec.Schema{Ref: spec.RefPrefix + "Thing_part"})
	if schemaNamed(s, "Thing_part") == nil {
		t.Errorf("Thing_part has no schema")
	}
}

// Keys that give the same name after naming, and a key naming the
// handlers' own OnOther, get numbered names; the same callback key on two
// operations gets numbered types.
func TestWebhookDuplicates(t *testing.T) {
	s, _ := imp(t, head31+`webhooks:
  email.sent: `+hook(`{type: object}`)+`
  email-sent: `+hook(`{type: object}`)+`
  EmailSent: `+hook(`{type: object}`)+`
  other: `+hook(`{type: object}`)+`
  "": `+hook(`{type: object}`)+`
  "1st": `+hook(`{type: object}`)+`
`, Options{})
	eq(t, "events", events(t, s), "event event\nop1st 1st\nemailSent EmailSent\nemailSent2 email-sent\nemailSent3 email.sent\nother2 other\n")

	cb := `
      callbacks:
        done:
          '{$request.body#/url}':
            post:
              requestBody: {content: {application/json: {schema: {type: object}}}}
              responses: {"200": {description: ok}}
`
	s, warns := imp(t, head+`paths:
  /a:
    post:
      responses: {"200": {description: ok}}`+cb+`  /b:
    post:
      responses: {"200": {description: ok}}`+cb, Options{})
	eq(t, "events", events(t, s), "done done\ndone2 done2\n")
	wantWarning(t, warns, "#/paths/~1b/post/callbacks/done/{$request.body#~1url}/post", `type "done" is another event's too; event done2 has type "done2"`)

	// Fixed values that repeat fall back to the keys.
	s, _ = imp(t, head31+`webhooks:
  a: `+hook(`{type: object, properties: {type: {const: x}}}`)+`
  b: `+hook(`{type: object, properties: {type: {const: x}}}`)+`
`, Options{})
	eq(t, "events", events(t, s), "a a\nb b\n")
}

// Only one event per webhook; other operations are reported.
func TestWebhookOneEventEach(t *testing.T) {
	s, warns := imp(t, head31+`webhooks:
  thing:
    put: {requestBody: {content: {application/json: {schema: {type: object}}}}, responses: {"200": {description: ok}}}
    post: {requestBody: {content: {application/json: {schema: {type: string}}}}, responses: {"200": {description: ok}}}
  form:
    post: {requestBody: {content: {application/x-www-form-urlencoded: {schema: {type: object}}}}, responses: {"200": {description: ok}}}
`, Options{})
	eq(t, "events", events(t, s), "thing thing\n")
	eq(t, "schema", event(t, s, "thing").Schema, &spec.Schema{Type: "string"})
	wantWarning(t, warns, "#/webhooks/thing/put", "one event, read from its post operation")
	wantWarning(t, warns, "#/webhooks/form/post", "no JSON request body")

	// No event at all: no webhooks block.
	s, _ = imp(t, head31+`webhooks:
  form:
    post: {requestBody: {content: {application/x-www-form-urlencoded: {schema: {type: object}}}}, responses: {"200": {description: ok}}}
`, Options{})
	if s.Webhooks != nil {
		t.Errorf("webhooks %#v, want none", s.Webhooks)
	}
}
