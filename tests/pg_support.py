"""A real PostgreSQL server for the tests, when `PLANFIRST_TEST_PG` names one.

`.ci/run` starts a server on the loopback interface and exports `PLANFIRST_TEST_PG` (and
`PLANFIRST_REQUIRE_PG=1`, which turns a missing server into a failure instead of a skip).
Locally, without the variable, the PostgreSQL tests are skipped with that reason.

Each test gets its own schema (`search_path` in the URL's `options`), created here and dropped
when the test session ends: creating a schema costs milliseconds, a database far more.
"""

from __future__ import annotations

import atexit
import os
import uuid
from urllib.parse import quote

import pytest

URL_VARIABLE = "PLANFIRST_TEST_PG"
REQUIRED_VARIABLE = "PLANFIRST_REQUIRE_PG"
SKIP_REASON = (f"{URL_VARIABLE} is not set: no PostgreSQL server to test against "
               "(.ci/run starts one; or export PLANFIRST_TEST_PG=postgresql://user@127.0.0.1:PORT/DB)")

_created: list[str] = []


def server_url() -> str:
    """The server's URL; skips the test (or fails it, under .ci/run) when there is none."""
    url = os.environ.get(URL_VARIABLE, "")
    if not url:
        if os.environ.get(REQUIRED_VARIABLE):
            pytest.fail(f"{REQUIRED_VARIABLE} is set but {URL_VARIABLE} is not")
        pytest.skip(SKIP_REASON)
    return url


def with_options(url: str, options: str) -> str:
    """`url` with libpq `options` added to its query string."""
    return f"{url}{'&' if '?' in url else '?'}options={quote(options)}"


def fresh_url() -> str:
    """A URL whose tables land in a new, empty schema of the test server."""
    import psycopg

    url = server_url()
    name = f"pf_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {name}")
    if not _created:
        atexit.register(_drop_all, url)
    _created.append(name)
    return with_options(url, f"-c search_path={name}")


def _drop_all(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True) as conn:
            for name in _created:
                conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    except psycopg.Error:
        pass  # the server is already gone (.ci/run stops it): nothing to clean
