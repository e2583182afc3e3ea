"""Fixtures with real parts: a SQLite file, the machine's PostgreSQL, `workshop serve`, Chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from workshop.content import Module, load_module
from workshop.store import Store, metadata

TESTS = Path(__file__).parent
IN_CI = os.environ.get("CI") == "true"


@pytest.fixture
def tiny() -> Module:
    return load_module(TESTS / "modules" / "tiny.yaml")


def _postgres_url() -> str:
    url = os.environ.get("WORKSHOP_TEST_DATABASE_URL", "")
    if not url:
        if IN_CI:
            pytest.fail("WORKSHOP_TEST_DATABASE_URL is not set: CI must run the PostgreSQL tests")
        pytest.skip("set WORKSHOP_TEST_DATABASE_URL to run the store tests on PostgreSQL")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on a fresh database of each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'workshop.sqlite3'}"
        store = Store(url)
    else:
        store = Store(_postgres_url(), create=False)
        metadata.drop_all(store.engine)
        store.create_schema()
    yield store
    store.close()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store(f"sqlite:///{tmp_path / 'workshop.sqlite3'}")
    yield store
    store.close()
