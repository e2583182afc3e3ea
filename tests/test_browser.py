"""The workshop in a real Chromium against a real `workshop serve`: console, phones, projector screen.

Every page runs with requests off the machine blocked and recorded, as at a venue with no internet.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil
import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.conftest import RunningWorkshop, start_workshop, stop_workshop
from workshop.charts import MINIMUM_SCREEN_TEXT_PX
from workshop.store import Store

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1400, "height": 1000}
SMALL_LAPTOP = {"width": 1366, "height": 768}
PROJECTOR = {"width": 1920, "height": 1080}
WAIT_MS = 60_000  # a Voila page starts a kernel; the machine may be busy


class Pages:
    """Browser contexts opened by a test, each blocking and recording requests that leave the machine."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.blocked: list[str] = []
        # Called with each browser console message of every page opened from here on, pages that a
        # page opens (the projector screen) included; set it before opening the pages to hear.
        self.on_console: Callable[[Any], None] | None = None

    def open(self, url: str, viewport: dict[str, int]) -> Any:
        context = self.browser.new_context(viewport=viewport)
        context.set_default_timeout(WAIT_MS)
        context.route("**/*", self._only_loopback)
        if self.on_console is not None:
            context.on("console", self.on_console)  # before the first page, so nothing is missed
        self.contexts.append(context)
        page = context.new_page()
        page.goto(url)
        return page

    def _only_loopback(self, route: Any) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if host in ("127.0.0.1", "localhost", "::1"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def pages(chromium: Any, workshop_servers: RunningWorkshop) -> Iterator[Pages]:
    # A console opened while a session runs resumes it (after a crash, that is the point); every test
    # starts a session of its own, so the ones earlier tests left running end first.
    store = Store(workshop_servers.database_url, create=False)
    for session in store.running_sessions():
        store.end_session(session.id)
    store.close()
    opened = Pages(chromium)
    yield opened
    opened.close()


def open_start_screen(pages: Pages, console_url: str, viewport: dict[str, int]) -> Any:
    """The console at its start screen: an earlier test's session may still run, and the console
    resumes a running session by itself, so leave it running and go back to the start."""
    console = pages.open(console_url, viewport)
    start, another = (
        console.get_by_role("button", name=name) for name in ("Start session", "Start another session")
    )
    start.or_(another).first.wait_for()
    if another.is_visible():
        another.click()
    start.wait_for()
    return console


def start_session(
    pages: Pages,
    servers: RunningWorkshop,
    min_group_size: int,
    module: str = "tiny",
    viewport: dict[str, int] = LAPTOP,
) -> tuple[Any, str]:
    """A console page that starts a new session; a session it resumed by itself is ended first."""
    console = pages.open(servers.console_url, viewport)
    return console, start_from(console, min_group_size, module)


def start_from(console: Any, min_group_size: int, module: str = "tiny") -> str:
    """Start a session on an open console page; return its join code."""
    start = console.get_by_role("button", name="Start session")
    # An earlier test's session, still running, is resumed, in its module's language.
    end = console.get_by_role("button", name=re.compile(r"^(End session|Terminar sesión)$"))
    start.or_(end).wait_for()
    resumed = ""
    if end.is_visible():
        resumed = console.locator(".join-code").inner_text()
        end.click()
        console.get_by_role("button", name=re.compile(r"^(Click again to end|Pulsa otra vez)")).click()
        start.wait_for()
    choose_module(console, module)
    console.locator(".widget-inline-hbox:has-text('Min. group') input").fill(str(min_group_size))
    start.click()
    # The ended session's code stays in the hidden session view until the new one is drawn.
    shown = (
        console.locator(".join-code:visible", has_not_text=resumed)
        if resumed
        else console.locator(".join-code:visible")
    )
    code = shown.inner_text()
    assert re.fullmatch(r"[A-Z2-9]{5}", code)
    return str(code)


def choose_module(console: Any, module_id: str) -> None:
    """Pick a module in the console's picker, whose choices read "Title (id)"."""
    picker = console.locator("select").first
    label = picker.locator("option", has_text=f"({module_id})").inner_text()
    picker.select_option(label=label)


def open_screen(console: Any, code: str, viewport: dict[str, int]) -> Any:
    """The projector screen, opened from the console's link as a facilitator would, at a projector's size."""
    with console.context.expect_page() as opened:
        console.get_by_text("Open the projector screen").click()
    screen = opened.value
    screen.set_viewport_size(viewport)
    screen.locator(".join-code", has_text=code).wait_for()
    return screen


def join(pages: Pages, servers: RunningWorkshop, code: str) -> Any:
    phone = pages.open(f"{servers.participant_url}?code={code}", PHONE)
    phone.get_by_text("Waiting for the facilitator").or_(phone.get_by_text("opened a question")).wait_for()
    return phone


def reach(phone: Any, target: Any) -> None:
    """Wait for a control of the question on show; if this phone answered it before, the choices are
    hidden behind "Change my answer". Right after the facilitator opens a new question the previous
    one's "Change my answer" may still be on screen for a moment, so the new question may replace the
    page under a click: look again until the target is there."""
    deadline = time.monotonic() + WAIT_MS / 1000
    while not target.is_visible():
        assert time.monotonic() < deadline, "the question never showed this control"
        change = phone.get_by_role("button", name="Change my answer")
        if change.is_visible():
            with suppress(PlaywrightTimeout):  # the question changed under the click
                change.click(timeout=2_000)
        with suppress(PlaywrightTimeout):
            target.wait_for(timeout=2_000)


def answer(phone: Any, option: str) -> None:
    choice = phone.get_by_role("button", name=option, exact=True)
    reach(phone, choice)
    choice.click()
    phone.get_by_role("button", name="Send answer").click()
    phone.get_by_text("Answer received").wait_for()


def bar_texts(console: Any) -> list[str]:
    return [t.strip() for t in console.locator(".js-plotly-plot text.bartext").all_inner_texts()]


WHO = "Who usually raises a worry first?"
WHICH = "Which of these do you recognise?"
HOW = "How safe do hard conversations feel?"
WORDS = "In a few words, what helps you feel heard?"
HOW_AGAIN = "And now, how safe do hard conversations feel?"


def poll_button(console: Any, prompt: str, name: str) -> Any:
    """A poll's control, found as the facilitator finds it: the button called `name` in the row that
    shows the poll's prompt."""
    row = console.locator(".poll-row").filter(has=console.get_by_text(prompt, exact=True))
    return row.get_by_role("button", name=name, exact=True)


def test_phones_answer_and_results_reach_the_room_only_when_revealed(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=3)
    phones = [join(pages, workshop_servers, code) for _ in range(3)]
    console.get_by_text("3 devices joined").wait_for()
    poll_button(console, WHO, "Open").click()
    for phone in phones:
        phone.get_by_role("button", name="Usually me").wait_for()

    answer(phones[0], "Usually me")
    answer(phones[1], "Usually me")
    console.get_by_text("2 answered").wait_for()
    # Two answers are below the minimum group size of three: no distribution yet.
    console.get_by_text("results appear after 1 more").wait_for()

    answer(phones[2], "About equally")
    console.get_by_text("3 answered · 3 devices joined").wait_for()
    # Reveal after close: while the poll is open even the console shows only the count. The group is
    # big enough now, so this is when bars could first appear: the chart's own title says it redrew.
    console.locator(".js-plotly-plot", has_text="results show when you close the question").wait_for()
    assert not [t for t in bar_texts(console) if t]

    # One participant changes the answer; a reload is the same participant and cannot answer twice.
    answer(phones[2], "Usually me")
    phones[0].reload()
    phones[0].get_by_text("Answer received").wait_for()
    answer(phones[0], "About equally")
    console.get_by_text("3 answered · 3 devices joined").wait_for()

    poll_button(console, WHO, "Close").click()
    console.locator("text.bartext", has_text="2 (67%)").wait_for()
    console.locator("text.bartext", has_text="1 (33%)").wait_for()
    # Not revealed to the room yet: once the phone has heard of the close (its question is gone, in the
    # same update that would carry results), it shows no bars.
    phones[1].get_by_text("Waiting for the facilitator").wait_for()
    assert phones[1].locator(".workshop-bars").count() == 0

    poll_button(console, WHO, "Reveal to room").click()
    for phone in phones:  # light HTML bars on phones, the same numbers as the screen
        phone.locator(".workshop-bars", has_text="2 (67%)").wait_for()
        assert phone.locator(".js-plotly-plot").count() == 0
    assert pages.blocked == [], "a page asked for something off this machine"


def test_the_participant_page_fits_a_phone(pages: Pages, workshop_servers: RunningWorkshop) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    console.get_by_role("button", name="Open").first.click()
    phone = join(pages, workshop_servers, code)
    phone.get_by_role("button", name="Send answer").wait_for()
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    sizes = phone.evaluate(
        """() => [...document.querySelectorAll('.workshop-participant button, .workshop-participant p')]
              .filter(e => e.offsetParent !== null)
              .map(e => [e.tagName, parseFloat(getComputedStyle(e).fontSize),
                         e.getBoundingClientRect().height])"""
    )
    assert sizes
    assert all(font >= 16 for _, font, _ in sizes), sizes
    assert all(height >= 44 for tag, _, height in sizes if tag == "BUTTON"), sizes
    assert pages.blocked == []


def test_a_wrong_code_is_explained(pages: Pages, workshop_servers: RunningWorkshop) -> None:
    phone = pages.open(f"{workshop_servers.participant_url}?code=ZZZZ9", PHONE)
    phone.get_by_text("doesn't match a session").wait_for()
    phone.get_by_role("button", name="Join").wait_for()


def participant_server_family(servers: RunningWorkshop) -> list[Any]:
    """The participant server process and everything it started."""
    import psutil

    for server in psutil.Process(servers.process.pid).children():
        if "workshop.participant_server" in " ".join(server.cmdline()):
            return [server, *server.children(recursive=True)]
    raise AssertionError("no participant server among the children of workshop serve")


def test_phones_say_thank_you_when_the_session_ends_and_cost_no_kernel(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    phone = join(pages, workshop_servers, code)
    assert len(participant_server_family(workshop_servers)) == 1  # the server alone: no kernel per phone
    poll_button(console, WHO, "Open").click()
    send = phone.get_by_role("button", name="Send answer")
    send.wait_for()  # a question open when the session ends: its Send must go
    console.get_by_role("button", name="End session").click()
    console.get_by_role("button", name="Click again to end").click()
    phone.get_by_text("This session has ended").wait_for()
    assert send.count() == 0


def test_the_projector_screen_shows_the_code_and_only_the_count(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    screen = open_screen(console, code, PROJECTOR)
    console.get_by_role("button", name="Open").first.click()
    screen.get_by_text("Who usually raises a worry first?").wait_for()
    phone = join(pages, workshop_servers, code)
    answer(phone, "Usually me")
    screen.get_by_text("1 answer · results show after the question closes").wait_for()
    assert "Usually me" not in screen.locator(".workshop-screen").inner_text()
    assert "Say hello." not in screen.locator(".workshop-screen").inner_text()
    assert pages.blocked == []


def test_the_console_needs_its_token(pages: Pages, workshop_servers: RunningWorkshop) -> None:
    without_token = workshop_servers.console_url.split("?")[0]
    page = pages.open(without_token, LAPTOP)
    page.wait_for_load_state("networkidle")  # whatever the server sends has arrived and rendered
    assert "token" in page.content().lower() or "login" in page.url
    assert page.get_by_role("button", name="Start session").count() == 0


def send_text(phone: Any, text: str) -> None:
    reach(phone, phone.locator("textarea"))
    phone.locator("textarea").fill(text)
    phone.get_by_role("button", name="Send answer").click()
    phone.get_by_text("Answer received").wait_for()


def chart_fits(screen: Any) -> None:
    """The revealed chart lies wholly inside the projector's window, with nothing to scroll."""
    # Plotly's responsive resize runs on a debounced window event, so give a resized window a moment
    # to settle before measuring; the assertions below still say what was wrong if it never does.
    with suppress(PlaywrightTimeout):
        screen.wait_for_function(
            """() => {
                const plot = document.querySelector('.workshop-screen .js-plotly-plot');
                if (!plot) return false;
                const box = plot.getBoundingClientRect();
                return box.width >= 0.8 * window.innerWidth && box.bottom <= window.innerHeight
                    && box.height >= 0.6 * window.innerHeight;
            }""",
            timeout=5000,
        )
    box = screen.locator(".workshop-screen .js-plotly-plot").bounding_box()
    viewport = screen.viewport_size
    assert box is not None and box["y"] + box["height"] <= viewport["height"], (box, viewport)
    assert box["width"] >= 0.8 * viewport["width"], (box, viewport)
    # Filling the screen: most of its height too, below the compact join strip.
    assert box["height"] >= 0.6 * viewport["height"], (box, viewport)
    assert screen.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def chart_is_legible(screen: Any) -> None:
    """Every text of the revealed chart is at least MINIMUM_SCREEN_TEXT_PX, and no text overprints
    another (a bar label its summary line, the legend the title) or is crossed by an axis line."""
    measured = screen.evaluate(
        """() => {
            const plot = document.querySelector('.workshop-screen .js-plotly-plot');
            const shown = e => e.textContent.trim() && e.getBoundingClientRect().width > 0;
            const box = e => { const r = e.getBoundingClientRect();
                               return [r.left, r.top, r.right, r.bottom, e.textContent.trim()]; };
            const texts = [...plot.querySelectorAll('text')].filter(shown);
            return {
                sizes: [...plot.querySelectorAll('text, tspan')].filter(shown)
                    .map(e => [parseFloat(getComputedStyle(e).fontSize), e.textContent.trim()]),
                texts: texts.map(box),
                lines: [...plot.querySelectorAll('path.xlines-above, path.ylines-above')]
                    .filter(e => e.getBoundingClientRect().width + e.getBoundingClientRect().height > 0)
                    .map(box),
            };
        }"""
    )
    small = [(size, text) for size, text in measured["sizes"] if size < MINIMUM_SCREEN_TEXT_PX]
    assert measured["sizes"] and not small, f"chart text under {MINIMUM_SCREEN_TEXT_PX} px: {small}"

    def overlap(a: list[Any], b: list[Any]) -> bool:
        return bool(min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1)

    texts = measured["texts"]
    crossing = [(a[4], b[4]) for i, a in enumerate(texts) for b in texts[i + 1 :] if overlap(a, b)]
    assert crossing == [], f"chart texts overprint each other: {crossing}"
    crossed = [(line, t[4]) for line in measured["lines"] for t in texts if overlap(line, t)]
    assert crossed == [], f"an axis line runs through a text: {crossed}"


def test_a_module_with_every_kind_of_poll_runs_with_the_screen_on_a_projector(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=2)
    screen = open_screen(console, code, {"width": 1280, "height": 720})
    phones = [join(pages, workshop_servers, code) for _ in range(2)]

    # Multiple choice, revealed after it closes.
    poll_button(console, WHICH, "Open").click()
    for phone, picks in zip(phones, [["Asking to talk", "Needing space"], ["Asking to talk"]], strict=True):
        for pick in picks:
            phone.get_by_role("button", name=pick, exact=True).click()
        phone.get_by_role("button", name="Send answer").click()
        phone.get_by_text("Answer received").wait_for()
    screen.get_by_text("2 answers · results show after the question closes").wait_for()
    assert screen.locator(".workshop-chart").bounding_box()["height"] == 0
    poll_button(console, WHICH, "Close and reveal").click()
    screen.locator("text.bartext", has_text="2 (100%)").wait_for()
    screen.locator("text.bartext", has_text="1 (50%)").wait_for()
    chart_fits(screen)
    chart_is_legible(screen)  # the checklist chart: its axis clear of its summary line

    # A live scale: on the screen as answers come in, but only from the minimum group size on.
    console.locator("select:visible").select_option(label="End · 10 min")
    poll_button(console, HOW, "Open").click()
    poll_button(console, HOW, "Reveal to room").click()
    screen.get_by_text("results appear after 2 more").first.wait_for()
    answer(phones[0], "2")
    screen.get_by_text("results appear after 1 more").first.wait_for()
    assert not [t for t in bar_texts(screen) if t]
    answer(phones[1], "4")
    screen.locator("text.bartext", has_text="1 (50%)").first.wait_for()
    screen.get_by_text("mean 3.0").wait_for()

    # Open text: moderated on the console, escaped everywhere, flagged words never shown unasked.
    console.locator("select:visible").select_option(label="Later · 10 min")
    poll_button(console, WORDS, "Open").click()
    send_text(phones[0], "<b>Being heard</b>")
    send_text(phones[1], "He hits me when angry")
    console.get_by_text("2 answers · you can read them here when you close the question").wait_for()
    poll_button(console, WORDS, "Close and reveal").click()
    console.get_by_text("1 answer may speak of danger at home").wait_for()
    console.get_by_role("button", name="Approve all unflagged").click()
    screen.locator("blockquote", has_text="<b>Being heard</b>").wait_for()
    phones[1].locator(".workshop-bars blockquote", has_text="<b>Being heard</b>").wait_for()
    assert "hits me" not in screen.locator(".workshop-screen").inner_text()

    # Before and after, side by side.
    poll_button(console, HOW_AGAIN, "Open").click()
    answer(phones[0], "4")
    answer(phones[1], "5")
    poll_button(console, HOW_AGAIN, "Reveal to room").click()
    screen.get_by_text("of 2 who answered both, 2 higher").wait_for()
    screen.locator(".legendtext", has_text="before").wait_for()
    chart_fits(screen)
    chart_is_legible(screen)  # before/after: the legend and bar labels clear of the summary line
    screen.set_viewport_size(PROJECTOR)
    chart_fits(screen)
    chart_is_legible(screen)
    assert "Compare before and after." not in screen.locator(".workshop-screen").inner_text()
    # A projector page reloaded while results are up (a new kernel) shows them at once.
    screen.reload()
    screen.get_by_text("of 2 who answered both, 2 higher").wait_for()
    screen.locator(".legendtext", has_text="before").wait_for()
    chart_fits(screen)
    assert pages.blocked == []


def test_a_spanish_session_speaks_spanish_on_the_phone_and_the_console(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1, module="tiny-es")
    console.get_by_text("Abrir la pantalla del proyector").wait_for()
    phone = pages.open(f"{workshop_servers.participant_url}?code={code}", PHONE)
    phone.get_by_text("Esperando a que la persona facilitadora abra una pregunta.").wait_for()
    poll_button(console, "¿Quién suele plantear primero una preocupación?", "Abrir").click()
    phone.get_by_role("button", name="Normalmente yo", exact=True).click()
    phone.get_by_role("button", name="Enviar respuesta").click()
    phone.get_by_text("Respuesta recibida").wait_for()
    console.get_by_text("1 respondió · 1 dispositivo unido").wait_for()
    assert pages.blocked == []


def test_a_phone_has_support_a_private_word_a_hidden_answer_and_a_quick_exit(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    phone = join(pages, workshop_servers, code)
    phone.get_by_role("button", name="Support").click()
    phone.locator(".support-contacts", has_text="Test Helpline").wait_for()
    assert phone.locator("a[href='tel:0100000000']").count() == 1

    phone.get_by_role("button", name="Ask for a private word with the facilitator").click()
    said = phone.get_by_text("Your code is").inner_text()
    private_code = re.search(r"Your code is (\w{4})\.", said)
    assert private_code, said
    console.locator(".requests", has_text=private_code[1]).wait_for()
    phone.get_by_role("button", name="I need a pause").click()
    console.get_by_text("1 person asked for a pause.").wait_for()

    poll_button(console, WHO, "Open").click()
    answer(phone, "Usually me")
    phone.get_by_text("Your answer is in").wait_for()
    assert phone.get_by_role("button", name="Usually me").count() == 0  # nothing shows which it was
    assert "Usually me" not in phone.locator("main").inner_text()

    # The quick exit stays in reach on a page scrolled far down (a long section text, say).
    phone.evaluate(
        "document.querySelector('#section')"
        ".insertAdjacentHTML('beforeend', '<div style=\"height: 3000px\"></div>')"
    )
    phone.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    phone.wait_for_function("window.scrollY > 1000")
    leave = phone.get_by_role("button", name="Leave this page at once")
    box = leave.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    leave.click(no_wait_after=True)
    phone.wait_for_url("**/neutral.html*")
    assert phone.title() == "New Tab"
    phone.go_back()
    assert "code=" not in phone.url  # Back does not return to the workshop
    assert pages.blocked == []


def test_a_phone_says_honestly_whether_an_answer_got_through(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    poll_button(console, WHICH, "Open").click()
    phone = join(pages, workshop_servers, code)
    send = phone.get_by_role("button", name="Send answer")
    send.wait_for()
    # The question comes before the section's text: Send is on the first screen of a small phone.
    box = send.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"], box

    # A refusal is said next to the button, in view, and the ticks stay to be changed.
    send.click()
    near = phone.locator("#send-outcome")
    near.get_by_text("Please tick at least one option").wait_for()
    outcome = near.bounding_box()
    assert outcome is not None and outcome["y"] + outcome["height"] <= PHONE["height"], outcome

    # Offline, the answer is not lost and not pretended: it goes when the connection returns, once.
    phone.get_by_role("button", name="Asking to talk", exact=True).click()
    phone.context.set_offline(True)
    send.click()
    near.get_by_text("Not sent yet").wait_for()
    phone.context.set_offline(False)
    phone.get_by_text("Your answer is in").wait_for(timeout=30_000)
    console.get_by_text("1 answered").wait_for()

    # A reload after the end says thank you, not that something is wrong.
    console.get_by_role("button", name="End session").click()
    console.get_by_role("button", name="Click again to end").click()
    phone.get_by_text("This session has ended").wait_for()
    phone.reload()
    phone.get_by_text("Thank you for taking part").wait_for()
    assert phone.locator(".workshop-problem:visible").count() == 0
    assert pages.blocked == []


def test_the_console_fits_a_1366_by_768_laptop_with_every_caption_whole(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, _code = start_session(pages, workshop_servers, min_group_size=5, viewport=SMALL_LAPTOP)
    poll_button(console, WHO, "Open").wait_for()
    # Each poll control's tooltip says what it does, and to which poll, in words.
    tips = console.locator(".poll-row button").evaluate_all("buttons => buttons.map(b => b.title)")
    assert tips and all(tip.endswith((f": {WHO}", f": {WHICH}")) for tip in tips), tips
    # The session's first redraw hides the chart box until a question is chosen: wait for it, not for
    # the buttons that come before it.
    console.locator(".workshop-chart").wait_for(state="hidden")
    cut = console.evaluate(
        """() => [...document.querySelectorAll('.workshop-console button')]
              .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
              .map(b => b.textContent)"""
    )
    assert cut == [], f"captions cut off at 1366 px: {cut}"
    assert console.evaluate("document.documentElement.scrollWidth") <= 1366
    # Before any question is charted, no empty axes.
    assert console.locator(".workshop-chart:visible").count() == 0


def test_a_closed_console_or_screen_tab_gives_its_kernel_back(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    serve = psutil.Process(workshop_servers.process.pid)

    def kernels() -> set[int]:
        running = set()
        for process in serve.children(recursive=True):
            with suppress(psutil.Error):  # one ending as we look
                if process.status() != psutil.STATUS_ZOMBIE and "ipykernel" in " ".join(process.cmdline()):
                    running.add(process.pid)
        return running

    said = len(workshop_servers.log())
    before = kernels()
    console = open_start_screen(pages, workshop_servers.console_url, LAPTOP)
    opened = kernels() - before
    assert len(opened) == 1, opened
    # Voila's page asks for its kernel's shutdown as the tab closes; that request used to be refused.
    console.close(run_before_unload=True)
    deadline = time.monotonic() + 60
    while opened & kernels() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not opened & kernels(), "the closed tab's kernel is still running after 60 s"
    assert "_xsrf" not in workshop_servers.log()[said:]


def test_a_phone_joins_by_typed_code_keeps_it_and_shows_ticks_and_refusals_in_view(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    poll_button(console, WHICH, "Open").click()  # a checklist of three, "tick up to 2"
    phone = pages.open(workshop_servers.participant_url, PHONE)
    phone.get_by_role("textbox").fill(code.lower())
    phone.get_by_role("button", name="Join").click()
    send = phone.get_by_role("button", name="Send answer")
    send.wait_for()
    # The code went into the address, so a reload comes straight back in without asking again.
    assert f"code={code}" in phone.url
    phone.reload()
    send.wait_for()
    assert phone.get_by_role("button", name="Join").is_hidden()

    # A ticked option shows a tick, not only a darker colour.
    for option in ("Asking to talk", "Needing space", "Changing the subject"):
        phone.get_by_role("button", name=option, exact=True).click()
    ticked = phone.locator("button[aria-pressed='true']")
    assert ticked.count() == 3
    marks = ticked.evaluate_all("els => els.map(e => getComputedStyle(e, '::before').content)")
    assert all("✓" in mark for mark in marks), marks

    # One tick too many: the refusal stands next to Send, in view, and every tick stays to be changed.
    phone.evaluate("window.scrollTo(0, 0)")
    send.click()
    refusal = phone.locator("#send-outcome").get_by_text("Please tick at most 2 options")
    refusal.wait_for()
    box = refusal.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    assert ticked.count() == 3
    assert pages.blocked == []


def test_the_console_and_the_screen_load_widget_front_ends_that_agree_with_voila(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    """Every widget front end on a Voila page finds the JupyterLab packages it was built for in the
    page's shared scope: no "Unsatisfied version 4.2.5 ... (required ^4.6.2)" from a front end built
    for a newer JupyterLab than Voila's own bundle (see the pins in pyproject.toml)."""
    said: list[str] = []
    pages.on_console = lambda message: said.append(f"{message.type}: {message.text}")
    console, code = start_session(pages, workshop_servers, min_group_size=1)
    screen = open_screen(console, code, {"width": 1920, "height": 1080})
    pages.on_console = None  # the phone's page is not a Voila page
    poll_button(console, WHO, "Open").click()
    answer(join(pages, workshop_servers, code), "Usually me")
    poll_button(console, WHO, "Close").click()
    poll_button(console, WHO, "Reveal to room").click()
    # The charts are drawn: Plotly's and anywidget's front ends have loaded on both pages.
    console.locator(".js-plotly-plot text.bartext", has_text="1 (100%)").wait_for()
    screen.locator(".workshop-screen .js-plotly-plot text.bartext", has_text="1 (100%)").wait_for()
    assert len(said) > 0, "no console message heard at all: the listener is not attached"
    mismatches = [m for m in said if "Unsatisfied version" in m or "No satisfying version" in m]
    assert mismatches == [], "\n".join(mismatches)


def test_the_printed_projector_address_follows_the_newest_session_and_says_when_none_runs(
    pages: Pages, tmp_path: Path
) -> None:
    servers = start_workshop(tmp_path)  # its own servers: no session of another test is running
    try:
        screen = pages.open(servers.screen_url, PROJECTOR)
        screen.get_by_text("The workshop will begin shortly").wait_for()
        assert screen.locator(".join-code").count() == 0
        # Two console tabs at the start screen: the first starts a session that keeps running.
        first = pages.open(servers.console_url, SMALL_LAPTOP)
        second = pages.open(servers.console_url, SMALL_LAPTOP)
        second.get_by_role("button", name="Start session").wait_for()
        old_code = start_from(first, min_group_size=1)
        screen.locator(".join-code", has_text=old_code).wait_for()
        # The facilitator starts afresh in the other tab; the earlier session is still running.
        new_code = start_from(second, min_group_size=1)
        screen.locator(".join-code", has_text=new_code).wait_for()
        assert old_code not in screen.locator(".workshop-screen").inner_text()
        # When the old session ends, and then the new one, the screen says the workshop is over.
        first.get_by_role("button", name="End session").click()
        first.get_by_role("button", name="Click again to end").click()
        first.get_by_role("button", name="Start session").wait_for()
        time.sleep(1.5)  # the screen looks at the store every 0.5 s: it has had three looks
        assert new_code in screen.locator(".workshop-screen").inner_text()
        second.get_by_role("button", name="End session").click()
        second.get_by_role("button", name="Click again to end").click()
        screen.get_by_text("Thank you for taking part").wait_for()
        assert screen.locator(".join-code").count() == 0
        assert pages.blocked == []
    finally:
        stop_workshop(servers)


def test_a_fresh_console_page_resumes_the_running_session_with_counts_and_chart_at_once(
    pages: Pages, workshop_servers: RunningWorkshop
) -> None:
    console, code = start_session(pages, workshop_servers, min_group_size=1, viewport=SMALL_LAPTOP)
    poll_button(console, WHO, "Open").click()
    phone = join(pages, workshop_servers, code)
    answer(phone, "Usually me")
    poll_button(console, WHO, "Close").click()
    console.locator("text.bartext", has_text="1 (100%)").wait_for()
    # The facilitator's laptop crashes, or the page is reloaded: a new page, a new kernel.
    again = pages.open(workshop_servers.console_url, SMALL_LAPTOP)
    again.get_by_text(f"Resumed the running session {code}").wait_for()
    again.locator(".join-code", has_text=code).wait_for()
    # Counts and chart at once, without pressing anything.
    again.get_by_text("1 answered · 1 device joined").wait_for()
    again.locator("text.bartext", has_text="1 (100%)").wait_for()
    assert again.get_by_role("button", name="Start session").count() == 0
    assert pages.blocked == []
