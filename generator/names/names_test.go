package names

import (
	"go/token"
	"testing"
)

func TestGo(t *testing.T) {
	tests := []struct{ in, want string }{
		{"id", "ID"},
		{"userId", "UserID"},
		{"user_id", "UserID"},
		{"IDFoo", "IDFoo"},
		{"fooUTF8", "FooUTF8"},
		{"utf8", "UTF8"},
		{"api-url", "APIURL"},
		{"HTTPServer", "HTTPServer"},
		{"httpServer", "HTTPServer"},
		{"listCurrentUserPlaylists", "ListCurrentUserPlaylists"},
		{"playlist_id", "PlaylistID"},
		{"snapshot_id", "SnapshotID"},
		{"uuid", "UUID"},
		{"json", "JSON"},
		{"userIDs", "UserIDs"},
		{"ids", "IDs"},
		{"X-Request-Id", "XRequestID"},
		{"$filter", "Filter"},
		{"page[size]", "PageSize"},
		{"1h", "X1h"},
		{"3d_secure", "X3dSecure"},
		{"", "X"},
		{"---", "X"},
		{"type", "Type"},
		{"func", "Func"},
		{"ñame", "Ñame"},
		{"中文", "X中文"},
		{"v2Users", "V2Users"},
		{"already_Go", "AlreadyGo"},
		{"html_url", "HTMLURL"},
		{"ip_address", "IPAddress"},
		{"a.b.c", "ABC"},
		{"don't", "DonT"},
		{"*/evil", "Evil"},
	}
	for _, tt := range tests {
		got := Go(tt.in)
		if got != tt.want {
			t.Errorf("Go(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if !token.IsIdentifier(got) || !token.IsExported(got) {
			t.Errorf("Go(%q) = %q is not an exported identifier", tt.in, got)
		}
	}
}

func TestSetUnique(t *testing.T) {
	s := NewSet("Client", "Config")
	got := []string{s.Unique("Client"), s.Unique("Client"), s.Unique("User"), s.Unique("User"), s.Unique("Config")}
	want := []string{"Client2", "Client3", "User", "User2", "Config2"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("Unique #%d = %q, want %q", i, got[i], want[i])
		}
	}
}

func FuzzGo(f *testing.F) {
	for _, s := range []string{"userId", "", "中文", "a-b", "HTTPServer", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Go(s)
		if !token.IsIdentifier(got) || !token.IsExported(got) {
			t.Fatalf("Go(%q) = %q is not an exported identifier", s, got)
		}
	})
}
