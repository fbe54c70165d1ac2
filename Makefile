# The two commands: `make run` and `make test`. Both install what is missing first.
SHELL := /bin/bash
export PATH := $(HOME)/.cargo/bin:$(PATH)

.PHONY: run test deps build lint unit e2e fuzz docs

deps:
	@.ci/install-deps.sh

build: deps
	# --precompress writes .br and .gz next to the assets, and the file handler serves them
	# to browsers that accept them. Its gzip is a fast level (WASM: 501 KB); gzip -9 makes
	# the .gz 424 KB, for browsers that do not take Brotli (312 KB), e.g. over plain HTTP.
	cargo leptos build --release --precompress
	gzip -9 -k -f target/site/pkg/roomcal.wasm target/site/pkg/roomcal.js target/site/pkg/roomcal.css

## Build, migrate the SQLite database in ./data, and serve on http://127.0.0.1:3000.
run: build
	./target/release/roomcal migrate
	@echo "roomcal is starting on http://127.0.0.1:3000"
	./target/release/roomcal serve --addr 127.0.0.1:3000

## Formatting, lints, unit + contract (SQLite and a throwaway PostgreSQL) + API tests, browser tests.
test: deps lint unit e2e fuzz

lint:
	cargo fmt --all -- --check
	cargo clippy -p roomcal -p server --all-targets -- -D warnings
	cargo clippy -p app --features ssr --all-targets -- -D warnings
	cargo clippy -p app -p frontend --features app/hydrate --target wasm32-unknown-unknown -- -D warnings

unit:
	.ci/with-test-postgres.sh cargo test -p roomcal -p server
	cargo test -p app --features ssr
	.ci/validate-openapi.sh

e2e: build
	# Under a throwaway PostgreSQL: two of the browser tests' servers share it.
	.ci/with-test-postgres.sh sh -c 'cd end2end && npx playwright test'

## Schema-driven fuzz of every documented /v1 operation against the release binary.
fuzz: build
	.ci/fuzz-api.sh

## Doc links: fails on a link to something that moved. Not part of `make test`: in a clean
## clone it builds every dependency's metadata once more (measured: 90 s of a 987 s CI).
docs:
	RUSTDOCFLAGS="-D rustdoc::broken_intra_doc_links -D rustdoc::private_intra_doc_links" \
		cargo doc -p roomcal -p server -p app --no-deps --quiet
