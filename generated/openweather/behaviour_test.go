package openweather

// Behaviour tests: they drive the generated connector against httptest
// servers on 127.0.0.1 and check what goes over the wire and what comes back.
// The spec's client-side rate limit (1/s, burst 10) is per client; every
// client here makes fewer than 10 requests.

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/conngen/conngen/generated/internal/testutil"
)

const owKey = "s3cr3t-appid-xyz+/="

const owWeatherJSON = `{"coord":{"lon":-46.6361,"lat":-23.5475},"weather":[{"id":803,"main":"Clouds","description":"broken clouds","icon":"04d"}],
"base":"stations","main":{"temp":24.35,"feels_like":24.5,"temp_min":23.1,"temp_max":25.9,"pressure":1017,"humidity":68,"sea_level":1017,"grnd_level":925},
"visibility":10000,"wind":{"speed":4.12,"deg":150,"gust":6.2},"clouds":{"all":75},"rain":{"1h":0.25},"dt":1726660758,
"sys":{"type":2,"id":2033898,"country":"BR","sunrise":1726649182,"sunset":1726692530},"timezone":-10800,"id":3448439,"name":"São Paulo","cod":200}`

const owUnauthorized = `{"cod":401, "message": "Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."}`

func owClient(t *testing.T, srv *testutil.Server) *Client {
	t.Helper()
	c, err := New(Config{BaseURL: srv.URL, HTTPClient: srv.HTTPClient(), APIKey: owKey})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func TestBehaviourAPIKeyInQuery(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, owWeatherJSON))
	resp, err := owClient(t, srv).GetCurrentWeather(context.Background(), GetCurrentWeatherParams{
		Q:     Ptr("São Paulo,BR"),
		Units: Ptr("metric"),
	})
	if err != nil {
		t.Fatalf("GetCurrentWeather: %v", err)
	}
	r := srv.Last(t)
	if r.Path != "/data/2.5/weather" {
		t.Errorf("path = %q", r.Path)
	}
	if got := r.Query["appid"]; len(got) != 1 || got[0] != owKey {
		t.Errorf("appid is not exactly the API key (%d values)", len(got))
	}
	if r.Query.Get("q") != "São Paulo,BR" || r.Query.Get("units") != "metric" {
		t.Errorf("query = %v", r.Query)
	}
	for _, k := range []string{"lat", "lon", "zip", "id", "lang"} {
		if r.Query.Has(k) {
			t.Errorf("nil param %s was sent", k)
		}
	}
	if strings.ContainsAny(r.RawQuery, " ") || strings.Contains(r.RawQuery, owKey) {
		t.Errorf("raw query %q is not encoded (the key has +, / and =)", strings.ReplaceAll(r.RawQuery, owKey, "<KEY>"))
	}
	if r.Header.Get("Authorization") != "" {
		t.Error("an Authorization header was sent although the key goes in the query")
	}
	if r.Header.Get("Accept") != "application/json" || !strings.HasPrefix(r.Header.Get("User-Agent"), "openweather-connector/1.0.0") {
		t.Errorf("Accept=%q User-Agent=%q", r.Header.Get("Accept"), r.Header.Get("User-Agent"))
	}
	w := resp.Body
	if w.Name == nil || *w.Name != "São Paulo" || w.Main == nil || *w.Main.Temp != 24.35 || *w.Main.Humidity != 68 ||
		len(w.Weather) != 1 || *w.Weather[0].Description != "broken clouds" || w.Rain == nil || w.Rain.X1h == nil || *w.Rain.X1h != 0.25 ||
		w.Coord == nil || *w.Coord.Lat != -23.5475 || w.Sys == nil || *w.Sys.Sunrise != 1726649182 || w.Snow != nil {
		t.Errorf("decoded weather = %+v", w)
	}
}

