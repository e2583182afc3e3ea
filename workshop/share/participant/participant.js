// The participant's page: join by code, follow the facilitator, answer. No framework, a few kB.
// The server decides everything that is stored; this script only draws what the server allows and
// sends what the person picked. It never shows an answer back, so a partner's glance learns nothing.
"use strict";

(() => {
  const STORAGE_KEY = "workshop-device-key";
  const root = document.querySelector(".workshop-participant");
  const base = root.dataset.base;
  const $ = (id) => document.getElementById(id);
  const heading = $("heading"), message = $("message"), joinForm = $("join"), codeInput = $("code");
  const sectionBox = $("section"), pollBox = $("poll"), resultsBox = $("results");
  const supportBox = $("support"), supportOpen = $("support-open"), supportMessage = $("support-message");
  let words = JSON.parse($("workshop-words").textContent);
  const key = deviceKey();
  let code = "";
  let seq = -1;
  let poll = null; // the question on show, as the server described it
  let picked = []; // the values the person has ticked, in the order shown
  let answered = new Set();
  let ended = false;

  // A random key made here and kept in this browser, so a reload is the same participant.
  // Nothing about the device goes into it; the server stores only its hash.
  function deviceKey() {
    let stored = null;
    try { stored = window.localStorage.getItem(STORAGE_KEY); } catch (e) { stored = null; }
    if (stored && /^[0-9a-f]{32}$/.test(stored)) return stored;
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    const made = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    try { window.localStorage.setItem(STORAGE_KEY, made); } catch (e) { /* this page only */ }
    return made;
  }

  function say(text, kind) {
    message.textContent = text;
    message.className = "workshop-message" + (kind ? " workshop-" + kind : "");
  }

  function sayWhereWeAre() {
    if (ended) return say(words["participant.ended"], "ok");
    if (!poll) return say(words["participant.waiting"]);
    if (answered.has(poll.id)) return say(words["participant.received"], "ok");
    return say(words["participant.opened"]);
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  // Spread the retries of a whole room over time, so they do not all arrive in the same second.
  const backoff = (failures) => Math.min(5000, 500 * 2 ** Math.min(failures, 4)) * (0.5 + Math.random());

  async function api(path, body) {
    const options = { headers: { "X-Workshop-Device": key }, cache: "no-store" };
    if (body !== undefined) {
      options.method = "POST";
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(base + path, options);
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    return { status: response.status, data };
  }

  async function join(typed) {
    say(words["participant.joining"]);
    joinForm.hidden = true;
    for (let failures = 0; ; failures++) {
      let reply = null;
      try { reply = await api("api/join", { code: typed }); } catch (e) { reply = null; }
      if (reply && reply.status === 200) {
        const session = reply.data;
        code = session.code;
        words = session.words;
        answered = new Set(session.answered);
        if (session.support) $("support-contacts").innerHTML = session.support; // escaped by the server
        document.documentElement.lang = session.language;
        heading.textContent = session.title;
        document.title = session.title;
        history.replaceState(null, "", "?code=" + encodeURIComponent(code));
        follow();
        return;
      }
      if (reply && reply.status === 410) { // the session is over: a reload after the end says thank you
        ended = true;
        say(reply.data.error || words["participant.ended"], "ok");
        return;
      }
      if (reply && reply.status < 500) { // a wrong or ended code: say so and ask again
        say(reply.data.error || words["participant.unavailable"], "problem");
        joinForm.hidden = false;
        codeInput.focus();
        return;
      }
      say((reply && reply.data.error) || words["participant.reconnecting"], "problem");
      await sleep(backoff(failures));
    }
  }

  async function follow() {
    let failures = 0;
    while (!ended) {
      let reply = null;
      try {
        reply = await api("api/room?code=" + encodeURIComponent(code) + "&seen=" + seq);
      } catch (e) { reply = null; }
      if (reply && reply.status === 200) {
        if (failures) { failures = 0; sayWhereWeAre(); }
        if (reply.data.seq !== seq) { seq = reply.data.seq; draw(reply.data); }
        continue;
      }
      if (reply && (reply.status === 404 || reply.status === 410)) { // ended while this page was away
        ended = true;
        say(reply.data.error || words["participant.ended"], "ok");
        return;
      }
      failures += 1;
      say((reply && reply.data.error) || words["participant.reconnecting"], "problem");
      await sleep(backoff(failures));
    }
  }

  function draw(view) {
    if (view.ended) {
      ended = true;
      poll = null;
      pollBox.replaceChildren();
      sectionBox.innerHTML = "";
      resultsBox.innerHTML = "";
      sayWhereWeAre();
      return;
    }
    // Escaped by the server: module text and results are HTML made from escaped strings.
    sectionBox.innerHTML = view.section || "";
    const next = view.poll;
    if (!poll || !next || poll.id !== next.id || JSON.stringify(poll) !== JSON.stringify(next)) {
      drawPoll(next);
    }
    resultsBox.innerHTML = view.results || "";
  }

  function element(tag, text, className) {
    const made = document.createElement(tag);
    if (text !== undefined) made.textContent = text;
    if (className) made.className = className;
    return made;
  }

  function drawPoll(next) {
    poll = next;
    picked = [];
    pollBox.replaceChildren();
    sayWhereWeAre();
    if (!poll) return;
    if (answered.has(poll.id)) return showAnswerIn();
    drawQuestion();
  }

  // After Send the choices go: a partner glancing over sees that an answer went in, never which.
  function showAnswerIn() {
    pollBox.replaceChildren(element("h2", poll.prompt), element("p", words["participant.answer-in"]));
    const change = element("button", words["participant.change-answer"]);
    change.type = "button";
    change.addEventListener("click", () => { pollBox.replaceChildren(); drawQuestion(); });
    pollBox.append(change);
  }

  function drawQuestion() {
    picked = [];
    pollBox.append(element("h2", poll.prompt));
    if (poll.hint) pollBox.append(element("p", poll.hint));
    if (poll.kind === "text") {
      const box = element("textarea");
      box.id = "answer-text";
      box.placeholder = words["participant.write-here"];
      box.setAttribute("aria-label", poll.prompt);
      pollBox.append(box);
    } else {
      // Shuffled scale points carry their end words, one per line: their place says nothing.
      const shuffled = poll.kind === "scale" && poll.choices.some((v, i) => i && v < poll.choices[i - 1]);
      const area = element("div", undefined, poll.kind === "scale" && !shuffled ? "workshop-scale" : "workshop-choices");
      for (const value of poll.choices) {
        const ends = shuffled && poll.labels && poll.labels[String(value)];
        const button = element("button", ends ? value + " · " + ends : String(value));
        button.type = "button";
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", () => pick(value, button, area));
        area.append(button);
      }
      pollBox.append(area);
      if (poll.kind === "scale" && !shuffled) {
        const ends = element("div", undefined, "workshop-ends");
        ends.append(element("span", poll.ends[0]), element("span", poll.ends[1]));
        pollBox.append(ends);
      }
    }
    const send = element("button", words["participant.send"], "send");
    send.type = "button";
    send.addEventListener("click", () => sendAnswer(send));
    // What happened to the answer is said right under the button, where the thumb is.
    const outcome = element("div", undefined, "workshop-message");
    outcome.id = "send-outcome";
    outcome.setAttribute("role", "status");
    outcome.hidden = true;
    pollBox.append(send, outcome);
  }

  function sayNearSend(text, kind) {
    say(text, kind);
    const outcome = $("send-outcome");
    if (!outcome) return;
    outcome.textContent = text;
    outcome.className = "workshop-message" + (kind ? " workshop-" + kind : "");
    outcome.hidden = false;
    outcome.scrollIntoView({ block: "nearest" });
  }

  function pick(value, button, area) {
    if (poll.kind === "multiple") {
      const at = picked.indexOf(value);
      if (at >= 0) picked.splice(at, 1); else picked.push(value);
      button.setAttribute("aria-pressed", String(at < 0));
      return;
    }
    // Single choice and scale: ticking one unticks the others.
    picked = [value];
    for (const other of area.querySelectorAll("button")) {
      other.setAttribute("aria-pressed", String(other === button));
    }
  }

  function chosen() {
    if (poll.kind === "text") return $("answer-text").value;
    if (poll.kind === "multiple") return picked.slice();
    return picked.length === 1 ? picked[0] : null;
  }

  // Send, and say honestly what happened. Without a connection the answer is kept on this page and sent
  // again when the connection returns (the server keeps one answer per phone per question, so a resend
  // can never count twice); a refusal is said next to the button and the choices stay to be changed.
  async function sendAnswer(button) {
    const asked = poll, value = chosen();
    button.disabled = true;
    for (let failures = 0; poll === asked && !ended; failures++) {
      let reply = null;
      try { reply = await api("api/answer", { code, poll: asked.id, value }); } catch (e) { reply = null; }
      if (reply && reply.status === 200) {
        answered.add(asked.id);
        button.disabled = false;
        say(reply.data.received, "ok");
        if (poll === asked) { // sent: nothing left on the screen for a neighbour to read
          showAnswerIn();
          pollBox.scrollIntoView({ block: "nearest" }); // "Your answer is in" stands where Send was
        }
        return;
      }
      if (reply && reply.status !== 503 && reply.status < 500 && reply.status !== 0) {
        button.disabled = false;
        return sayNearSend(reply.data.error || words["participant.unavailable"], "problem");
      }
      sayNearSend(words["participant.not-sent"], "problem");
      await sleep(backoff(failures));
    }
    button.disabled = false;
  }

  // Quick exit, as on domestic-abuse services' websites: the page is blanked at once and replaced by a
  // neutral one in the same history entry, so Back does not bring it back.
  function quickExit() {
    document.body.replaceChildren();
    document.title = "New Tab";
    window.location.replace(base + "static/neutral.html");
  }
  $("exit").addEventListener("click", quickExit);
  $("forget").addEventListener("click", () => {
    try { window.localStorage.removeItem(STORAGE_KEY); } catch (e) { /* nothing kept */ }
    quickExit();
  });

  function showSupport(open) {
    supportBox.hidden = !open;
    supportOpen.setAttribute("aria-expanded", String(open));
    if (open) supportBox.scrollIntoView({ block: "start" });
  }
  supportOpen.addEventListener("click", () => showSupport(supportBox.hidden));
  $("support-close").addEventListener("click", () => showSupport(false));

  async function ask(kind) {
    if (!code) return say(words["participant.type-code"], "problem");
    let reply = null;
    try { reply = await api("api/" + kind, { code }); } catch (e) { reply = null; }
    supportMessage.textContent = reply && reply.status === 200
      ? reply.data.message
      : (reply && reply.data.error) || words["participant.reconnecting"];
  }
  $("ask-word").addEventListener("click", () => ask("private-word"));
  $("ask-pause").addEventListener("click", () => ask("pause"));

  joinForm.addEventListener("submit", (event) => {
    event.preventDefault();
    join(codeInput.value);
  });

  const fromAddress = new URLSearchParams(window.location.search).get("code");
  if (fromAddress) {
    join(fromAddress);
  } else {
    say(words["participant.type-code"]);
    joinForm.hidden = false;
  }
})();
