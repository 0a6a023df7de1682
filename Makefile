# The README's commands. `make run` starts the hub; `make test` runs every test.
GO ?= go

.PHONY: run test vet build demo

run:
	$(GO) run ./cmd/hub serve

build:
	$(GO) build -o bin/hub ./cmd/hub

demo:
	$(GO) run ./cmd/hub demo

vet:
	gofmt -l . | (! grep .) || (echo "gofmt needed on the files above" && exit 1)
	$(GO) vet ./...

test: vet
	$(GO) test -race -count=1 ./...