func TestBehaviourNumberQueryParams(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Status(200, `{"coord":{"lon":-0.1278,"lat":51.5074},"list":[{"main":{"aqi":2},"components":{"co":201.94,"no2":0.77,"pm2_5":0.5},"dt":1606147200}]}`))
	c := owClient(t, srv)
	ctx := context.Background()
	for _, tt := range []struct {
		lat, lon         float64
		wantLat, wantLon string
	}{
		{51.5074, -0.1278, "51.5074", "-0.1278"},
		{0, 0, "0", "0"}, // required params are sent even when zero
		{1e-7, 179.99999999, "0.0000001", "179.99999999"},
	} {
		if _, err := c.GetAirPollution(ctx, GetAirPollutionParams{Lat: tt.lat, Lon: tt.lon}); err != nil {
			t.Fatalf("GetAirPollution: %v", err)
		}
		r := srv.Last(t)
		if r.Query.Get("lat") != tt.wantLat || r.Query.Get("lon") != tt.wantLon || r.Query.Get("appid") != owKey {
			t.Errorf("GetAirPollution(%v, %v) query lat=%q lon=%q, want %s %s", tt.lat, tt.lon, r.Query.Get("lat"), r.Query.Get("lon"), tt.wantLat, tt.wantLon)
		}
	}
	if _, err := c.GetForecast(ctx, GetForecastParams{Lat: Ptr(0.0), Lon: Ptr(-0.5), Cnt: Ptr(0)}); err != nil {
		t.Fatalf("GetForecast: %v", err)
	}
	if r := srv.Last(t); r.Query.Get("lat") != "0" || r.Query.Get("cnt") != "0" || r.Query.Has("q") {
		t.Errorf("optional zero values: %s", strings.ReplaceAll(r.RawQuery, owKey, "<KEY>"))
	}
}

func TestBehaviourAuthPing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		working bool
		status  int
		body    string
	}{
		{"working", testutil.Status(200, owWeatherJSON), true, 200, "The connection is successful"},
		{"not working", testutil.Status(401, owUnauthorized), false, 401, "401 Unauthorized: Invalid API key. Please see https://openweathermap.org/faq#error401 for more info."},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := testutil.NewServer(t, tt.handler)
			res := owClient(t, srv).AuthPing(context.Background())
			if res.Working != tt.working || res.ServiceResponse.StatusCode != tt.status || res.ServiceResponse.Body != tt.body {
				t.Errorf("AuthPing = %+v, want {%v {%d %q}}", res, tt.working, tt.status, tt.body)
			}
			testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, owKey)
			r := srv.Last(t)
			if r.Path != "/data/2.5/weather" || r.Query.Get("q") != "London" || r.Query.Get("appid") != owKey {
				t.Errorf("ping request = %s, want the spec's ping path with q=London and the key", strings.ReplaceAll(r.RequestURI, owKey, "<KEY>"))
			}
		})
	}
	t.Run("unreachable", func(t *testing.T) {
		t.Parallel()
		c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, APIKey: owKey})
		if err != nil {
			t.Fatal(err)
		}
		c.retry.baseDelay = time.Millisecond
		res := c.AuthPing(context.Background())
		if res.Working || res.ServiceResponse.StatusCode != 0 || res.ServiceResponse.Body == "" {
			t.Errorf("AuthPing = %+v", res)
		}
		testutil.NoSecrets(t, "AuthPing body", res.ServiceResponse.Body, owKey)
	})
}

