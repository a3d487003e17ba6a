#!/usr/bin/env bash
# Run a command with a throw-away PostgreSQL server on loopback:
#   scripts/with-postgres.sh cargo test --workspace
# Installs PostgreSQL from Debian's packages if pg_ctl is missing (as root, with apt), creates a
# cluster in a temp dir (initdb as the postgres user when root: initdb refuses root), starts it on
# 127.0.0.1:<free port> with its socket in the temp dir, exports EDUPULSE_TEST_POSTGRES_URL for the
# command, and stops the server and removes the dir afterwards, whatever the command's outcome.
# The cluster is set up like edupulse_postgres::testing::TestServer (password auth over TCP).
# If PostgreSQL cannot be installed this script fails: the Postgres tests never skip silently.
set -euo pipefail

find_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV) $(tr ':' ' ' <<<"$PATH"); do
    if [[ -x "$d/pg_ctl" && -x "$d/initdb" ]]; then echo "$d"; return 0; fi
  done
  return 1
}

if ! BIN="$(find_bin)"; then
  if [[ "$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then
    echo "with-postgres: installing PostgreSQL (apt-get install postgresql)" >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq --no-install-recommends postgresql >/dev/null
  fi
  BIN="$(find_bin)" || { echo "error: PostgreSQL (pg_ctl, initdb) not found and could not be installed; install the postgresql package" >&2; exit 1; }
fi

PASSWORD="edupulse-test-pw"
BASE="$(mktemp -d /tmp/edupulse-pg.XXXXXX)"
DATA="$BASE/data"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
printf '%s' "$PASSWORD" >"$BASE/pw"
RUN=()
if [[ "$(id -u)" == 0 ]]; then
  chown -R postgres:postgres "$BASE"
  RUN=(runuser -u postgres --)
fi
cleanup() {
  "${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -w -m fast stop >/dev/null 2>&1 || true
  rm -rf "$BASE"
}
trap cleanup EXIT
"${RUN[@]}" "$BIN/initdb" -D "$DATA" -U postgres --auth-local=trust --auth-host=scram-sha-256 \
  --no-sync -E UTF8 --locale=C --pwfile="$BASE/pw" >"$BASE/initdb.log" 2>&1 \
  || { cat "$BASE/initdb.log" >&2; exit 1; }
"${RUN[@]}" "$BIN/pg_ctl" -D "$DATA" -w -t 60 -l "$BASE/log" \
  -o "-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null || { cat "$BASE/log" >&2; exit 1; }
export EDUPULSE_TEST_POSTGRES_URL="postgres://postgres:$PASSWORD@127.0.0.1:$PORT/postgres"
echo "with-postgres: PostgreSQL ($BIN) on 127.0.0.1:$PORT" >&2
set +e
"$@"
status=$?
set -e
exit "$status"
