# A throwaway PostgreSQL server for the tests, sourced by .ci/run (bash).
#
#   . .ci/postgres.sh && pg_start
#
# starts a server on 127.0.0.1 (a free port, a data folder under /tmp), creates the database
# `planfirst_test`, exports PLANFIRST_TEST_PG (its URL) and PLANFIRST_REQUIRE_PG=1 (the
# PostgreSQL tests then fail instead of being skipped), and sets an EXIT trap that stops the
# server and removes its folder, whatever happens next. It fails (non-zero) when no server can
# be started, printing the server's log.
#
# The server binaries are the distribution's (Debian/Ubuntu: /usr/lib/postgresql/*/bin);
# when there are none, they are installed with apt-get (the `postgresql` package). initdb
# refuses to run as root: as root, the server runs as the `postgres` user if there is one,
# else as a system user `planfirst-ci` created for it. The settings trade durability for
# speed (fsync off): the data is thrown away at the end.

pg_bindir() {
    local dir
    for dir in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin /usr/local/pgsql/bin; do
        if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then echo "$dir"; return 0; fi
    done
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"; return 0
    fi
    return 1
}

pg_install() {
    echo ".ci/postgres.sh: no PostgreSQL server binaries; installing the distribution's package" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo -n"
    command -v apt-get >/dev/null 2>&1 || { echo ".ci/postgres.sh: no apt-get to install PostgreSQL" >&2; return 1; }
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql >/dev/null
}

pg_as_owner() {  # run a command as the server's owner
    if [ "$(id -u)" -eq 0 ]; then runuser -u "$PG_OWNER" -- "$@"; else "$@"; fi
}

pg_stop() {
    if [ -n "${PG_DIR:-}" ] && [ -d "$PG_DIR/data" ]; then
        pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    [ -n "${PG_DIR:-}" ] && rm -rf "$PG_DIR"
    return 0
}

pg_start() {
    PG_BIN=$(pg_bindir) || { pg_install && PG_BIN=$(pg_bindir); } || {
        echo ".ci/postgres.sh: cannot find or install PostgreSQL (initdb, pg_ctl)" >&2; return 1; }
    PG_OWNER=$(id -un)
    if [ "$(id -u)" -eq 0 ]; then
        PG_OWNER=postgres
        if ! id postgres >/dev/null 2>&1; then
            PG_OWNER=planfirst-ci
            id "$PG_OWNER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OWNER"
        fi
    fi
    PG_DIR=$(mktemp -d /tmp/planfirst-pg.XXXXXX)
    trap pg_stop EXIT
    chown "$PG_OWNER" "$PG_DIR"
    PG_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    pg_as_owner "$PG_BIN/initdb" -D "$PG_DIR/data" -U planfirst --auth=trust -E UTF8 --no-locale \
        >"$PG_DIR/initdb.log" 2>&1 || { cat "$PG_DIR/initdb.log" >&2; return 1; }
    if ! pg_as_owner "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
            -o "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $PG_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            >/dev/null; then
        echo ".ci/postgres.sh: the PostgreSQL server did not start:" >&2
        cat "$PG_DIR/server.log" >&2
        return 1
    fi
    "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U planfirst planfirst_test
    export PLANFIRST_TEST_PG="postgresql://planfirst@127.0.0.1:$PG_PORT/planfirst_test"
    export PLANFIRST_REQUIRE_PG=1
    echo ".ci/postgres.sh: PostgreSQL $("$PG_BIN/pg_ctl" --version | awk '{print $3}') on $PLANFIRST_TEST_PG" >&2
}
