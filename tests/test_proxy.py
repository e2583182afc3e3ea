"""Past one participant server: `workshop serve --participant-servers 2` behind nginx, one PostgreSQL.

Phones reach the room through nginx, whichever server answers them, and all see the same session.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from tests.conftest import IN_CI, _free_port, _postgres_url, run_phones
from workshop.content import Module
from workshop.proxy import find_nginx, nginx_config
from workshop.store import Store, metadata

TESTS = Path(__file__).parent


def test_the_nginx_configuration_spreads_phones_and_keeps_no_addresses(tmp_path: Path) -> None:
    config = nginx_config(["127.0.0.1:9001", "127.0.0.1:9002"], "0.0.0.0:8866", tmp_path)
    assert "server 127.0.0.1:9001" in config and "server 127.0.0.1:9002" in config
    assert "listen 0.0.0.0:8866;" in config
    assert "access_log off;" in config
    assert "proxy_buffering off;" in config  # a long poll is answered the moment the room changes


@pytest.fixture
def nginx() -> str:
    try:
        return find_nginx()
    except Exception as error:
        if IN_CI:
            pytest.fail(f"CI must run the nginx test: {error}")
        pytest.skip(str(error))


@pytest.fixture
def two_servers(tmp_path: Path, nginx: str) -> Iterator[tuple[str, str, subprocess.Popen[bytes]]]:
    database_url = _postgres_url()
    store = Store(database_url, create=False)
    metadata.drop_all(store.engine)
    store.close()
    port = _free_port()
    log_path = tmp_path / "serve.log"
    command = [
        sys.executable, "-m", "workshop.cli", "serve", "--host", "127.0.0.1",
        "--participant-port", str(port), "--facilitator-port", str(_free_port()),
        "--database", database_url, "--participant-servers", "2",
        "--joins-per-address", "100000",  # every test phone is 127.0.0.1
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command,
            cwd=tmp_path,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "WORKSHOP_DATA": str(tmp_path)},
        )
    deadline = time.monotonic() + 90
    while "Participants join at:" not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"workshop serve did not start:\n{log_path.read_text(errors='replace')}")
        time.sleep(0.3)
    url = re.search(r"Participants join at:\s+(\S+)", log_path.read_text())
    assert url
    yield url[1], database_url, process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()


def test_phones_through_nginx_reach_the_same_session_on_either_server(
    two_servers: tuple[str, str, subprocess.Popen[bytes]], tiny: Module
) -> None:
    url, database_url, serve = two_servers
    family = [" ".join(p.cmdline()) for p in psutil.Process(serve.pid).children()]
    assert sum("workshop.participant_server" in c for c in family) == 2
    assert any("nginx" in c for c in family)
    store = Store(database_url)
    session = store.start_session(tiny, min_group_size=1)
    store.open_poll(session.id, "who")
    phones = 12

    async def room() -> tuple[set[str], list[str]]:
        servers: set[str] = set()
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:

            async def phone(n: int) -> str:
                headers = {"X-Workshop-Device": f"{n:032x}"}
                page = await client.get("", params={"code": session.join_code})
                servers.add(page.headers["x-workshop-server"])
                joined = await client.post("api/join", json={"code": session.join_code}, headers=headers)
                servers.add(joined.headers["x-workshop-server"])
                view = await client.get(
                    "api/room", params={"code": session.join_code, "seen": -1}, headers=headers
                )
                servers.add(view.headers["x-workshop-server"])
                assert view.json()["poll"]["id"] == "who"
                answered = await client.post(
                    "api/answer",
                    json={"code": session.join_code, "poll": "who", "value": "Usually me"},
                    headers=headers,
                )
                servers.add(answered.headers["x-workshop-server"])
                return str(answered.json().get("received", answered.text))

            return servers, await asyncio.gather(*(phone(n) for n in range(phones)))

    servers, replies = run_phones(room)
    assert servers == {"phones-1", "phones-2"}
    assert all(reply.startswith("Answer received") for reply in replies), replies
    assert store.joined_count(session.id) == phones
    assert store.answer_count(session.id, "who") == phones
    store.close()
