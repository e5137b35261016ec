package model

import (
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/conngen/conngen/generator/names"
	"github.com/conngen/conngen/generator/spec"
)

// Build resolves a validated spec into a Connector.
func Build(s *spec.Spec) *Connector {
	b := &builder{
		s:            s,
		c:            &Connector{Name: s.Name},
		ids:          names.NewSet(Reserved()...),
		declared:     map[string]*Type{},
		inVariants:   map[*spec.Schema]bool{},
		named:        make(map[string]*spec.Schema, len(s.Schemas)),
		schemaName:   make(map[*spec.Schema]string, len(s.Schemas)),
		classes:      map[*spec.Schema]classified{},
		classifying:  map[*spec.Schema]bool{},
		targets:      map[*spec.Schema]targetResult{},
		merged:       map[*spec.Schema]merged{},
		declaring:    map[*spec.Schema]*GoType{},
		cyclesWarned: map[string]bool{},
	}
	for _, ns := range s.Schemas {
		if b.named[ns.Name] == nil {
			b.named[ns.Name] = ns.Schema
			b.schemaName[ns.Schema] = ns.Name
		}
	}
	b.work.Input = inputSize(s)
	b.build()
	b.c.Work = b.work
	return b.c
}

type builder struct {
	s   *spec.Spec
	c   *Connector
	ids *names.Set // package-level identifiers

	schemaNames map[string]string     // spec schema name -> Go type name
	declared    map[string]*Type      // Go type name -> declaration, for every type in c.Types
	inVariants  map[*spec.Schema]bool // unions being classified (cycle guard)
	connByName  map[string]*ConnParam // connection parameters by spec name

	// Every walk over the schema graph goes through these, so that each
	// schema is classified, followed and merged once however many paths
	// lead to it, and a cycle ends at a schema already on the way.
	named        map[string]*spec.Schema     // spec schema name -> schema
	schemaName   map[*spec.Schema]string     // and back, for warnings
	classes      map[*spec.Schema]classified // classify's answers
	classifying  map[*spec.Schema]bool       // schemas being classified
	targets      map[*spec.Schema]targetResult
	merged       map[*spec.Schema]merged          // collectProps's answers
	enumUnions   map[[2]*spec.Schema]*spec.Schema // unionEnum's answers
	merging      []*spec.Schema                   // schemas being merged, outermost first
	declaring    map[*spec.Schema]*GoType         // inline types being declared
	cyclesWarned map[string]bool

	work       Work
	overBudget bool // warned once
}

// declare adds a named type to the package.
func (b *builder) declare(t *Type) {
	b.c.Types = append(b.c.Types, t)
	b.declared[t.Name] = t
}

func (b *builder) warnf(format string, args ...any) {
	b.c.Warnings = append(b.c.Warnings, "warning: "+fmt.Sprintf(format, args...))
}

