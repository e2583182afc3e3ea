"""The participant server: the phones' page and the three requests it makes, with no kernel per phone.

A kernel per phone cost ~1 CPU-second and ~50 MB per join, and a room scanning the QR code at once
pushed Voila past its timeouts into blank pages (see BENCHMARKS.md). Here a phone is a page of plain
HTML and one small script: it joins, waits on the room's view (a long poll answered from `workshop.room`,
computed once per change for every phone) and sends answers that the server checks against the poll
and the session exactly as before. Nothing about a device is stored but the hash of its random key;
addresses live only in memory, in the per-address cap, and are never logged.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import html
import json
import logging
import re
import resource
import signal
import ssl
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy.exc
import tornado.httpserver
import tornado.web

from workshop.errors import AnswerRefused, DatabaseError, JoinError, ServeError, WorkshopError
from workshop.guards import AddressGuard
from workshop.language import Words
from workshop.room import Room, RoomView, for_device, phone_words
from workshop.store import Store
from workshop.support import contacts_html
from workshop.tls import tls_context

log = logging.getLogger("workshop.participant_server")
STATIC = Path(__file__).parent / "share" / "participant"
DEVICE_KEY = re.compile(r"^[0-9A-Za-z]{16,128}$")
T = TypeVar("T")
WRONG_CODE_PAUSE = 0.5  # seconds before a wrong code is answered


@dataclass(frozen=True)
class Limits:
    """How much one server takes on before it says the room is full; all in memory, never stored."""

    max_connections: int = 2000  # requests in flight at once (waiting phones included)
    per_address: int = 400  # the same, from one address: a venue may put many phones behind one NAT
    wait_seconds: float = 25.0  # a phone's wait for a change before it asks again
    tick: float = 0.2  # how often the watcher reads the sessions' versions
    max_body: int = 64 * 1024  # an answer is a few hundred bytes; a 10 MB one is refused unread
    # New devices one address may join per ten minutes: on the venue's network every phone has its own
    # address; behind one NAT (the kit on a remote server) raise it to the size of the room.
    new_devices_per_address: int = 6
    wrong_codes: int = 5  # wrong join codes from one address within a minute before it is locked out


def raise_open_file_limit() -> int:
    """Each waiting phone holds a socket: take the hard limit of open files, not the soft 1,024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


class Phones:
    """The room's state for this server: the store, the read model, who is connected and the watcher."""

    def __init__(self, store: Store, limits: Limits, name: str = "phones") -> None:
        self.name = name
        self.store = store
        self.limits = limits
        self.room = Room(store)
        # Store calls block; a few threads keep the event loop free. SQLite serialises writers anyway.
        self.workers = ThreadPoolExecutor(max_workers=4, thread_name_prefix="store")
        self.changed: dict[int, asyncio.Event] = {}
        self.participants: dict[tuple[int, str], int] = {}
        # Private requests already made, by kind, session and device: memory only, gone with the server.
        self.asked: dict[tuple[str, int, str], str | float] = {}
        self.in_flight = 0
        self.by_address: Counter[str] = Counter()
        self.guard = AddressGuard(new_devices=limits.new_devices_per_address, wrong_codes=limits.wrong_codes)
        self._watcher: asyncio.Task[None] | None = None
        self.database_down_since: float | None = None

    async def call(self, function: Any, *args: Any) -> Any:
        """A store call in a worker thread; a database that is down or read-only is a DatabaseError."""
        try:
            done = await asyncio.get_running_loop().run_in_executor(self.workers, function, *args)
        except sqlalchemy.exc.OperationalError as error:
            # Said once per outage on the terminal, not once per phone; the phone is told to wait.
            self.database_trouble(error)
            # Pooled connections outlive the trouble: a SQLite file opened read-only stays so after it
            # is made writable again. The next call opens fresh ones.
            self.store.engine.dispose()
            raise DatabaseError("the database cannot be used right now") from None
        # Only a write says the database is back: a read-only file still answers every read.
        if function in (self.store.join, self.store.record_answer, self.store.ask_for):
            self.database_back()
        return done

    def start(self) -> None:
        self._watcher = asyncio.get_running_loop().create_task(self.watch())

    async def watch(self) -> None:
        """One read of the versions per tick for the whole server; a change wakes that session's phones."""
        forgotten = time.monotonic()
        while True:
            await asyncio.sleep(self.limits.tick)
            if time.monotonic() - forgotten > 60:
                self.guard.forget_old()
                forgotten = time.monotonic()
            if not self.room.views:
                continue
            try:
                changed = await self.call(self.room.refresh)
            except DatabaseError:
                continue  # already said; phones keep the view they have until the database is back
            except Exception:  # a hiccup of another kind must not stop the room following either
                log.exception("could not read the sessions; trying again")
                continue
            for session_id in changed:
                self.wake(session_id)
            if self.room.forget_ended(keep=changed):  # ended a tick ago: their phones have been told
                # A private word's code and a device's number live here no longer than their session.
                live = self.room.views
                self.asked = {k: v for k, v in self.asked.items() if k[1] in live}
                self.participants = {k: v for k, v in self.participants.items() if k[0] in live}

    def database_trouble(self, error: Exception) -> None:
        if self.database_down_since is None:
            self.database_down_since = time.monotonic()
            problem = str(getattr(error, "orig", error)).strip().splitlines()[0]
            log.warning(
                "the database cannot be used (%s); phones are told their answers did not get through "
                "and send them again by themselves once it is back",
                problem,
            )

    def database_back(self) -> None:
        if self.database_down_since is not None:
            log.warning(
                "the database is back after %.0f s; phones send what they could not",
                time.monotonic() - self.database_down_since,
            )
            self.database_down_since = None

    def wake(self, session_id: int) -> None:
        event = self.changed.pop(session_id, None)
        if event is not None:
            event.set()

    async def view(self, code: str) -> RoomView:
        """The room's view of a running session, computed on the first ask."""
        session_id = self.room.known_code(code)
        if session_id is None:
            session = await self.call(self.room.session, code)
            session_id = session.id
        room = self.room.views[session_id]
        if not room.encoded:  # not computed yet
            await self.call(self.room.refresh, [session_id])
        return room

    async def wait_for_change(self, room: RoomView, seen: int) -> None:
        if room.seq > seen or room.ended:
            return
        event = self.changed.setdefault(room.session.id, asyncio.Event())
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), self.limits.wait_seconds)

    async def participant(self, session_id: int, key: str) -> int:
        """The participant number of a device in a session, joining it on first sight."""
        found = self.participants.get((session_id, key))
        if found is None:
            found = await self.call(self.store.join, session_id, key)
            self.participants[(session_id, key)] = found
        return found


