# keel — see README.md. Targets anyone can guess.
GO       ?= go
BIN      := bin/keel
PKGS     := ./...
FUZZTIME ?= 20s

.PHONY: build run test race fuzz bench lint clean oracle

build:
	$(GO) build -o $(BIN) ./cmd/keel

# Serves on 127.0.0.1:6379 with data in ./data (override: make run ARGS="--port 7000").
run: build
	./$(BIN) --dir ./data $(ARGS)

oracle:
	@./scripts/ensure-redis.sh

# Everything CI runs: vet, unit, integration, differential (against
# redis-server), crash, corruption and fuzz-seed tests, with the race detector.
test: oracle
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting" >&2; exit 1)
	$(GO) vet $(PKGS)
	# The files without the Linux build tag (loop_other.go, ...) compile too.
	GOOS=darwin $(GO) vet $(PKGS)
	$(GO) test -race -timeout 25m $(PKGS)
	# The server's tests again with a goroutine per connection (event-loops 0).
	KEEL_TEST_EVENT_LOOPS=0 $(GO) test -race -timeout 10m ./server

race:
	$(GO) test -race -count=1 $(PKGS)

# Runs every fuzz target for FUZZTIME each (seed corpora also run in make test).
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

# keel vs redis-server in the same run (redis-benchmark), see scripts/bench.sh.
bench: oracle build
	./scripts/bench.sh

lint:
	@test -z "$$(gofmt -l . | tee /dev/stderr)"
	$(GO) vet $(PKGS)
	$(GO) run honnef.co/go/tools/cmd/staticcheck@v0.8.2 $(PKGS)

clean:
	rm -rf bin
