#!/usr/bin/env bash
# Runs "$@" with TEST_DATABASE_URL pointing at a throwaway PostgreSQL cluster: initdb in a
# temp dir, a free loopback port, stopped and deleted afterwards. An existing server can be
# used instead by setting TEST_DATABASE_URL yourself.
set -euo pipefail
if [ -n "${TEST_DATABASE_URL:-}" ]; then exec "$@"; fi

PGBIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
dir=$(mktemp -d /tmp/roomcal-pg.XXXXXX)
# initdb refuses to run as root: run the server as the postgres user the package creates.
if [ "$(id -u)" = 0 ]; then
  chown postgres "$dir"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_pg "$PGBIN/initdb" -D "$dir/data" -U roomcal --auth=trust -E UTF8 >/dev/null
as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap cleanup EXIT
echo "throwaway PostgreSQL on 127.0.0.1:$port"
export TEST_DATABASE_URL="postgres://roomcal@127.0.0.1:$port/postgres"
"$@"