class PhoneHandler(tornado.web.RequestHandler):
    """Every phone request: counted against the caps while in flight, answered in JSON or HTML."""

    phones: Phones
    _counted = False
    _waiting: asyncio.Task[None] | None = None

    def initialize(self, phones: Phones) -> None:
        self.phones = phones

    def set_default_headers(self) -> None:
        self.set_header("Cache-Control", "no-store")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")

    def prepare(self) -> None:
        phones, address = self.phones, self.request.remote_ip or ""
        # Which server answered: behind nginx, a test (or a puzzled organiser) can tell them apart.
        self.set_header("X-Workshop-Server", phones.name)
        limits = phones.limits
        if phones.in_flight >= limits.max_connections or phones.by_address[address] >= limits.per_address:
            self.refuse(503, Words()("participant.room-full"))
            return
        phones.in_flight += 1
        phones.by_address[address] += 1
        self._counted = True

    def on_finish(self) -> None:
        self._release()

    def on_connection_close(self) -> None:
        # A closed tab: give back its place at once, not when its wait would have ended.
        self._release()
        if self._waiting is not None:
            self._waiting.cancel()

    def _release(self) -> None:
        if self._counted:
            self._counted = False
            address = self.request.remote_ip or ""
            self.phones.in_flight -= 1
            self.phones.by_address[address] -= 1
            if self.phones.by_address[address] <= 0:
                del self.phones.by_address[address]

    def refuse(self, status: int, message: str) -> None:
        self.set_status(status)
        self.finish({"error": message})

    def refuse_join(self, error: JoinError, words: Words | None = None) -> None:
        """A wrong code is a problem to fix; a session that has ended is a thank-you, not an error."""
        words = words or Words()
        if error.key == "join.ended":
            self.set_status(410)
            self.finish({"error": words("participant.ended"), "ended": True})
        elif error.key in ("join.locked", "join.too-many-new"):
            self.set_header("Retry-After", "60")
            self.refuse(429, words.error(error))
        else:
            self.refuse(404, words.error(error))

    @property
    def address(self) -> str:
        return self.request.remote_ip or ""

    async def room(self, code: str) -> RoomView:
        """The room of a join code; wrong codes from one address are slowed down, then locked out."""
        guard = self.phones.guard
        if guard.locked(self.address):
            raise JoinError(key="join.locked")
        try:
            return await self.phones.view(code)
        except JoinError as error:
            if error.key in ("join.no-match", "join.not-a-code"):
                guard.wrong_code(self.address)
                await asyncio.sleep(WRONG_CODE_PAUSE)  # costs the server nothing, a guesser time
            raise

    async def participant(self, session_id: int, key: str) -> int:
        """This device's participant number; a device new to the session counts against its address."""
        phones = self.phones
        found = phones.participants.get((session_id, key))
        if found is not None:
            return found
        known = await phones.call(phones.store.known_participant, session_id, key)
        if known is None and not phones.guard.may_add_device(self.address):
            raise JoinError(key="join.too-many-new")
        return await phones.participant(session_id, key)

    def device_key(self) -> str:
        key = self.request.headers.get("X-Workshop-Device", "")
        if not DEVICE_KEY.fullmatch(key):
            raise JoinError(key="join.bad-key")
        return key

    def body(self) -> dict[str, Any]:
        try:
            data = json.loads(self.request.body or b"{}")
        except ValueError:
            data = None
        if not isinstance(data, dict):
            raise AnswerRefused(key="refused.unreadable")
        return data

    def log_exception(self, typ: Any, value: Any, tb: Any) -> None:
        # Tornado's own version prints the request, client address included; we keep no address.
        if not isinstance(value, tornado.web.HTTPError):
            log.error("%s %s failed", self.request.method, self.request.path, exc_info=(typ, value, tb))

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        # Never a traceback on a phone: a plain sentence in the page's language.
        self.finish({"error": Words()("participant.unavailable")})


