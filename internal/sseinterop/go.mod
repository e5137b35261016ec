module github.com/conngen/conngen/internal/sseinterop

go 1.26.8

require (
	github.com/conngen/conngen v0.0.0
	github.com/gin-contrib/sse v1.1.2
	github.com/tmaxmax/go-sse v0.12.0
)

replace github.com/conngen/conngen => ../..