func (b *builder) build() {
	s, c := b.s, b.c
	c.Title = s.Title
	if c.Title == "" {
		c.Title = s.Name
	}
	c.Description = s.Description
	c.Version = s.Version
	c.DocsURL = s.DocsURL
	c.DefaultBaseURL = strings.TrimRight(s.BaseURL, "/")
	c.UserAgent = s.Name + "-connector"
	if s.Version != "" {
		c.UserAgent += "/" + s.Version
	}
	c.UserAgent += " (conngen)"

	byName := map[string]*ConnParam{}
	for _, p := range s.Connection {
		cp := &ConnParam{Name: p.Name, GoName: names.Go(p.Name), Description: p.Description,
			Required: p.Required, Secret: p.Secret, Default: p.Default, Enum: p.Enum}
		c.Conn = append(c.Conn, cp)
		byName[p.Name] = cp
	}
	b.connByName = byName
	c.Auth = b.resolveAuth(s.Auth)
	for _, k := range slices.Sorted(maps.Keys(s.Headers)) {
		c.Headers = append(c.Headers, KV{k, s.Headers[k]})
	}
	c.Retry = Retry{MaxAttempts: spec.DefaultMaxAttempts, Statuses: spec.DefaultRetryStatuses,
		Methods: spec.DefaultRetryMethods, MaxWait: spec.DefaultMaxWait}
	if r := s.Retry; r != nil {
		if r.MaxAttempts != nil {
			c.Retry.MaxAttempts = *r.MaxAttempts
		}
		if r.Statuses != nil {
			c.Retry.Statuses = r.Statuses
		}
		if r.Methods != nil {
			c.Retry.Methods = nil
			for _, m := range r.Methods {
				c.Retry.Methods = append(c.Retry.Methods, strings.ToUpper(m))
			}
		}
		if d, err := time.ParseDuration(r.MaxWait); err == nil {
			c.Retry.MaxWait = d
		}
	}
	c.RateLimit = s.RateLimit
	if p := s.Ping; p != nil {
		c.Ping = &Ping{Method: strings.ToUpper(p.Method), Path: p.Path, Expect: p.Expect}
		if c.Ping.Method == "" {
			c.Ping.Method = "GET"
		}
		if len(c.Ping.Expect) == 0 {
			c.Ping.Expect = []int{200}
		}
	}

	// Top-level schemas take their names first, then each action's Params
	// type; inline types are named as they are met, all from one set.
	b.schemaNames = map[string]string{}
	for _, ns := range s.Schemas {
		b.schemaNames[ns.Name] = b.ids.Unique(names.Go(ns.Name))
	}
	paramsTypes := make([]string, len(s.Actions))
	for i, a := range s.Actions {
		if len(a.Params) > 0 || a.Body != nil {
			paramsTypes[i] = b.ids.Unique(names.Go(a.Name) + "Params")
		}
	}
	for _, ns := range s.Schemas {
		b.declareSchema(ns.Name)
	}
	for i, a := range s.Actions {
		c.Actions = append(c.Actions, b.action(a, paramsTypes[i]))
	}
	if s.Webhooks != nil {
		c.Webhooks = b.webhooks(s.Webhooks)
	}
	for _, m := range s.Monitors {
		c.Monitors = append(c.Monitors, b.monitor(m))
	}
	b.breakCycles()
	b.registry()
	b.runtime()

	// A parameter that fills a baseURL placeholder and no auth template
	// (the connector's or an action's) is needed only without BaseURL.
	inAuth := c.Auth.Params()
	for _, a := range c.Actions {
		if a.Auth != nil {
			inAuth = append(inAuth, a.Auth.Params()...)
		}
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(s.BaseURL, -1) {
		if p := byName[m[1]]; p != nil && !slices.Contains(inAuth, p) {
			p.OnlyInBaseURL = true
		}
	}
}

var placeholderRE = regexp.MustCompile(`\{([^{}]*)\}`)

func (b *builder) template(key, text string) Template {
	t := Template{Key: key}
	last := 0
	for _, m := range placeholderRE.FindAllStringSubmatchIndex(text, -1) {
		if m[0] > last {
			t.Parts = append(t.Parts, TemplatePart{Literal: text[last:m[0]]})
		}
		t.Parts = append(t.Parts, TemplatePart{Param: b.connByName[text[m[2]:m[3]]]})
		last = m[1]
	}
	if last < len(text) {
		t.Parts = append(t.Parts, TemplatePart{Literal: text[last:]})
	}
	return t
}

// resolveAuth resolves the connector's auth or an action's.
func (b *builder) resolveAuth(a spec.Auth) Auth {
	var r Auth
	r.Type = a.Type
	switch a.Type {
	case spec.AuthBearer:
		r.In, r.Key, r.Prefix = spec.InHeader, "Authorization", "Bearer "
		if a.Header != "" {
			r.Key = a.Header
		}
		if a.Prefix != nil {
			r.Prefix = *a.Prefix
		}
		if k := http.CanonicalHeaderKey(r.Key); k != "Authorization" {
			r.SecretHeaders = []string{k}
		}
	case spec.AuthAPIKey:
		r.In, r.Key = a.In, a.Name
		if a.Prefix != nil {
			r.Prefix = *a.Prefix
		}
		if a.In == spec.InHeader && http.CanonicalHeaderKey(a.Name) != "Authorization" {
			r.SecretHeaders = []string{http.CanonicalHeaderKey(a.Name)}
		}
	case spec.AuthOAuth2:
		r.Grant = a.Grant
		r.AuthorizeURL = a.AuthorizeURL
		if len(a.AuthorizeParams) > 0 {
			// x/oauth2 appends its own parameters after an existing query,
			// so fixed authorize parameters can live in the URL itself.
			q := url.Values{}
			for k, v := range a.AuthorizeParams {
				q.Set(k, v)
			}
			sep := "?"
			if strings.Contains(r.AuthorizeURL, "?") {
				sep = "&"
			}
			r.AuthorizeURL += sep + q.Encode()
		}
		r.TokenURL = a.TokenURL
		if a.RefreshURL != a.TokenURL {
			r.RefreshURL = a.RefreshURL
		}
		r.Scopes = a.Scopes
		r.ScopeSep = " "
		if a.ScopeSeparator != nil {
			r.ScopeSep = *a.ScopeSeparator
		}
		r.PKCE = a.PKCE
		r.ClientAuth = a.ClientAuth
		if r.ClientAuth == "" {
			r.ClientAuth = "header"
		}
		for _, k := range slices.Sorted(maps.Keys(a.TokenParams)) {
			r.TokenParams = append(r.TokenParams, KV{k, a.TokenParams[k]})
		}
		r.RevokeURL = a.RevokeURL
	case spec.AuthCustom:
		for _, k := range slices.Sorted(maps.Keys(a.Headers)) {
			r.CustomHeaders = append(r.CustomHeaders, b.template(k, a.Headers[k]))
			r.SecretHeaders = append(r.SecretHeaders, http.CanonicalHeaderKey(k))
		}
		for _, k := range slices.Sorted(maps.Keys(a.Query)) {
			r.CustomQuery = append(r.CustomQuery, b.template(k, a.Query[k]))
		}
	}
	return r
}