class PageHandler(PhoneHandler):
    """The page: plain HTML that already says something before its script runs."""

    def refuse(self, status: int, message: str) -> None:
        """Over the caps: a page that says so and asks again by itself in a little while."""
        self.set_status(status)
        self.set_header("Retry-After", "10")
        self.finish(
            '<!doctype html><html><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            '<meta http-equiv="refresh" content="10"><title>Workshop</title></head>'
            f'<body style="font: 20px/1.45 system-ui, sans-serif; padding: 16px">'
            f"<p>{html.escape(message)}</p></body></html>"
        )

    async def get(self) -> None:
        code = self.get_query_argument("code", "")
        words, title = Words(), ""
        if code:
            try:
                room = await self.room(code)
                words, title = Words(room.session.module.language), room.session.module.title
            except WorkshopError:
                pass  # the script asks again and explains what is wrong with the code
        self.set_header(
            "Content-Security-Policy",
            "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
            "frame-ancestors 'none'",
        )
        self.write(
            page_html(
                title=title or words("participant.heading"),
                language=words.language,
                words=phone_words(words.language),
                first_message=words("participant.joining" if code else "participant.type-code"),
                script=self.static_url("participant.js"),
                style=self.static_url("participant.css"),
                base=self.settings["base_url"],
            )
        )


class JoinHandler(PhoneHandler):
    """POST {code}: the session's title, language and words, and which polls this device answered."""

    async def post(self) -> None:
        session = None
        try:
            key = self.device_key()
            room = await self.room(str(self.body().get("code", "")))
            session = room.session
            if room.ended:
                raise JoinError(key="join.ended")
            participant_id = await self.participant(session.id, key)
            answered = await self.phones.call(self.phones.store.answered_polls, participant_id)
            support = await self.phones.call(self.phones.store.support, session.id)
        except JoinError as error:
            self.refuse_join(error, Words(session.module.language) if session else Words())
            return
        except WorkshopError:
            self.refuse(503, Words()("participant.unavailable"))
            return
        module = session.module
        self.finish(
            {
                "code": session.join_code,
                "title": module.title,
                "language": module.language,
                "words": phone_words(module.language),
                "answered": answered,
                "support": contacts_html(support) if support else "",
            }
        )


class RoomHandler(PhoneHandler):
    """GET ?code&seen: the room's view once it has moved past `seen`, or the same after a while."""

    async def get(self) -> None:
        try:
            key = self.device_key()
            room = await self.room(self.get_query_argument("code", ""))
            seen = int(self.get_query_argument("seen", "-1"))
        except JoinError as error:
            self.refuse_join(error)
            return
        except ValueError:
            self.refuse(400, Words()("participant.unavailable"))
            return
        except WorkshopError:
            self.refuse(503, Words()("participant.unavailable"))
            return
        self._waiting = asyncio.ensure_future(self.phones.wait_for_change(room, seen))
        try:
            await self._waiting
        except asyncio.CancelledError:
            return  # the phone went away while it waited
        self.finish(for_device(room, key))


