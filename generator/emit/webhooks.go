package emit

import (
	"strconv"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// genWebhooks renders the spec's half of the webhook runtime
// (templates/webhook.go): the resolved signature, the handler fields and
// the functions the contract names.
func genWebhooks(f *jen.File, c *model.Connector) {
	w := c.Webhooks
	ctx := jen.Qual("context", "Context")
	raw := jen.Qual("encoding/json", "RawMessage")

	f.Comment("webhookConfig is the spec's webhooks block, its signature preset resolved.")
	f.Var().Id("webhookConfig").Op("=").Id("webhookSpec").Values(jen.DictFunc(func(d jen.Dict) {
		set := func(key, val string) {
			if val != "" {
				d[jen.Id(key)] = jen.Lit(val)
			}
		}
		set("scheme", w.Scheme)
		set("header", w.Header)
		set("algorithm", w.Algorithm)
		set("encoding", w.Encoding)
		set("prefix", w.Prefix)
		set("signed", w.Signed)
		set("timestampHeader", w.TimestampHeader)
		set("idHeader", w.IDHeader)
		set("field", w.Field)
		set("eventType", w.EventType)
		set("eventID", w.EventID)
		set("batch", w.Batch)
		set("challenge", w.Challenge)
		set("connector", c.Name)
		switch {
		case w.Tolerance > 0 && w.Tolerance%time.Minute == 0:
			d[jen.Id("tolerance")] = jen.Lit(int(w.Tolerance/time.Minute)).Op("*").Qual("time", "Minute")
		case w.Tolerance > 0:
			d[jen.Id("tolerance")] = duration(w.Tolerance)
		}
		d[jen.Id("maxBodyBytes")] = jen.Lit(int(w.MaxBodyBytes))
	}))

	f.Comment("WebhookHandlers has one field per event the service sends; a nil field")
	f.Comment("acknowledges its events without doing anything. Pass it to NewWebhookHandler.")
	f.Type().Id("WebhookHandlers").StructFunc(func(g *jen.Group) {
		for _, e := range w.Events {
			text := e.Field + " handles " + strconv.Quote(e.Type) + " events."
			if e.Description != "" {
				text += "\n" + e.Description
			}
			doc(g, "", text)
			g.Id(e.Field).Func().Params(jen.Id("ctx").Add(ctx), jen.Id("ev").Id("WebhookEvent").Types(goType(e.Payload))).Error()
		}
		g.Comment("OnOther gets every verified event that no field above handles, undeclared types included.")
		g.Id("OnOther").Func().Params(jen.Id("ctx").Add(ctx), jen.Id("ev").Id("WebhookEvent").Types(raw)).Error()
	})

	f.Comment("decode returns the call to make for one verified event (nil when no")
	f.Comment("handler wants it), or an error when its payload does not decode into")
	f.Comment("the handler's type.")
	f.Func().Params(jen.Id("h").Id("WebhookHandlers")).Id("decode").
		Params(jen.Id("ev").Id("WebhookEvent").Types(raw)).
		Params(jen.Func().Params(ctx).Error(), jen.Error()).BlockFunc(func(g *jen.Group) {
		if len(w.Events) > 0 {
			g.Switch(jen.Id("ev").Dot("Type")).BlockFunc(func(sw *jen.Group) {
				for _, e := range w.Events {
					sw.Case(jen.Lit(e.Type)).Block(jen.Return(jen.Id("webhookCall").Call(jen.Id("ev"), jen.Id("h").Dot(e.Field))))
				}
			})
		}
		g.Return(jen.Id("webhookCall").Call(jen.Id("ev"), jen.Id("h").Dot("OnOther")))
	})

	f.Comment("NewWebhookHandler serves the service's deliveries: it verifies each one, decodes")
	f.Comment("its events and calls their handlers. secret is the signing secret (for the header")
	f.Comment("and field schemes, the expected value). opts may be nil.")
	f.Func().Id("NewWebhookHandler").Params(jen.Id("secret").String(), jen.Id("h").Id("WebhookHandlers"),
		jen.Id("opts").Op("*").Id("WebhookOptions")).Qual("net/http", "Handler").Block(
		jen.Return(jen.Id("newWebhookHandler").Call(jen.Id("webhookConfig"), jen.Id("secret"), jen.Id("opts"), jen.Id("h").Dot("decode"))),
	)

	f.Comment("VerifyWebhook checks r's signature (and timestamp) and returns the body, for servers")
	f.Comment("that do not use net/http handlers; it reads at most MaxBodyBytes.")
	f.Func().Id("VerifyWebhook").Params(jen.Id("r").Op("*").Qual("net/http", "Request"), jen.Id("secret").String(),
		jen.Id("opts").Op("*").Id("WebhookOptions")).Params(jen.Index().Byte(), jen.Error()).Block(
		jen.Return(jen.Id("verifyWebhook").Call(jen.Id("webhookConfig"), jen.Id("r"), jen.Id("secret"), jen.Id("opts"))),
	)
}
