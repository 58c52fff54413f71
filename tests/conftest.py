"""Fixtures shared by every test folder: a real PostgreSQL server.

`postgres_cluster` (session) starts a throwaway cluster in a temp folder on a
free port and stops it at the end; `postgres_url` is a fresh database on it
for one test. Without PostgreSQL's server binaries the tests that use them
skip on a developer machine, and FAIL in CI (CI=true), so CI really runs them
(`scripts/setup` installs Debian's postgresql as root).
"""

from __future__ import annotations

import os

import pytest


def _missing(reason: str):
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"CI=true and {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_cluster():
    from tests.pgcluster import PgCluster, find_bindir

    if find_bindir() is None:
        _missing("PostgreSQL is not installed (apt-get install postgresql; scripts/setup does it as root)")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        _missing('psycopg is not installed (pip install "nbmonitor[postgres]")')
    with PgCluster() as cluster:
        yield cluster


@pytest.fixture
def postgres_url(postgres_cluster):
    """postgresql://nbm@127.0.0.1:PORT/postgres?options=-csearch_path%3Ds_N: an empty schema of its own."""
    return postgres_cluster.create_schema()
