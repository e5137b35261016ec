package publicholidays

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.
// The service needs no credentials (auth: none).

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const phHolidaysJSON = `[
  {"date":"2026-01-01","localName":"Neujahr","name":"New Year's Day","countryCode":"DE","fixed":true,"global":true,"counties":null,"launchYear":1967,"types":["Public"]},
  {"date":"2026-01-06","localName":"Heilige Drei Könige","name":"Epiphany","countryCode":"DE","fixed":true,"global":false,"counties":["DE-BW","DE-BY","DE-ST"],"launchYear":null,"types":["Public"]},
  {"date":"2026-04-03","localName":"Karfreitag","name":"Good Friday","countryCode":"DE","fixed":false,"global":true,"counties":null,"launchYear":null,"types":["Public","Bank"],"extraField":"ignored"}
]`

const phNotFound = `{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"traceId":"00-9a3b1ccf6f9e8d4f8b0e0d5f1f2a3b4c-1f2e3d4c5b6a7980-00"}`

func phClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourNoAuthAndTypedResponse(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, phHolidaysJSON))
	resp, err := phClient(t, srv).GetPublicHolidays(context.Background(), GetPublicHolidaysParams{Year: 2026, CountryCode: "DE"})
	if err != nil {
		t.Fatalf("GetPublicHolidays: %v", err)
	}
	r := srv.Last(t)
	if r.Method != "GET" || r.Path != "/api/v3/PublicHolidays/2026/DE" || r.RawQuery != "" {
		t.Errorf("request = %s %s", r.Method, r.RequestURI)
	}
	for _, h := range []string{"Authorization", "Cookie", "X-Api-Key"} {
		if v := r.Header.Get(h); v != "" {
			t.Errorf("%s = %q sent although auth is none", h, v)
		}
	}
	if r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "publicholidays-connector/1.0.0") {
		t.Errorf("Accept=%q User-Agent=%q", r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}
	hs := resp.Body
	if len(hs) != 3 {
		t.Fatalf("holidays = %d, want 3", len(hs))
	}
	if hs[0].Name != "New Year's Day" || hs[0].Fixed == nil || !*hs[0].Fixed || !hs[0].Global || hs[0].Counties != nil || hs[0].LaunchYear == nil || *hs[0].LaunchYear != 1967 {
		t.Errorf("holiday 0 = %+v", hs[0])
	}
	if hs[1].LocalName != "Heilige Drei Könige" || hs[1].Global || !reflect.DeepEqual(hs[1].Counties, []string{"DE-BW", "DE-BY", "DE-ST"}) || hs[1].LaunchYear != nil {
		t.Errorf("holiday 1 = %+v", hs[1])
	}
	if !reflect.DeepEqual(hs[2].Types, []HolidayType{HolidayTypePublic, HolidayTypeBank}) {
		t.Errorf("holiday 2 types = %v", hs[2].Types)
	}
}

func TestBehaviourPathEscaping(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/v3/CountryInfo/") {
			testutil.WriteJSON(w, 200, `{"commonName":"Germany","officialName":"Federal Republic of Germany","countryCode":"DE","region":"Europe","borders":null}`)
			return
		}
		testutil.WriteJSON(w, 200, `[]`)
	})
	c := phClient(t, srv)
	ctx := context.Background()
	for code, want := range map[string]string{
		"../admin":        "/api/v3/CountryInfo/..%2Fadmin",
		"..":              "/api/v3/CountryInfo/%2E%2E",
		".":               "/api/v3/CountryInfo/%2E",
		"DE/../../secret": "/api/v3/CountryInfo/DE%2F..%2F..%2Fsecret",
		"D E?x=1#f":       "/api/v3/CountryInfo/D%20E%3Fx=1%23f",
	} {
		if _, err := c.GetCountryInfo(ctx, GetCountryInfoParams{CountryCode: code}); err != nil {
			t.Fatalf("GetCountryInfo(%q): %v", code, err)
		}
		r := srv.Last(t)
		if !strings.EqualFold(r.RequestURI, want) || r.Path != "/api/v3/CountryInfo/"+code {
			t.Errorf("GetCountryInfo(%q) request target = %q (path %q), want %q", code, r.RequestURI, r.Path, want)
		}
	}
	if _, err := c.GetLongWeekends(ctx, GetLongWeekendsParams{Year: 2026, CountryCode: ".."}); err != nil {
		t.Fatal(err)
	}
	if got := srv.Last(t).RequestURI; !strings.EqualFold(got, "/api/v3/LongWeekend/2026/%2E%2E") {
		t.Errorf("GetLongWeekends request target = %q", got)
	}
	n := srv.Count()
	for name, call := range map[string]func() error{
		"GetPublicHolidays":     func() error { _, err := c.GetPublicHolidays(ctx, GetPublicHolidaysParams{Year: 2026}); return err },
		"IsTodayPublicHoliday":  func() error { _, err := c.IsTodayPublicHoliday(ctx, IsTodayPublicHolidayParams{}); return err },
		"GetNextPublicHolidays": func() error { _, err := c.GetNextPublicHolidays(ctx, GetNextPublicHolidaysParams{}); return err },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "CountryCode") {
			t.Errorf("%s with an empty CountryCode: err = %v, want one naming CountryCode", name, err)
		}
	}
	if srv.Count() != n {
		t.Errorf("%d requests sent for empty path params", srv.Count()-n)
	}
}

