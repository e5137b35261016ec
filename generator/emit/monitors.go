package emit

import (
	"strings"
	"time"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// genMonitors renders each monitor's Poll and Watch methods over the
// monitor runtime (templates/monitor.go).
func genMonitors(f *jen.File, c *model.Connector) {
	for _, m := range c.Monitors {
		genMonitor(f, c, m)
	}
}

func genMonitor(f *jen.File, c *model.Connector, m *model.Monitor) {
	a := m.Action
	rec := goType(m.Record)
	ctx := jen.Id("ctx").Qual("context", "Context")
	cursor := jen.Id("Cursor")
	steps := jen.Index().Id("monitorStep").Types(rec)
	spec := m.Var
	// params is the Params argument, left out when the action has none.
	params := func(g *jen.Group) {
		g.Add(ctx)
		if a.ParamsType != "" {
			g.Id("params").Id(a.ParamsType)
		}
	}
	args := func(g *jen.Group) {
		g.Id("ctx")
		if a.ParamsType != "" {
			g.Id("params")
		}
	}

	f.Comment(spec + " is the spec's monitor " + m.Name + ".")
	f.Var().Id(spec).Op("=").Id("monitorSpec").Values(jen.DictFunc(func(d jen.Dict) {
		d[jen.Id("id")] = jen.Lit(m.ID)
		if m.SinceField != "" {
			d[jen.Id("sinceField")] = jen.Lit(m.SinceField)
			d[jen.Id("sinceFormat")] = jen.Lit(m.SinceFormat)
			if !m.NewestFirst {
				d[jen.Id("oldestFirst")] = jen.True()
			}
			if m.Tiebreak != "" {
				d[jen.Id("tiebreak")] = jen.Lit(m.Tiebreak)
			}
		}
		if m.Interval%time.Minute == 0 {
			d[jen.Id("interval")] = jen.Lit(int(m.Interval/time.Minute)).Op("*").Qual("time", "Minute")
		} else {
			d[jen.Id("interval")] = duration(m.Interval)
		}
	}))

	poll, watch := "Poll"+m.GoName, "Watch"+m.GoName
	doc := []string{
		poll + " lists what is new since cur, oldest first, and the cursor for next time:",
		"the records of every page of " + a.GoName + recordsBy(m) + ".",
		"A zero Cursor (never started) returns no records and a started cursor at the current",
		"newest record, as the Builder's first run does; to read what already exists, pass",
		"Cursor{Started: true}.",
	}
	if d := comment(m.Description); len(d) > 0 {
		doc = append(append(doc, ""), d...)
	}
	f.Comment("// " + strings.Join(doc, "\n// "))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(poll).ParamsFunc(func(g *jen.Group) {
		params(g)
		g.Id("cur").Add(cursor)
	}).Params(jen.Index().Add(rec), cursor, jen.Error()).Block(
		jen.List(jen.Id("steps"), jen.Id("next"), jen.Err()).Op(":=").Id("c").Dot(lowerFirst(poll)).CallFunc(func(g *jen.Group) {
			args(g)
			g.Id("cur")
		}),
		jen.Return(jen.Id("monitorRecords").Call(jen.Id("steps")), jen.Id("next"), jen.Err()),
	)

	f.Comment("// " + strings.Join([]string{
		watch + " polls every interval (0: " + shortDuration(m.Interval) + ") until ctx ends or the loop stops, and",
		"yields each new record once. The cursor is loaded from store under key and saved after each",
		"record is handed over, so a restart resumes where the last run stopped: no record is skipped;",
		"after a crash the last one may come again. A failed poll yields (zero, err); the loop may",
		"go on, and the next poll retries from the same cursor.",
	}, "\n// "))
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(watch).ParamsFunc(func(g *jen.Group) {
		params(g)
		g.Id("store").Id("CursorStore")
		g.Id("key").String()
		g.Id("interval").Qual("time", "Duration")
	}).Qual("iter", "Seq2").Types(rec, jen.Error()).Block(
		jen.Return(jen.Id("watchMonitor").Call(jen.Id("ctx"), jen.Id(spec), jen.Id("store"), jen.Id("key"), jen.Id("interval"),
			jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("cur").Add(cursor)).Params(steps, cursor, jen.Error()).Block(
				jen.Return(jen.Id("c").Dot(lowerFirst(poll)).CallFunc(func(g *jen.Group) {
					args(g)
					g.Id("cur")
				})),
			))),
	)

	raw := jen.Qual("encoding/json", "RawMessage")
	f.Comment(lowerFirst(poll) + " runs one poll, each new record with the cursor to save once it is handed over.")
	f.Func().Params(jen.Id("c").Op("*").Id("Client")).Id(lowerFirst(poll)).ParamsFunc(func(g *jen.Group) {
		params(g)
		g.Id("cur").Add(cursor)
	}).Params(steps, cursor, jen.Error()).Block(
		jen.Return(jen.Id("pollMonitor").Types(rec).Call(jen.Id("ctx"), jen.Id(spec), jen.Id("cur"),
			jen.Func().Params(jen.Id("ctx").Qual("context", "Context"), jen.Id("since").String()).Qual("iter", "Seq2").Types(raw, jen.Error()).BlockFunc(func(g *jen.Group) {
				fail := func(err jen.Code) jen.Code {
					return jen.Return(jen.Id("monitorFail").Call(err))
				}
				req := plainRequest(a)
				if a.ParamsType != "" {
					from := "params"
					if m.SinceParam != nil {
						from = "p"
						g.Id("p").Op(":=").Id("params")
						g.If(jen.Id("since").Op("!=").Lit("")).BlockFunc(func(g *jen.Group) {
							setSince(g, c, m, fail)
						})
					}
					g.List(jen.Id("req"), jen.Err()).Op(":=").Id(from).Dot("request").Call()
					g.If(jen.Err().Op("!=").Nil()).Block(fail(jen.Err()))
					req = jen.Id("req")
				}
				if a.Paginate != nil {
					g.Return(jen.Id("paginate").Types(raw).Call(jen.Id("ctx"), jen.Id("c"), req, pagerValue(a.Paginate.Paginate), jen.Nil()))
				} else {
					g.Return(jen.Id("monitorPage").Call(jen.Id("ctx"), jen.Id("c"), req, jen.Lit(m.Items)))
				}
			}))),
	)
}

