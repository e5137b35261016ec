module github.com/conngen/conngen/internal/interop

go 1.26.8

require (
	github.com/conngen/conngen v0.0.0
	github.com/google/go-github/v84 v84.0.0
	github.com/slack-go/slack v0.36.0
	github.com/standard-webhooks/standard-webhooks/libraries v0.0.1
	github.com/stripe/stripe-go/v85 v85.0.0
	github.com/svix/svix-webhooks v1.44.0
)

require (
	github.com/google/go-querystring v1.2.0 // indirect
	github.com/gorilla/websocket v1.5.3 // indirect
	github.com/rogpeppe/go-internal v1.16.0 // indirect
	gopkg.in/validator.v2 v2.0.1 // indirect
)

replace github.com/conngen/conngen => ../..