class AnswerHandler(PhoneHandler):
    """POST {code, poll, value}: checked by the store against the poll and the session, whatever was sent."""

    async def post(self) -> None:
        phones = self.phones
        words = Words()
        try:
            key = self.device_key()
            body = self.body()
            room = await self.room(str(body.get("code", "")))
            words = Words(room.session.module.language)
            participant_id = await self.participant(room.session.id, key)
            poll_id = body.get("poll")
            if not isinstance(poll_id, str):
                raise AnswerRefused(key="refused.not-in-session")
            await phones.call(
                phones.store.record_answer, room.session.id, participant_id, poll_id, body.get("value")
            )
        except (AnswerRefused, JoinError) as error:
            self.refuse(422, words.error(error))
            return
        except DatabaseError:
            # Not stored, and the page says so and sends it again by itself until it is.
            self.refuse(503, words("participant.not-sent"))
            return
        except WorkshopError as error:
            self.refuse(503, words("participant.send-again", problem=words.error(error)))
            return
        self.finish({"received": words("participant.received")})


class RequestHandler(PhoneHandler):
    """POST {code} to api/private-word or api/pause: a private request, nobody's name with it.

    A phone asking again for a private word gets the same code back (kept in this server's memory only);
    a pause counts once per phone every few minutes, so a tap too many does not alarm the facilitator.
    """

    PAUSE_EVERY = 300.0

    def initialize(self, phones: Phones, kind: str = "") -> None:
        self.phones = phones
        self.kind = kind

    async def post(self) -> None:
        phones, words = self.phones, Words()
        try:
            key = self.device_key()
            room = await self.room(str(self.body().get("code", "")))
            session = room.session
            words = Words(session.module.language)
            asked = phones.asked.get((self.kind, session.id, key))
            if self.kind == "private-word" and isinstance(asked, str):
                code = asked
            elif (
                self.kind == "pause"
                and isinstance(asked, float)
                and time.monotonic() - asked < self.PAUSE_EVERY
            ):
                code = ""
            else:
                code = await phones.call(phones.store.ask_for, session.id, self.kind)
                phones.asked[(self.kind, session.id, key)] = (
                    code if self.kind == "private-word" else time.monotonic()
                )
        except (JoinError, AnswerRefused) as error:
            self.refuse(404, words.error(error))
            return
        except WorkshopError:
            self.refuse(503, words("participant.unavailable"))
            return
        if self.kind == "private-word":
            self.finish({"code": code, "message": words("participant.private-word-code", code=code)})
        else:
            self.finish({"message": words("participant.pause-sent")})


def page_html(
    *,
    title: str,
    language: str,
    words: dict[str, str],
    first_message: str,
    script: str,
    style: str,
    base: str,
) -> str:
    """The page as first sent: readable on a phone even before (or without) its script."""
    # Inside <script type="application/json"> only "</" could end the element early.
    words_json = json.dumps(words, ensure_ascii=False).replace("</", "<\\/")
    esc = html.escape
    placeholder = esc(words["participant.code-placeholder"])

    def say(key: str) -> str:
        return esc(words[key])

    return f"""<!doctype html>
<html lang="{esc(language)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)}</title>
<link rel="stylesheet" href="{esc(style)}">
<script id="workshop-words" type="application/json">{words_json}</script>
<script src="{esc(script)}" defer></script>
</head>
<body>
<main class="workshop-participant" data-base="{esc(base)}">
<nav class="workshop-corner">
<button type="button" id="support-open" class="quiet" aria-expanded="false">
{say("participant.support")}</button>
<button type="button" id="exit" class="quiet" aria-label="{say("participant.exit-label")}">
{say("participant.exit")}</button>
</nav>
<section id="support" class="workshop-support" hidden>
<h2>{esc(words["participant.support-heading"])}</h2>
<div id="support-contacts"><p>{esc(words["participant.no-support"])}</p></div>
<p class="small">{esc(words["participant.support-note"])}</p>
<button type="button" id="ask-word">{esc(words["participant.private-word"])}</button>
<button type="button" id="ask-pause">{esc(words["participant.pause"])}</button>
<div id="support-message" role="status"></div>
<button type="button" id="forget" class="quiet">{esc(words["participant.forget"])}</button>
<button type="button" id="support-close" class="quiet">{esc(words["participant.close-support"])}</button>
</section>
<h1 id="heading">{esc(title)}</h1>
<div id="message" class="workshop-message" role="status">{esc(first_message)}</div>
<form id="join" hidden>
<input id="code" name="code" type="text" autocomplete="off" autocapitalize="characters"
  placeholder="{placeholder}" aria-label="{placeholder}">
<button type="submit" class="primary">{esc(words["participant.join"])}</button>
</form>
<section id="poll"></section>
<section id="results" class="workshop-results" aria-live="polite"></section>
<section id="section"></section>
<noscript><p>{esc(words["participant.unavailable"])}</p></noscript>
</main>
</body>
</html>
"""