// recordsBy says how a monitor tells new records from old, for its doc.
func recordsBy(m *model.Monitor) string {
	if m.SinceField == "" {
		return " whose " + m.ID + " the last poll did not list"
	}
	s := " changed after the cursor (" + m.SinceField + ")"
	if m.SinceParam != nil {
		s += ", asked for with " + m.SinceParam.Name
	}
	return s
}

// setSince sets the since parameter of p from the cursor's since value,
// converted to the parameter's type.
func setSince(g *jen.Group, c *model.Connector, m *model.Monitor, fail func(jen.Code) jen.Code) {
	p := m.SinceParam
	field := jen.Id("p").Dot(p.GoName)
	value := jen.Id("since")
	var parse jen.Code
	switch {
	case p.Elem == model.TimeType:
		parse = jen.Qual("time", "Parse").Call(jen.Qual("time", "RFC3339Nano"), jen.Id("since"))
	case p.Elem.Name == "int":
		parse = jen.Qual("strconv", "Atoi").Call(jen.Id("since"))
	case p.Elem.Name == "int32", p.Elem.Name == "int64":
		parse = jen.Qual("strconv", "ParseInt").Call(jen.Id("since"), jen.Lit(10), jen.Lit(bits(p.Elem.Name)))
	case p.Elem.Name == "float32", p.Elem.Name == "float64":
		parse = jen.Qual("strconv", "ParseFloat").Call(jen.Id("since"), jen.Lit(bits(p.Elem.Name)))
	}
	if parse != nil {
		g.List(jen.Id("v"), jen.Err()).Op(":=").Add(parse)
		g.If(jen.Err().Op("!=").Nil()).Block(fail(jen.Qual("fmt", "Errorf").Call(
			jen.Lit(c.Name+": "+"Poll"+m.GoName+": since value %q does not fit parameter "+p.Name+": %w"), jen.Id("since"), jen.Err())))
		value = jen.Id("v")
		if p.Elem.Name == "int32" || p.Elem.Name == "float32" {
			value = jen.Id(p.Elem.Name).Call(jen.Id("v"))
		}
	}
	if p.Type.Kind == model.Pointer {
		value = jen.Id("Ptr").Call(value)
	}
	g.Add(field).Op("=").Add(value)
}

func bits(name string) int {
	if strings.HasSuffix(name, "32") {
		return 32
	}
	return 64
}

// shortDuration writes d as a spec would: 5m, 1h, 90s.
func shortDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}
