package emit

import (
	"math"
	"strconv"

	"github.com/dave/jennifer/jen"

	"github.com/conngen/conngen/generator/model"
)

// genInputChecks renders a compiled input check (model.Connector.InputChecks):
// one function per Input and per named schema an Input uses, each a
// sequence of calls to the helpers of templates/check.go.
func genInputChecks(f *jen.File, c *model.Connector) {
	for _, fn := range c.InputChecks {
		params := []jen.Code{jen.Id("v").Op("*").Id("inputValidator"), jen.Id("x").Any()}
		path := func() *jen.Statement { return jen.Lit("") }
		if fn.Root {
			f.Comment(fn.Name + " checks an action's input against its Input schema.")
		} else {
			f.Comment(fn.Name + " checks x, at path, against the schema of the same name.")
			params = append(params, jen.Id("path").String())
			path = func() *jen.Statement { return jen.Id("path") }
		}
		x := func() *jen.Statement { return jen.Id("x") }
		f.Func().Id(fn.Name).Params(params...).Block(checkStmts(fn.Check, x, path, 0)...)
		for _, o := range fn.Tables {
			genFieldTable(f, o)
		}
	}
}

// genFieldTable renders the table of o's declared keys
// (model.ObjectCheck.Table): each with its types, or its named schema's
// check, where the table says all of its check.
func genFieldTable(f *jen.File, o *model.ObjectCheck) {
	f.Var().Id(o.Table).Op("=").Index().Id("inputField").ValuesFunc(func(g *jen.Group) {
		for _, p := range o.Props {
			types, check := jen.Nil(), jen.Nil()
			switch {
			case p.Check == nil || p.Code:
			case p.Check.Call != nil:
				check = jen.Id(p.Check.Call.Name)
			default:
				names := make([]jen.Code, len(p.Check.Types))
				for i, t := range p.Check.Types {
					names[i] = jen.Lit(t)
				}
				types = jen.Index().String().Values(names...)
			}
			g.Line().Values(jen.Lit(p.Key), types, check)
		}
		g.Line()
	})
}

// checkStmts are the statements that check the value x at path against
// chk; d numbers the nested blocks, so that their variables do not shadow.
func checkStmts(chk *model.Check, x, path func() *jen.Statement, d int) []jen.Code {
	v := func(helper string, args ...jen.Code) jen.Code { return jen.Id("v").Dot(helper).Call(args...) }
	switch {
	case chk == nil:
		return nil
	case chk.Call != nil:
		return []jen.Code{jen.Id(chk.Call.Name).Call(jen.Id("v"), x(), path())}
	case chk.Never:
		return []jen.Code{v("addf", path(), jen.Lit("not allowed"))}
	}
	var rest []jen.Code
	if len(chk.Enum) > 0 {
		args := []jen.Code{x(), path()}
		for _, e := range chk.Enum {
			args = append(args, strLit(e)) // JSON text: `"on"`, not "\"on\""
		}
		rest = append(rest, v("enum", args...))
	}
	if o := chk.Object; o != nil {
		rest = append(rest, objectStmt(o, x, path, d+1, false))
	}
	if chk.Items != nil {
		n := strconv.Itoa(d + 1)
		i, e, p := "i"+n, "e"+n, "p"+n
		vars := jen.List(jen.Id(i), jen.Id(e))
		if chk.Items.Never {
			vars = jen.Id(i) // the element is not looked at
		}
		body := append([]jen.Code{jen.Id(p).Op(":=").Add(path()).Op("+").Lit("[").Op("+").Qual("strconv", "Itoa").Call(jen.Id(i)).Op("+").Lit("]")},
			checkStmts(chk.Items, func() *jen.Statement { return jen.Id(e) }, func() *jen.Statement { return jen.Id(p) }, d+1)...)
		rest = append(rest, jen.For(vars.Op(":=").Range().Id("inputItems").Call(x())).Block(body...))
	}
	for _, r := range []struct {
		helper string
		bounds *model.Range
	}{{"countBetween", chk.Count}, {"lengthBetween", chk.Length}} {
		if r.bounds != nil {
			rest = append(rest, v(r.helper, x(), path(), bound(r.bounds.Lo), bound(r.bounds.Hi)))
		}
	}
	if chk.Pattern != nil {
		rest = append(rest, v("matches", x(), path(), jen.Lit(*chk.Pattern)))
	}
	if r := chk.Bounds; r != nil {
		rest = append(rest, v("between", x(), path(), bound(r.Lo), bound(r.Hi)))
	}
	if chk.Types == nil {
		return rest
	}
	if chk.TypedObject() {
		// The type check and the object's own in one: v.object.
		return []jen.Code{objectStmt(chk.Object, x, path, d+1, true)}
	}
	args := []jen.Code{x(), path()}
	for _, t := range chk.Types {
		args = append(args, jen.Lit(t))
	}
	kind := v("isKind", args...)
	if len(rest) == 0 {
		return []jen.Code{kind}
	}
	return []jen.Code{jen.If(kind).Block(rest...)}
}

// objectStmt checks the keys of x, when it is an object; with typed, it
// also records x when it is not one (the schema's type is "object").
func objectStmt(o *model.ObjectCheck, x, path func() *jen.Statement, d int, typed bool) jen.Code {
	n := strconv.Itoa(d)
	obj, k, p := "obj"+n, "k"+n, "p"+n
	var body []jen.Code
	if len(o.Required) > 0 {
		args := []jen.Code{jen.Id(obj), path()}
		for _, r := range o.Required {
			args = append(args, jen.Lit(r))
		}
		body = append(body, jen.Id("v").Dot("required").Call(args...))
	}
	refused := jen.Lit(o.Refused)
	switch {
	case !o.Walks():
	case !o.Coded(): // the table says all
		body = append(body, jen.Id("v").Dot("fields").Call(jen.Id(obj), path(), refused, jen.Id(o.Table)))
	default:
		var cases []jen.Code
		for _, prop := range o.Props {
			if prop.Code {
				stmts := checkStmts(prop.Check, func() *jen.Statement { return jen.Id(obj).Index(jen.Id(k)) }, func() *jen.Statement { return jen.Id(p) }, d)
				cases = append(cases, jen.Case(jen.Lit(prop.Key)).Block(stmts...))
			}
		}
		cases = append(cases, jen.Default().Block(jen.Id("v").Dot("field").Call(jen.Id(obj).Index(jen.Id(k)), jen.Id(k), jen.Id(p), refused, jen.Id(o.Table))))
		body = append(body, jen.For(jen.List(jen.Id("_"), jen.Id(k)).Op(":=").Range().Id("sortedKeys").Call(jen.Id(obj))).Block(
			jen.Id(p).Op(":=").Id("joinInputPath").Call(path(), jen.Id(k)),
			jen.Switch(jen.Id(k)).Block(cases...),
		))
	}
	as := x().Assert(jen.Map(jen.String()).Any())
	if typed {
		as = jen.Id("v").Dot("object").Call(x(), path())
	}
	return jen.If(jen.List(jen.Id(obj), jen.Id("ok")).Op(":=").Add(as), jen.Id("ok")).Block(body...)
}

// bound is a bound of a Range as Go source: math.Inf(±1) where there is none.
func bound(f float64) jen.Code {
	switch {
	case math.IsInf(f, 1):
		return jen.Qual("math", "Inf").Call(jen.Lit(1))
	case math.IsInf(f, -1):
		return jen.Qual("math", "Inf").Call(jen.Lit(-1))
	}
	return jen.Lit(f)
}