def make_app(phones: Phones, base_url: str = "/") -> tornado.web.Application:
    base = "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"
    handlers: list[Any] = [
        (base, PageHandler, {"phones": phones}),
        (base + "api/join", JoinHandler, {"phones": phones}),
        (base + "api/room", RoomHandler, {"phones": phones}),
        (base + "api/answer", AnswerHandler, {"phones": phones}),
        (base + "api/private-word", RequestHandler, {"phones": phones, "kind": "private-word"}),
        (base + "api/pause", RequestHandler, {"phones": phones, "kind": "pause"}),
    ]
    if base != "/":
        handlers.append((base.rstrip("/"), tornado.web.RedirectHandler, {"url": base}))
    return tornado.web.Application(
        handlers,
        static_path=str(STATIC),
        static_url_prefix=base + "static/",
        base_url=base,
        compress_response=True,
        log_function=_log_without_addresses,
    )


_ADDRESS = re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b|\b[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}\b")


def _no_addresses(record: logging.LogRecord) -> bool:
    """Tornado names the client in some messages ("Malformed HTTP message from …"): blank it out."""
    record.msg = _ADDRESS.sub("[address]", record.getMessage())
    record.args = None
    return True


def _log_without_addresses(handler: tornado.web.RequestHandler) -> None:
    """Tornado's access log names the client's address; we keep no address anywhere, logs included."""
    status = handler.get_status()
    if status >= 500:
        log.warning("%d %s %s", status, handler.request.method, handler.request.path)


async def run(options: argparse.Namespace, tls: ssl.SSLContext | None = None) -> None:
    files = raise_open_file_limit()
    limits = Limits(
        max_connections=min(options.max_connections, max(16, files - 64)),
        per_address=options.per_address,
        wait_seconds=options.wait_seconds,
        new_devices_per_address=options.joins_per_address,
        wrong_codes=options.wrong_codes,
    )
    store = Store(options.database, create=False, connections=4)
    phones = Phones(store, limits, name=options.name)
    app = make_app(phones, options.base_url)
    server = tornado.httpserver.HTTPServer(
        app,
        xheaders=options.behind_proxy,
        max_body_size=limits.max_body,
        idle_connection_timeout=75,
        ssl_options=tls,
    )
    server.listen(options.port, address=options.host)
    phones.start()
    log.info("participant server listening on %s:%d%s", options.host, options.port, options.base_url)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    await stopping.wait()
    server.stop()
    phones.workers.shutdown(wait=False, cancel_futures=True)
    store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m workshop.participant_server", description=__doc__)
    parser.add_argument("--host", default="0.0.0.0")
    parser.add_argument("--port", type=int, default=8866)
    parser.add_argument("--database", required=True, help="the store's URL (SQLite or PostgreSQL)")
    parser.add_argument("--base-url", default="/", help="the path prefix, when a proxy routes by path")
    parser.add_argument("--max-connections", type=int, default=Limits.max_connections)
    parser.add_argument("--per-address", type=int, default=Limits.per_address)
    parser.add_argument("--joins-per-address", type=int, default=Limits.new_devices_per_address)
    parser.add_argument("--wrong-codes", type=int, default=Limits.wrong_codes, help=argparse.SUPPRESS)
    parser.add_argument("--wait-seconds", type=float, default=Limits.wait_seconds, help=argparse.SUPPRESS)
    parser.add_argument("--name", default="phones", help="named in each answer's X-Workshop-Server header")
    parser.add_argument("--behind-proxy", action="store_true", help="take the client address from X-Real-IP")
    parser.add_argument("--certfile", type=Path, help="serve https with this certificate (PEM)")
    parser.add_argument("--keyfile", type=Path, help="the certificate's private key (PEM)")
    options = parser.parse_args(argv)
    tls = None
    if options.certfile or options.keyfile:
        try:
            if not (options.certfile and options.keyfile):
                raise ServeError("https needs both --certfile and --keyfile")
            tls = tls_context(options.certfile, options.keyfile)
        except ServeError as error:
            print(f"participant server: {error}", file=sys.stderr)
            return 1
    logging.basicConfig(level=logging.INFO, format="[participant %(levelname)s] %(message)s")
    for handler in logging.getLogger().handlers:
        handler.addFilter(_no_addresses)
    asyncio.run(run(options, tls))
    return 0


if __name__ == "__main__":
    sys.exit(main())
