"""PostgreSQL's own side of the store: the same schema versions as SQLite, upgrades, faults
that name the server without its password, several processes sharing one database.

The contract itself runs on PostgreSQL in test_store_contract.py and test_storage.py.
"""

from __future__ import annotations

import sqlite3
import threading

import psycopg
import pytest

from storage import MIGRATIONS, StoreError
from storage.pg_migrations import PG_MIGRATIONS, VERSION_TABLE, migrate
from storage.pg_store import PostgresStore, redact
from storage.transfer import TABLES
from tests.pg_support import fresh_url

Schema = dict[str, dict[str, bool]]
"""table -> column -> NOT NULL (a primary key counts as NOT NULL)."""


def sqlite_schema(version: int) -> tuple[Schema, set[str]]:
    conn = sqlite3.connect(":memory:")
    for script in MIGRATIONS[:version]:
        conn.executescript(f"BEGIN;\n{script}\nCOMMIT;")
    tables: Schema = {}
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"):
        tables[name] = {row[1]: bool(row[3] or row[5]) for row in conn.execute(f"PRAGMA table_info({name})")}
    indexes = {row[0] for row in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    conn.close()
    return tables, indexes


def postgres_schema(url: str, version: int) -> tuple[Schema, set[str]]:
    with psycopg.connect(url, autocommit=True) as conn:
        assert migrate(conn, upto=version) == (0, version)
        tables: Schema = {}
        for table, column, nullable in conn.execute(
                "SELECT table_name, column_name, is_nullable FROM information_schema.columns "
                "WHERE table_schema = current_schema() AND table_name <> %s", (VERSION_TABLE,)):
            tables.setdefault(table, {})[column] = nullable == "NO"
        indexes = {row[0] for row in conn.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%%_pkey'")}
    return tables, indexes


def test_both_stores_know_the_same_schema_versions() -> None:
    assert len(PG_MIGRATIONS) == len(MIGRATIONS) >= 4


@pytest.mark.parametrize("version", range(1, len(MIGRATIONS) + 1))
def test_each_version_creates_the_same_tables_columns_and_indexes(version: int) -> None:
    """Version n means the same thing on both: `bot.py migrate` reports the same numbers, and
    an export from one imports into the other."""
    assert postgres_schema(fresh_url(), version) == sqlite_schema(version)


def test_the_export_format_lists_every_table_and_column_on_postgresql() -> None:
    tables, _ = postgres_schema(fresh_url(), len(PG_MIGRATIONS))
    assert {name: set(columns) for name, columns in tables.items()} == {
        name: set(table.columns) for name, table in TABLES.items()}


def test_a_version_2_database_upgrades_keeping_brief_ids_and_their_counter() -> None:
    url = fresh_url()
    with psycopg.connect(url, autocommit=True) as conn:
        migrate(conn, upto=2)
        for n in (1, 2, 3):
            conn.execute("INSERT INTO briefs (key, user_id, guild_id, lang, request, markdown, data, created_at) "
                         "VALUES ('k', 'u', '', 'fr', 'un blogue', %s, '{}', '2024-01-01T00:00:00Z')", (f"# {n}",))
        conn.execute("DELETE FROM briefs WHERE id = 3")  # forgotten: its number must never come back
        conn.execute("INSERT INTO conversations VALUES ('k', '{}', 'u', '', '2024-01-01T00:00:00Z')")
    with PostgresStore(url) as store:
        assert (store.upgraded_from, store.schema_version) == (2, len(PG_MIGRATIONS))
        assert [(b.id, b.markdown, b.version, b.versions) for b in store.list_briefs()] == [
            (2, "# 2", 1, 1), (1, "# 1", 1, 1)]
        loaded = store.load_turn("k")
        assert loaded is not None and loaded.revision == 1
        assert store.save_brief(key="k", user_id="u", guild_id="", lang="fr", request="r", markdown="# 4",
                                data={}) == 4
        assert len(store.identity()) == 32


def test_processes_starting_together_upgrade_the_database_once() -> None:
    url, opened, errors = fresh_url(), [], []

    def start() -> None:
        try:
            opened.append(PostgresStore(url, pool_size=1))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors and len(opened) == 4
    assert sorted(store.upgraded_from for store in opened).count(0) >= 1
    assert {store.schema_version for store in opened} == {len(PG_MIGRATIONS)}
    versions = opened[0]._read(f"SELECT version FROM {VERSION_TABLE} ORDER BY version")
    assert [row[0] for row in versions] == list(range(1, len(PG_MIGRATIONS) + 1))
    for store in opened:
        store.close()


def test_a_newer_database_is_refused() -> None:
    url = fresh_url()
    PostgresStore(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"INSERT INTO {VERSION_TABLE} (version) VALUES (%s)", (len(PG_MIGRATIONS) + 1,))
    with pytest.raises(StoreError) as caught:
        PostgresStore(url)
    assert caught.value.kind == "too_new" and caught.value.values["found"] == len(PG_MIGRATIONS) + 1


def test_a_server_out_of_reach_is_named_without_its_password() -> None:
    """No server needed: nothing listens on port 1."""
    with pytest.raises(StoreError) as caught:
        PostgresStore("postgresql://ana:s3cret@127.0.0.1:1/planfirst", busy_timeout=2)
    assert caught.value.kind == "unreachable"
    assert caught.value.path == "postgresql://ana@127.0.0.1:1/planfirst"
    assert "s3cret" not in str(caught.value) + str(caught.value.values)
    assert redact("postgres://u:p@[::1]:5433/db?sslmode=require") == "postgres://u@[::1]:5433/db"


def test_a_database_that_does_not_exist_is_named() -> None:
    url = fresh_url()
    base = url.split("?")[0].rsplit("/", 1)[0]
    with pytest.raises(StoreError) as caught:
        PostgresStore(f"{base}/no_such_database_here")
    assert caught.value.kind == "unreachable" and "no_such_database_here" in caught.value.values["reason"]


def test_read_only_sessions_refuse_writes_with_a_clear_error() -> None:
    url = fresh_url()
    PostgresStore(url).close()
    with PostgresStore(url, read_only=True) as store:
        assert store.list_briefs() == []
        with pytest.raises(StoreError) as caught:
            store.set_setting("guild:1", "lang", "fr")
        assert caught.value.kind == "read_only"


def test_a_nul_character_in_user_text_does_not_fail_the_turn() -> None:
    """PostgreSQL text cannot hold U+0000: it is stored as U+FFFD instead of losing the turn."""
    with PostgresStore(fresh_url()) as store:
        store.add_gap(text="un\x00blogue", lang="fr", candidates=[], reason="")
        assert [gap.text for gap in store.list_gaps()] == ["un\ufffdblogue"]
        store.save_conversation("k", {"text": "a\x00b"})  # JSON escapes it: kept exactly
        assert store.load_conversation("k") == {"text": "a\x00b"}


def test_the_store_comes_back_after_its_connections_are_cut() -> None:
    """A restarted server (here: every connection of the pool killed) costs a reconnect, not an error."""
    url = fresh_url()
    with PostgresStore(url, pool_size=2) as store:
        store.set_setting("s", "k", "1")
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'plan-first' AND pid <> pg_backend_pid()")
        assert store.get_setting("s", "k") == "1"