func TestBehaviourOptionalQueryAndEmptyBody(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent) // Nager.Date: 204 = not a holiday today
	})
	c := phClient(t, srv)
	for _, tt := range []struct {
		params IsTodayPublicHolidayParams
		query  string
	}{
		{IsTodayPublicHolidayParams{CountryCode: "AT"}, ""},
		{IsTodayPublicHolidayParams{CountryCode: "AT", Offset: Ptr(0)}, "offset=0"},
		{IsTodayPublicHolidayParams{CountryCode: "AT", CountyCode: Ptr("AT-9 & more"), Offset: Ptr(-5)}, "countyCode=AT-9+%26+more&offset=-5"},
	} {
		resp, err := c.IsTodayPublicHoliday(context.Background(), tt.params)
		if err != nil || resp.StatusCode != 204 || len(resp.Body) != 0 {
			t.Errorf("IsTodayPublicHoliday(%+v) = %+v, %v; want 204 with an empty body", tt.params, resp, err)
		}
		r := srv.Last(t)
		if r.Path != "/api/v3/IsTodayPublicHoliday/AT" {
			t.Errorf("path = %q", r.Path)
		}
		if want, _ := url.ParseQuery(tt.query); !reflect.DeepEqual(r.Query, want) && (len(want) > 0 || len(r.Query) > 0) {
			t.Errorf("IsTodayPublicHoliday(%+v) query = %q, want %q", tt.params, r.RawQuery, tt.query)
		}
	}
	// A typed action answered with 204: the zero value, no error.
	resp, err := c.GetNextPublicHolidaysWorldwide(context.Background())
	if err != nil || resp.StatusCode != 204 || resp.Body != nil {
		t.Errorf("GetNextPublicHolidaysWorldwide on 204 = %+v, %v", resp, err)
	}
}

func TestBehaviourAPIErrorAndCustomAction(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/api/v3/CountryInfo/"):
			w.Header().Set("Content-Type", "application/problem+json")
			w.WriteHeader(404)
			w.Write([]byte(phNotFound))
		default:
			w.WriteHeader(500)
			w.Write([]byte("Internal Server Error\n"))
		}
	})
	c := phClient(t, srv)
	_, err := c.GetCountryInfo(context.Background(), GetCountryInfoParams{CountryCode: "XX"})
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %T %v, want *APIError", err, err)
	}
	if apiErr.StatusCode != 404 || apiErr.Message != "Not Found" || string(apiErr.Body) != phNotFound || apiErr.Header.Get("Content-Type") != "application/problem+json" {
		t.Errorf("APIError = %d %q %q", apiErr.StatusCode, apiErr.Message, apiErr.Header.Get("Content-Type"))
	}
	if err.Error() != "404 Not Found: Not Found" {
		t.Errorf("err.Error() = %q", err.Error())
	}

	for _, path := range []string{"/api/v3/CountryInfo/XX", "/api/v3/Broken"} {
		before := srv.Count()
		resp, err := c.CustomAction(context.Background(), Request{Method: http.MethodGet, RelativeURL: path})
		if err != nil {
			t.Fatalf("CustomAction %s: %v", path, err)
		}
		want := map[string]string{"/api/v3/CountryInfo/XX": phNotFound, "/api/v3/Broken": "Internal Server Error\n"}[path]
		if resp.StatusCode < 400 || string(resp.Body) != want {
			t.Errorf("CustomAction %s = %d %q", path, resp.StatusCode, resp.Body)
		}
		if srv.Count()-before != 1 {
			t.Errorf("CustomAction %s: attempts = %d, want 1", path, srv.Count()-before)
		}
	}
}

