package model

import "github.com/conngen/conngen/generator/spec"

// Work is what Build did, counted inside the pipeline so that a test can
// hold it to a budget proportional to the input (never a timer).
type Work struct {
	// Input is the size of the spec: its schema nodes, actions and
	// parameters.
	Input int
	// Visits counts schema computations: classifying a schema, merging
	// its allOf, following one link of a reference chain. Each schema is
	// visited a bounded number of times, so Visits is linear in Input.
	Visits int
	// Decls counts the Go that the types take: types resolved, struct
	// fields, properties merged from allOf parts. Flattening allOf repeats
	// a base's fields in every type that extends it, which can grow
	// faster than the input; Build stops at DeclBudget and types the rest
	// as json.RawMessage, with a warning.
	Decls int
}

// VisitBudget is the most Visits that Build does for a spec of this size:
// classify, collectProps and target each visit a schema node at most once
// (real documents: 1.0 to 1.4 visits per input node).
func (w Work) VisitBudget() int { return 4*w.Input + 64 }

// DeclBudget is the most Decls that Build spends for a spec of this size.
// Real documents use a small fraction of it: at most 3 per input node
// across ../shared/openapi (Adyen's webhooks; Stripe's 14,000-node
// document 2.6), 1.5 for most.
func (w Work) DeclBudget() int { return 64*w.Input + 1_000 }

// exhausted reports whether Build has visited far more schemas than its
// input can need. It cannot happen while every walk is memoized; it is
// the last line of defence should a future change lose that, turning an
// endless walk into json.RawMessage types and a warning.
func (b *builder) exhausted() bool {
	if b.work.Visits <= 16*b.work.VisitBudget() {
		return false
	}
	if !b.overBudget {
		b.overBudget = true
		b.warnf("schemas: generation work budget exceeded; the remaining types are json.RawMessage")
	}
	return true
}

// spend charges n declarations to the budget; false when it is spent, and
// the caller then types what it was declaring as json.RawMessage.
func (b *builder) spend(n int) bool {
	if b.work.Decls+n > b.work.DeclBudget() {
		if !b.overBudget {
			b.overBudget = true
			b.warnf("schemas: more types and fields than this spec's size allows (%d); the rest are json.RawMessage", b.work.DeclBudget())
		}
		return false
	}
	b.work.Decls += n
	return true
}

// inputSize is the size of s for the budget: every schema node, action
// and parameter.
func inputSize(s *spec.Spec) int {
	n := 1
	var walk func(*spec.Schema)
	walk = func(x *spec.Schema) {
		if x == nil {
			return
		}
		n++
		for _, p := range x.Properties {
			walk(p.Schema)
		}
		walk(x.Items)
		if x.AdditionalProperties != nil {
			walk(x.AdditionalProperties.Schema)
		}
		for _, l := range [][]*spec.Schema{x.AllOf, x.OneOf, x.AnyOf} {
			for _, c := range l {
				walk(c)
			}
		}
	}
	for _, ns := range s.Schemas {
		walk(ns.Schema)
	}
	for _, a := range s.Actions {
		n++
		for _, p := range a.Params {
			n++
			walk(p.Schema)
		}
		if a.Body != nil {
			walk(a.Body.Schema)
		}
		if a.Response != nil {
			walk(a.Response.Schema)
		}
	}
	if w := s.Webhooks; w != nil {
		for _, e := range w.Events {
			n++
			walk(e.Schema)
		}
	}
	return n
}
