package emit

import (
	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// sendAction ends an action's method: it sends req and returns the
// answer. The Response is declared here and filled by callInto, not by
// a generic runtime function, which would be compiled again for each
// response type. hasErr: err is declared already.
func sendAction(g *jen.Group, a *model.Action, req jen.Code, hasErr bool) {
	if a.Stream {
		g.Return(jen.Id("callStream").Call(jen.Id("ctx"), jen.Id("c"), req))
		return
	}
	g.Id("out").Op(":=").Op("&").Id("Response").Types(goType(a.Result)).Values()
	if !hasErr {
		g.Var().Err().Error()
	}
	g.If(
		jen.List(jen.Id("out").Dot("StatusCode"), jen.Id("out").Dot("Header"), jen.Err()).Op("=").Id("c").Dot("callInto").Call(jen.Id("ctx"), req, jen.Op("&").Id("out").Dot("Body")),
		jen.Err().Op("!=").Nil(),
	).Block(jen.Return(jen.Nil(), jen.Err()))
	g.Return(jen.Id("out"), jen.Nil())
}

// streamDoc ends the doc comment of a streamed action.
func streamDoc(a *model.Action) []string {
	if !a.Stream {
		return nil
	}
	return []string{"",
		"The 2xx body is handed over unread as soon as the headers arrive, with",
		"no size cap, and the call is never retried once it is: the caller must",
		"read and close resp.Body. Any other status is an *APIError.",
	}
}

// genEvents renders an action's Server-Sent Events method.
func genEvents(f *jen.File, a *model.Action) {
	e := a.Events
	data := goType(e.Data)
	f.Comment(e.Method + " calls " + a.Method + " " + a.Path + " with Accept: text/event-stream and")
	f.Comment("yields each Server-Sent Event as soon as it has arrived, its data decoded;")
	f.Comment("a data of [DONE] ends the sequence, and so does an error. Stopping the")
	f.Comment("loop closes the connection. A non-2xx answer is an *APIError. There is")
	f.Comment("no automatic reconnection.")
	seq := jen.Qual("iter", "Seq2").Types(jen.Id("ServerEvent").Types(data), jen.Error())
	call := jen.Id("events").Types(data)
	if a.ParamsType == "" {
		f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(e.Method).Params(jen.Id("ctx").Qual("context", "Context")).Add(seq).Block(
			jen.Return(call.Call(jen.Id("ctx"), jen.Id("c"), plainRequest(a))),
		)
		return
	}
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(e.Method).Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("params").Id(a.ParamsType)).Add(seq).Block(
		jen.List(jen.Id("req"), jen.Err()).Op(":=").Id("params").Dot("request").Call(),
		jen.If(jen.Err().Op("!=").Nil()).Block(jen.Return(jen.Id("eventsError").Types(data).Call(jen.Err()))),
		jen.Return(call.Call(jen.Id("ctx"), jen.Id("c"), jen.Id("req"))),
	)
}