// The key travels in the URL, so every error that could print a URL is checked.
func TestBehaviourKeyNeverInErrors(t *testing.T) {
	t.Parallel()
	t.Run("transport error", func(t *testing.T) {
		t.Parallel()
		c, err := New(Config{BaseURL: testutil.ClosedURL(t), HTTPClient: &http.Client{Transport: testutil.LoopbackTransport()}, APIKey: owKey})
		if err != nil {
			t.Fatal(err)
		}
		c.retry.baseDelay = time.Millisecond
		_, err = c.GeocodeDirect(context.Background(), GeocodeDirectParams{Q: "London"})
		if err == nil {
			t.Fatal("GeocodeDirect against a closed server succeeded")
		}
		testutil.NoSecrets(t, "transport error", err.Error(), owKey, "appid")
	})
	t.Run("API error", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(401, owUnauthorized))
		_, err := owClient(t, srv).GeocodeZip(context.Background(), GeocodeZipParams{Zip: "E14,GB"})
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || !strings.HasPrefix(apiErr.Message, "Invalid API key.") {
			t.Fatalf("err = %v, want *APIError 401 with OpenWeather's message", err)
		}
		testutil.NoSecrets(t, "APIError", err.Error(), owKey)
	})
	t.Run("decode error", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(200, `{"name": 42`))
		_, err := owClient(t, srv).GetCurrentWeather(context.Background(), GetCurrentWeatherParams{Q: Ptr("London")})
		if err == nil {
			t.Fatal("a malformed body decoded without error")
		}
		testutil.NoSecrets(t, "decode error", err.Error(), owKey, "appid")
	})
	t.Run("context error", func(t *testing.T) {
		t.Parallel()
		srv := testutil.NewServer(t, testutil.Status(429, `{"cod":429,"message":"Your account is temporary blocked due to exceeding of requests limitation of your subscription type."}`, "Retry-After", "30"))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := owClient(t, srv).GetCurrentWeather(ctx, GetCurrentWeatherParams{Q: Ptr("London")})
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
			t.Errorf("after %v: err = %v, want context.DeadlineExceeded promptly", time.Since(start), err)
		}
		if err != nil {
			testutil.NoSecrets(t, "context error", err.Error(), owKey, "appid")
		}
	})
	t.Run("New and Config", func(t *testing.T) {
		t.Parallel()
		_, err := New(Config{})
		if err == nil || !strings.Contains(err.Error(), "APIKey") {
			t.Errorf("New(Config{}) = %v, want an error naming APIKey", err)
		}
		_, err = New(Config{BaseURL: "api.openweathermap.org/" + owKey, APIKey: owKey})
		if err == nil {
			t.Error("New accepted a relative BaseURL")
		} else {
			testutil.NoSecrets(t, "New error", err.Error(), owKey)
		}
		cfg := Config{APIKey: owKey, BaseURL: "https://api.openweathermap.org"}
		testutil.ConfigNoSecrets(t, cfg, &cfg, owKey)
	})
}

func TestBehaviourCustomAction(t *testing.T) {
	t.Parallel()
	const notFound = `{"cod":"404","message":"city not found"}`
	srv := testutil.NewServer(t, testutil.Status(404, notFound))
	resp, err := owClient(t, srv).CustomAction(context.Background(), Request{RelativeURL: "/data/2.5/weather?q=Nowhere%20Land", Query: map[string][]string{"lang": {"de"}}})
	if err != nil || resp.StatusCode != 404 || string(resp.Body) != notFound {
		t.Fatalf("CustomAction = %+v, %v; want the 404 response without error", resp, err)
	}
	r := srv.Last(t)
	if r.Query.Get("q") != "Nowhere Land" || r.Query.Get("lang") != "de" || r.Query.Get("appid") != owKey {
		t.Errorf("CustomAction query = %s", strings.ReplaceAll(r.RawQuery, owKey, "<KEY>"))
	}
}

func TestBehaviourRetry429ThenOK(t *testing.T) {
	t.Parallel()
	srv := testutil.NewServer(t, testutil.Sequence(
		testutil.Status(429, `{"cod":429,"message":"Your account is temporary blocked due to exceeding of requests limitation of your subscription type."}`, "Retry-After", "0"),
		testutil.Status(200, `[{"name":"London","local_names":{"en":"London","fr":"Londres"},"lat":51.5073219,"lon":-0.1276474,"country":"GB","state":"England"}]`)))
	resp, err := owClient(t, srv).GeocodeDirect(context.Background(), GeocodeDirectParams{Q: "London,GB", Limit: Ptr(1)})
	if err != nil {
		t.Fatalf("GeocodeDirect: %v", err)
	}
	if len(resp.Body) != 1 || *resp.Body[0].Name != "London" || resp.Body[0].LocalNames["fr"] != "Londres" || *resp.Body[0].Lat != 51.5073219 {
		t.Errorf("decoded locations = %+v", resp.Body)
	}
	rs := srv.Requests()
	if len(rs) != 2 {
		t.Fatalf("attempts = %d, want 2", len(rs))
	}
	for _, r := range rs {
		if r.Query.Get("appid") != owKey || r.Query.Get("q") != "London,GB" || r.Query.Get("limit") != "1" {
			t.Errorf("attempt query = %s", strings.ReplaceAll(r.RawQuery, owKey, "<KEY>"))
		}
	}
}
