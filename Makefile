# The README's commands. `make run` starts the hub; `make test` runs every test.
GO ?= go
ZAPIER_APP = connectors/zapier/app

.PHONY: run test vet build demo test-zapier-app

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
	$(MAKE) test-zapier-app

# The Zapier app's tests start their own hub (see connectors/zapier/app/README.md).
test-zapier-app: $(ZAPIER_APP)/node_modules/.package-lock.json
	cd $(ZAPIER_APP) && npm run --silent validate && npm test

# npm ci again only when the lock file changes.
$(ZAPIER_APP)/node_modules/.package-lock.json: $(ZAPIER_APP)/package-lock.json
	cd $(ZAPIER_APP) && npm ci --no-audit --no-fund