func TestBehaviourRetries(t *testing.T) {
	t.Parallel()
	t.Run("503 then 200", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Sequence(testutil.Status(503, `{"title":"Service Unavailable","status":503}`, "Retry-After", "0"), testutil.Status(200, `[{"countryCode":"AD","name":"Andorra"},{"countryCode":"AL","name":"Albania"}]`)))
		resp, err := phClient(t, srv).GetAvailableCountries(context.Background())
		if err != nil {
			t.Fatalf("GetAvailableCountries: %v", err)
		}
		if len(resp.Body) != 2 || resp.Body[1].Name != "Albania" {
			t.Errorf("decoded countries = %+v", resp.Body)
		}
		if srv.Count() != 2 {
			t.Errorf("attempts = %d, want 2", srv.Count())
		}
	})
	t.Run("429 with an HTTP-date Retry-After in the past", func(t *testing.T) {
		t.Parallel()
		past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
		srv := testutil.NewServer(t, testutil.Sequence(testutil.Status(429, `{}`, "Retry-After", past), testutil.Status(200, `[]`)))
		start := time.Now()
		if _, err := phClient(t, srv).GetAvailableCountries(context.Background()); err != nil {
			t.Fatalf("GetAvailableCountries: %v", err)
		}
		if srv.Count() != 2 || time.Since(start) > 2*time.Second {
			t.Errorf("attempts = %d after %v, want 2 without waiting", srv.Count(), time.Since(start))
		}
	})
	t.Run("bounded by maxAttempts", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(502, `{"title":"Bad Gateway","status":502}`, "Retry-After", "0"))
		_, err := phClient(t, srv).GetNextPublicHolidays(context.Background(), GetNextPublicHolidaysParams{CountryCode: "DE"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 502 || apiErr.Message != "Bad Gateway" {
			t.Fatalf("err = %v, want *APIError 502", err)
		}
		if srv.Count() != 3 {
			t.Errorf("attempts = %d, want 3", srv.Count())
		}
	})
	t.Run("cancelled during a Retry-After wait", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(503, `{}`, "Retry-After", "30"))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := phClient(t, srv).GetAvailableCountries(ctx)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("after %v: err = %v, want context.DeadlineExceeded promptly", time.Since(start), err)
		}
		if srv.Count() != 1 {
			t.Errorf("attempts = %d, want 1", srv.Count())
		}
	})
	t.Run("an already cancelled context sends nothing", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := phClient(t, srv).GetAvailableCountries(ctx)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("err = %v, want context.Canceled", err)
		}
		if srv.Count() != 0 {
			t.Errorf("requests = %d, want 0", srv.Count())
		}
	})
}

func TestBehaviourNewAndBaseURL(t *testing.T) {
	t.Parallel()
	if _, err := New(Config{}); err != nil {
		t.Errorf("New(Config{}) = %v; nothing is required when auth is none", err)
	}
	for _, bad := range []string{"ftp://date.nager.at", "date.nager.at", "https://", "://x"} {
		if _, err := New(Config{BaseURL: bad}); err == nil {
			t.Errorf("New with BaseURL %q succeeded", bad)
		}
	}
	// A base URL with a path prefix (a proxy) keeps it, trailing slash or not.
	srv := testutil.NewServer(t, testutil.Status(200, `[]`))
	for _, base := range []string{srv.URL + "/proxy", srv.URL + "/proxy/"} {
		c, err := New(Config{BaseURL: base, HTTPClient: srv.HTTPClient()})
		if err != nil {
			t.Fatalf("New(%q): %v", base, err)
		}
		if _, err := c.GetAvailableCountries(context.Background()); err != nil {
			t.Fatal(err)
		}
		if p := srv.Last(t).Path; p != "/proxy/api/v3/AvailableCountries" {
			t.Errorf("BaseURL %q: path = %q, want /proxy/api/v3/AvailableCountries", base, p)
		}
	}
	cfg := Config{BaseURL: "https://date.nager.at"}
	if s := cfg.String(); !strings.Contains(s, "https://date.nager.at") {
		t.Errorf("cfg.String() = %q", s)
	}
}

func TestBehaviourAuthPingNeverErrs(t *testing.T) {
	t.Parallel()
	c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}})
	if err != nil {
		t.Fatal(err)
	}
	c.retry.baseDelay = time.Millisecond
	res := c.AuthPing(context.Background())
	if res.Working || res.ServiceResponse.StatusCode != 0 || res.ServiceResponse.Body == "" {
		t.Errorf("AuthPing against a closed server = %+v, want not working, status 0, a reason", res)
	}
	srv := testutil.NewServer(t, nil)
	res = phClient(t, srv).AuthPing(context.Background())
	if srv.Count() > 0 && srv.Last(t).Header.Get("Authorization") != "" {
		t.Error("AuthPing sent an Authorization header although auth is none")
	}
	if res.Working && res.ServiceResponse.Body != "The connection is successful" {
		t.Errorf("AuthPing = %+v", res)
	}
}
