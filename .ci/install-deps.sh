#!/usr/bin/env bash
# Installs what the build and tests need, when missing. Idempotent, and only from package
# registries (Debian apt, crates.io, npm): nothing is downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_LEPTOS_VERSION=0.3.10
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Debian's Chromium for Playwright (Playwright's own browser download is not reachable).
command -v chromium >/dev/null || apt_install chromium
# PostgreSQL server binaries for the throwaway test database.
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || apt_install postgresql
# nginx, to run the README's proxy example in front of three instances (its service is
# not started: the test starts its own on a loopback port).
[ -x /usr/sbin/nginx ] || apt_install nginx-light
# openssl makes the signing keys of the sign-in tests' hostile provider.
command -v openssl >/dev/null || apt_install openssl

rustup component list --installed | grep -q '^clippy' || rustup component add clippy rustfmt
rustup target list --installed | grep -q wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown

if ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  # no_downloads: fail clearly instead of trying GitHub; LTO off halves the install time.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# wasm-bindgen-cli must match the wasm-bindgen in Cargo.lock exactly.
WB=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)
if ! wasm-bindgen --version 2>/dev/null | grep -q "$WB"; then
  cargo install wasm-bindgen-cli --version "$WB"
fi

# tailwind and wasm-opt (npm binaryen: Debian's is too old and breaks hydration).
if [ ! -x node_modules/.bin/tailwindcss ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
if [ ! -d end2end/node_modules/@playwright/test ] || [ end2end/package-lock.json -nt end2end/node_modules/.package-lock.json ]; then
  (cd end2end && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

# schemathesis for the API fuzz (PyPI), in a venv of its own.
SCHEMATHESIS_VERSION=4.32.5
if ! .ci/.venv/bin/st --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv .ci/.venv
  .ci/.venv/bin/pip install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

# standardwebhooks for the webhook tests' receiver (.ci/webhook-receiver.py), which
# verifies every signature with the reference library (PyPI), in the same venv.
STANDARDWEBHOOKS_VERSION=1.3.0
if ! .ci/.venv/bin/python -c "import importlib.metadata as m, sys; sys.exit(m.version('standardwebhooks') != '$STANDARDWEBHOOKS_VERSION')" 2>/dev/null; then
  [ -x .ci/.venv/bin/pip ] || python3 -m venv .ci/.venv
  .ci/.venv/bin/pip install -q "standardwebhooks==$STANDARDWEBHOOKS_VERSION"
fi
