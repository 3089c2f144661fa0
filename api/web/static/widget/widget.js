// Bibliotekshjälpen: the embeddable chat widget, the one resident chat UI (docs/decisions/0007-widget.md).
//
//   <script src="https://api.example/widget.js" data-library="solna" data-language="sv"
//           data-easy-read="false" data-position="right" data-color="#005a8c" defer></script>
//
// It renders inside a shadow root (styles neither leak out nor in), loads its stylesheet and UI
// strings from the API origin it was loaded from, and sets no inline styles or scripts, so it runs
// under a strict Content-Security-Policy. All text is set with textContent, never as HTML.
(() => {
  "use strict";
  const script = document.currentScript;
  if (!script || window.__bibliotekshjalpen) return;  // embedded twice: the first one wins
  window.__bibliotekshjalpen = true;

  const API = new URL(script.src, location.href).origin;
  const DEFAULT_COLOR = "#005a8c";
  const CONV_KEY = "bibliotekshjalpen.conversation";  // {id, token}: the conversation survives a reload
  const PREFS_KEY = "bibliotekshjalpen.widget";       // {open, scale, contactLeft}
  const OUTBOX_KEY = "bibliotekshjalpen.outbox";      // {text, payload, clientId}: a message not answered yet
  // A failed send is retried with the same client_id (the API stores and answers it once): after
  // 1 s, doubling to 30 s, with jitter so that many widgets do not come back at the same moment;
  // never sooner than a 429/503's Retry-After; at once on the browser's `online` event or Retry.
  const SEND_BACKOFF_MS = 1000, SEND_BACKOFF_MAX_MS = 30000, RETRY_AFTER_MAX_MS = 600000;
  const SEND_TIMEOUT_MS = 30000;  // a send that hangs (a stalled connection) is given up and retried
  const SCALES = [1, 1.25, 1.5, 1.75, 2];
  const data = script.dataset;
  const cfg = {
    library: data.library || null,
    language: (data.language || document.documentElement.lang || "sv").split("-")[0].toLowerCase(),
    easyRead: data.easyRead === "true",
    position: data.position === "left" ? "left" : "right",
    color: accentColor(data.color),
  };

  // ---- colours: the accent is the background of white text, so it must reach 4.5:1 against white.
  function rgbOf(value) {
    const m = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(value).trim());
    if (!m) return null;
    const hex = m[1].length === 3 ? [...m[1]].map((c) => c + c).join("") : m[1];
    return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  }
  function luminance(rgb) {
    const [r, g, b] = rgb.map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  function contrast(a, b) {
    const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
  }
  function accentColor(value) {
    if (!value) return DEFAULT_COLOR;
    const rgb = rgbOf(value);
    if (!rgb) {
      console.warn(`Bibliotekshjälpen: data-color ${JSON.stringify(value)} is not a #rgb or #rrggbb colour; using ${DEFAULT_COLOR}.`);
      return DEFAULT_COLOR;
    }
    const ratio = contrast(rgb, [255, 255, 255]);
    if (ratio < 4.5) {
      console.warn(`Bibliotekshjälpen: data-color ${value} has a contrast of ${ratio.toFixed(2)}:1 with white text `
        + `(WCAG 2.1 AA needs 4.5:1); using ${DEFAULT_COLOR}.`);
      return DEFAULT_COLOR;
    }
    return "#" + rgb.map((v) => v.toString(16).padStart(2, "0")).join("");
  }

  // ---- storage (sessionStorage of the host page's origin; private browsing may refuse it)
  const store = {
    get(key) { try { return JSON.parse(sessionStorage.getItem(key) || "null"); } catch { return null; } },
    set(key, value) { try { sessionStorage.setItem(key, JSON.stringify(value)); } catch { /* not kept */ } },
    remove(key) { try { sessionStorage.removeItem(key); } catch { /* nothing kept */ } },
  };
  let conv = store.get(CONV_KEY);
  const prefs = { open: false, scale: 1, contactLeft: false, ...(store.get(PREFS_KEY) || {}) };
  const savePrefs = () => store.set(PREFS_KEY, prefs);

  // ---- DOM helper: h("button", {type: "button", className: "x"}, "text", child)
  function h(tag, props = {}, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(props)) {
      if (v === null || v === undefined || v === false) continue;
      if (k in el && !k.startsWith("aria") && k !== "role") el[k] = v;
      else el.setAttribute(k, v === true ? "" : String(v));
    }
    for (const c of children) el.append(c);
    return el;
  }
  function svg(paths, cls) {
    const NS = "http://www.w3.org/2000/svg";
    const s = document.createElementNS(NS, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    s.setAttribute("class", cls);
    for (const d of paths) {
      const p = document.createElementNS(NS, "path");
      p.setAttribute("d", d);
      s.append(p);
    }
    return s;
  }

  // ---- UI strings: GET /api/widget/strings?lang=xx (data/widget/<lang>.yml)
  const stringCache = new Map();
  let S = {};                 // the current strings
  let ui = { lang: "sv", dir: "ltr", key: "sv" };
  let languages = {};         // code -> {code, name, english, dir}, from /api/languages
  const labelled = [];        // [element, string key, property] re-labelled on a language change

  function t(el, key, prop = "textContent") { labelled.push([el, key, prop]); return el; }
  function applyStrings() {
    for (const [el, key, prop] of labelled) {
      const text = typeof key === "function" ? key() : S[key] || "";
      if (prop === "textContent") el.textContent = text;
      else el.setAttribute(prop, text);
    }
    langHint.hidden = ui.lang === "en";
    if (outgoing && outgoing.li && outgoing.li.dataset.delivery) markDelivery(outgoing.li, outgoing.li.dataset.delivery);
    for (const box of list.querySelectorAll(".feedback")) labelFeedback(box);
    root.lang = ui.lang; root.dir = ui.dir;
    dialog.lang = ui.lang; dialog.dir = ui.dir;
    updateSizeButtons();
  }
  async function fetchStrings(key) {
    if (!stringCache.has(key)) {
      const p = api(`/api/widget/strings?lang=${encodeURIComponent(key)}`, { auth: false });
      stringCache.set(key, p);
      p.catch(() => stringCache.delete(key));
    }
    return stringCache.get(key);
  }
  /** Show the widget in a language (and easy-to-read Swedish when `easy`). */
  async function setUiLanguage(code, easy) {
    const key = easy ? "sv-easy" : (languages[code] ? code : "sv");
    if (key === ui.key && S.launcher) return;
    const body = await fetchStrings(key);
    S = body.strings;
    ui = { lang: body.html_lang, dir: body.dir, key };
    applyStrings();
  }

  // ---- the API (cross-origin when embedded: CORS, bearer token, never cookies)
  async function api(path, { method = "GET", body, auth = true, timeout = 0 } = {}) {
    const headers = {};
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && conv) headers.Authorization = "Bearer " + conv.token;
    const abort = timeout && typeof AbortController !== "undefined" ? new AbortController() : null;
    const timer = abort ? setTimeout(() => abort.abort(), timeout) : null;
    try {
      const resp = await fetch(API + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: "omit", mode: "cors",
        signal: abort ? abort.signal : undefined,
      });
      if (!resp.ok) {
        const payload = await resp.json().catch(() => ({}));
        // 4xx: detail is a sentence; 422: a list of {loc, msg, type} with a plain-language msg.
        const detail = Array.isArray(payload.detail)
          ? payload.detail.map((d) => d && d.msg).filter(Boolean).join(" ") : payload.detail;
        const err = new Error(typeof detail === "string" && detail ? detail : resp.statusText);
        err.status = resp.status;
        err.retryAfter = retryAfterMs(resp.headers.get("Retry-After"));  // 429 and 503: wait at least this long
        throw err;
      }
      return resp.status === 204 ? null : await resp.json();
    } finally {
      clearTimeout(timer);
    }
  }
  /** Retry-After in milliseconds (delta-seconds or an HTTP date), 0 when absent. */
  function retryAfterMs(value) {
    if (!value) return 0;
    const ms = /^\d+$/.test(value.trim()) ? Number(value) * 1000 : Date.parse(value) - Date.now();
    return Number.isFinite(ms) ? Math.min(Math.max(ms, 0), RETRY_AFTER_MAX_MS) : 0;
  }

  // ---- the DOM, inside a shadow root
  const host = document.createElement("div");
  host.id = "bibliotekshjalpen";
  host.style.setProperty("all", "initial");  // CSSOM, allowed under a strict CSP (no style attribute)
  const shadow = host.attachShadow({ mode: "open" });
  const sheet = h("link", { rel: "stylesheet", href: API + "/widget.css" });

  const launcherText = t(h("span", { className: "launcher-text" }), "launcher");
  const launcher = h("button", {
    type: "button", id: "chat-launcher", className: "launcher", "aria-expanded": "false", "aria-controls": "chat-dialog",
    "aria-haspopup": "dialog",
  }, svg(["M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"], "icon"), launcherText);

  const title = t(h("h2", { id: "chat-title", className: "title" }), "title");
  const closeBtn = t(h("button", { type: "button", id: "chat-close", className: "icon-button" },
    svg(["M6 6l12 12M18 6L6 18"], "icon stroke")), "close", "aria-label");

  const langSelect = h("select", { id: "chat-language" });
  const langHint = h("span", { lang: "en", dir: "ltr", className: "hint" }, " (Language)");
  const langLabel = h("label", { htmlFor: "chat-language" }, t(h("span"), "language"), langHint);
  const easy = h("input", { type: "checkbox", id: "chat-easy" });
  const easyLabel = h("label", { className: "toggle", htmlFor: "chat-easy" }, easy, t(h("span"), "easy_read"));
  const sizeLabel = t(h("span", { id: "chat-size-label" }), "text_size");
  const smaller = t(h("button", { type: "button", id: "chat-smaller", className: "size-button" },
    h("span", { "aria-hidden": "true" }, "A−")), () => `A− ${S.text_smaller}`, "aria-label");
  const larger = t(h("button", { type: "button", id: "chat-larger", className: "size-button" },
    h("span", { "aria-hidden": "true" }, "A+")), () => `A+ ${S.text_larger}`, "aria-label");
  const settings = h("div", { className: "settings" },
    h("div", { className: "field" }, langLabel, langSelect),
    easyLabel,
    h("div", { className: "size", role: "group", "aria-labelledby": "chat-size-label" }, sizeLabel, smaller, larger));

  const privacyLink = t(h("a", { href: API + "/integritet", id: "chat-privacy-link" }), "privacy_link");
  const intro = h("div", { className: "intro", id: "chat-intro" },
    t(h("p"), "intro"),
    h("p", {}, t(h("span"), "privacy_note"), " ", privacyLink));
  const list = h("ol", { id: "chat-messages", className: "messages" });
  const log = h("div", {
    id: "chat-log", className: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", tabIndex: 0,
  }, intro, list);
  t(log, "log_label", "aria-label");

  const dots = h("span", { className: "dots", "aria-hidden": "true" }, h("span"), h("span"), h("span"));
  const typing = h("div", { className: "typing", id: "chat-typing", hidden: true }, dots);
  const status = h("p", { id: "chat-status", className: "status", role: "status" });

  const confirmText = t(h("p", { id: "chat-confirm-text" }), "end_confirm");
  const confirmYes = t(h("button", { type: "button", id: "chat-confirm-yes", className: "danger" }), "end_yes");
  const confirmNo = t(h("button", { type: "button", id: "chat-confirm-no", className: "secondary" }), "end_no");
  const confirmBox = h("div", { id: "chat-confirm", className: "confirm", role: "group", "aria-labelledby": "chat-confirm-text", hidden: true },
    confirmText, h("div", { className: "row" }, confirmYes, confirmNo));

  const contactInput = h("input", { type: "text", id: "chat-contact-input", autocomplete: "email", inputMode: "email", maxLength: 200,
    "aria-describedby": "chat-contact-hint" });
  const contactError = h("p", { id: "chat-contact-error", className: "error", hidden: true });
  const contactForm = h("form", { id: "chat-contact", className: "contact", noValidate: true, hidden: true },
    t(h("label", { htmlFor: "chat-contact-input" }), "contact_label"),
    t(h("p", { id: "chat-contact-hint", className: "hint" }), "contact_hint"),
    h("div", { className: "row" }, contactInput, t(h("button", { type: "submit", id: "chat-contact-send", className: "secondary" }), "contact_send")),
    contactError);

  const input = h("textarea", { id: "chat-input", rows: 2, maxLength: 2000, "aria-describedby": "chat-pii" });
  const send = t(h("button", { type: "submit", id: "chat-send" }), "send");
  const errorText = h("span", { id: "chat-error-text" });
  const retry = t(h("button", { type: "button", id: "chat-retry", className: "secondary" }), "retry");
  const errorBox = h("div", { id: "chat-error", className: "error", role: "alert" });
  const form = h("form", { id: "chat-form", className: "compose", noValidate: true },
    t(h("label", { htmlFor: "chat-input", id: "chat-input-label" }), "input_label"),
    t(h("p", { id: "chat-pii", className: "pii" }), "pii_warning"),
    h("div", { className: "row" }, input, send),
    errorBox);

  const endBtn = t(h("button", { type: "button", id: "chat-end", className: "link-button", hidden: true }), "end");
  const footer = h("div", { className: "foot" }, endBtn,
    t(h("a", { href: API + "/tillganglighet", id: "chat-a11y-link" }), "accessibility"),
    t(h("a", { href: API + "/integritet" }), "privacy"));

  const dialog = h("div", { id: "chat-dialog", className: "dialog", role: "dialog", "aria-labelledby": "chat-title", hidden: true },
    h("div", { className: "head" }, title, closeBtn),
    settings, log, typing, status, confirmBox, contactForm, form, footer);
  const root = h("div", { className: "root", "data-position": cfg.position, hidden: true }, launcher, dialog);
  root.style.setProperty("--bh-accent", cfg.color);
  shadow.append(sheet, root);

  // ---- rendering messages: each new one is appended once, so the log announces it once
  let lastId = 0;
  let shownIds = new Set();  // ids of the stored messages the log shows (a transcript copy is not shown again)
  function dirOf(code) { return languages[code] ? languages[code].dir : "auto"; }

  /** Scroll the log so an element in it (a focused rating button) is wholly in view. */
  function keepInView(el) {
    const a = el.getBoundingClientRect(), b = log.getBoundingClientRect(), gap = 8;  // room for the focus ring
    if (a.height + 2 * gap > b.height) return;
    if (a.bottom > b.bottom - gap) log.scrollTop += a.bottom - b.bottom + gap;
    else if (a.top < b.top + gap) log.scrollTop -= b.top + gap - a.top;
  }
  // When the log gets shorter (an error or a status line appears below it), a focused control in it
  // stays in view rather than slipping under the edge.
  if (typeof ResizeObserver !== "undefined") {
    new ResizeObserver(() => {
      const a = shadow.activeElement;
      if (a && a !== log && log.contains(a)) keepInView(a);
    }).observe(log);
  }

  /** Scroll the log (only the log, never the host page) so a new message's start is in view. */
  function reveal(li) {
    if (dialog.hidden) return;
    const top = li.offsetTop - log.offsetTop;
    if (li.offsetHeight > log.clientHeight || top < log.scrollTop) log.scrollTop = top - 4;
    else if (top + li.offsetHeight > log.scrollTop + log.clientHeight) log.scrollTop = top + li.offsetHeight - log.clientHeight + 4;
  }

  function render(msg) {
    const sender = msg.sender || (msg.kind === "staff" ? "staff" : "bot");
    const li = h("li", { className: sender });
    if (msg.kind) li.dataset.kind = msg.kind;
    if (msg.topic) li.dataset.topic = msg.topic;
    if (msg.language) li.lang = msg.language;
    // The resident's own text takes its direction from what they wrote (dir="auto").
    li.dir = sender === "resident" || !msg.language ? "auto" : dirOf(msg.language);
    // The sender's label is in the UI language; with its own dir, dir="auto" looks past it to the text.
    const who = h("span", { className: "who", lang: ui.lang, dir: ui.dir },
      sender === "resident" ? S.you : sender === "staff" ? S.staff : S.bot);
    li.append(who, h("span", { className: "text" }, msg.text));
    if (msg.topic) li.append(h("span", { className: "topic", lang: ui.lang, dir: ui.dir }, `${S.topic}: ${msg.topic}`));
    if (msg.buttons && msg.buttons.length) {
      const box = h("div", { className: "buttons" });
      for (const b of msg.buttons) {
        const btn = h("button", { type: "button", className: "quick" }, b.title);
        btn.addEventListener("click", () => sendMessage(b.title, b.payload));
        box.append(btn);
      }
      li.append(box);
    }
    if (msg.kind === "faq" && msg.id && conv) li.append(feedbackControl(msg));
    if (msg.id) { shownIds.add(msg.id); li.dataset.id = msg.id; }
    // A message not answered yet stays the last one: what arrives meanwhile (a transcript fetched
    // late, a staff reply) goes above it.
    if (outgoing && outgoing.li && outgoing.li.parentNode === list) list.insertBefore(li, outgoing.li);
    else list.append(li);
    endBtn.hidden = !conv;
    reveal(li);
    return li;
  }

  // ---- rating an answer: thumbs up or down under each FAQ answer (POST .../messages/{id}/feedback).
  // Two toggle buttons (aria-pressed) in a labelled group; pressing the pressed one withdraws the
  // rating. The thank-you goes to the status line (polite), so the log announces nothing again.
  // Icons after Feather (MIT): outlined, filled when pressed.
  const THUMB_UP = ["M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3z", "M7 22H4a2 2 0 0 1-2-2v-7a2 2 0 0 1 2-2h3"];
  const THUMB_DOWN = ["M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3z", "M17 2h2.67A2.31 2.31 0 0 1 22 4v7a2.31 2.31 0 0 1-2.33 2H17"];
  function labelFeedback(box) {
    box.lang = ui.lang; box.dir = ui.dir;
    box.querySelector(".feedback-prompt").textContent = S.feedback_prompt || "";
    for (const b of box.querySelectorAll("button.rate")) {
      const label = S[b.dataset.rating === "up" ? "feedback_up" : "feedback_down"] || "";
      b.setAttribute("aria-label", label);
      b.title = label;
    }
  }
  function feedbackControl(msg) {
    const promptId = `chat-feedback-${msg.id}`;
    const button = (rating, icon) => h("button", { type: "button", className: "rate", "data-rating": rating, "aria-pressed": "false" },
      svg(icon, "icon stroke"));
    const up = button("up", THUMB_UP), down = button("down", THUMB_DOWN);
    const box = h("div", { className: "feedback", role: "group", "aria-labelledby": promptId, "data-message": msg.id },
      h("span", { id: promptId, className: "feedback-prompt" }), up, down);
    labelFeedback(box);
    let saved = msg.feedback === "up" || msg.feedback === "down" ? msg.feedback : null;  // as the API has it
    let shown = saved, latest = 0;
    let chain = Promise.resolve();
    const show = (rating) => {
      shown = rating;
      box.dataset.rating = rating || "";
      up.setAttribute("aria-pressed", String(rating === "up"));
      down.setAttribute("aria-pressed", String(rating === "down"));
    };
    show(saved);
    const press = (which) => {
      const rating = shown === which ? null : which;  // the pressed one again: withdrawn
      const seq = ++latest;
      show(rating);  // at once; put back if the API refuses
      chain = chain.then(async () => {
        if (!conv) throw new Error("no conversation");
        const res = await api(`/api/conversations/${conv.id}/messages/${msg.id}/feedback`, { method: "POST", body: { rating } });
        saved = res && (res.feedback === "up" || res.feedback === "down") ? res.feedback : null;
        if (seq !== latest) return;  // a newer press is on its way: it has the last word
        show(saved);
        feedbackError.remove();
        announce(saved ? S.feedback_thanks : S.feedback_removed);
      }).catch(() => {
        if (seq !== latest) return;
        show(saved);
        if (status.textContent === S.feedback_thanks || status.textContent === S.feedback_removed) say("");
        showFeedbackError();
      });
    };
    up.addEventListener("click", () => press("up"));
    down.addEventListener("click", () => press("down"));
    return box;
  }

  // ---- live updates: server-sent events, reconnecting with backoff; polling without EventSource.
  // A message shown before its transcript copy arrives is not shown twice: replies a POST returned
  // carry their stored id (shownIds); the resident's own message and a reply without an id (the
  // contact confirmation) are matched by count and by text.
  let pendingResident = 0, pending = [], early = [];
  let busy = false, stream = null, poller = null, retryTimer = null, retryDelay = 1000, lost = false, streamFailures = 0;
  let opening = false;  // a stream ticket is being fetched
  let convState = "bot";
  let queue = Promise.resolve();
  const enqueue = (fn) => { const p = queue.then(fn); queue = p.catch(() => {}); return p; };

  function receive(m) {
    if (m.id <= lastId) return;
    if (busy) { if (!early.some((e) => e.id === m.id)) early.push(m); return; }
    lastId = m.id;
    if (shownIds.has(m.id)) return;
    if (m.sender === "resident") {
      // Our own message's transcript copy. While one is still on its way, only a copy with its text
      // is ours: an earlier message (a transcript fetched late, after a failed resume) is shown.
      if (pendingResident > 0 && (!outgoing || m.text === outgoing.text)) { pendingResident--; return; }
    } else {
      const i = pending.indexOf(m.text);
      if (i >= 0) { pending.splice(0, i + 1); return; }
    }
    render(m);
  }
  function flushEarly() {
    const waiting = early.sort((a, b) => a.id - b.id);
    early = [];
    for (const m of waiting) receive(m);
  }
  function setConvState(state) {
    convState = state;
    root.dataset.state = state;
    contactForm.hidden = !(conv && (state === "waiting" || state === "with_staff") && !prefs.contactLeft);
  }
  function stopLive() {
    if (stream) { stream.close(); stream = null; }
    if (poller) { clearInterval(poller); poller = null; }
    clearTimeout(retryTimer); retryTimer = null;
  }
  async function startLive() {
    if (!conv || stream || poller || opening) return;
    // Without EventSource, or when the stream keeps failing while plain requests work (a proxy that
    // buffers streams), poll GET ?after= instead.
    if (typeof EventSource === "undefined" || streamFailures >= 2) { startPolling(); return; }
    // The stream's URL carries a one-minute ticket, never the bearer token (URLs end up in logs).
    const id = conv.id;
    let ticket;
    opening = true;
    try {
      ticket = (await api(`/api/conversations/${id}/events/ticket`, { method: "POST" })).ticket;
    } catch (err) {
      if (err.status === 404) { if (conv && conv.id === id) forget(); return; }
      offline();
      scheduleReconnect();
      return;
    } finally {
      opening = false;
    }
    if (!conv || conv.id !== id || stream || poller) return;  // ended or replaced meanwhile
    const es = new EventSource(`${API}/api/conversations/${id}/events?ticket=${encodeURIComponent(ticket)}&after=${lastId}`);
    stream = es;
    es.addEventListener("open", () => { streamFailures = 0; });
    es.addEventListener("message", (e) => receive(JSON.parse(e.data)));
    es.addEventListener("state", (e) => setConvState(JSON.parse(e.data).state));
    es.addEventListener("ready", (e) => setConvState(JSON.parse(e.data).state));
    es.addEventListener("gone", () => { forget(); });
    es.addEventListener("error", () => {
      if (stream !== es) return;
      es.close(); stream = null;
      streamFailures++;
      scheduleReconnect();
    });
  }
  function scheduleReconnect() {
    if (!conv || retryTimer) return;
    retryTimer = setTimeout(reconnect, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }
  function offline() {
    if (!lost) { lost = true; say(S.offline); }
  }
  function online() {
    retryDelay = 1000;
    if (lost) { lost = false; say(S.reconnected); }
  }
  /** Fetch what was missed (GET ?after=<last id>), then listen again; back off while it fails. */
  async function reconnect() {
    retryTimer = null;
    if (!conv || stream || poller) return;
    try {
      const t = await api(`/api/conversations/${conv.id}/messages?after=${lastId}`);
      for (const m of t.messages) receive(m);
      setConvState(t.conversation.state);
      online();
      startLive();
    } catch (err) {
      if (err.status === 404) { forget(); return; }
      offline();
      scheduleReconnect();
    }
  }
  function startPolling() {
    if (poller || !conv) return;
    poller = setInterval(async () => {
      if (!conv) { stopLive(); return; }
      if (busy) return;
      try {
        const t = await api(`/api/conversations/${conv.id}/messages?after=${lastId}`);
        for (const m of t.messages) receive(m);
        setConvState(t.conversation.state);
        online();
      } catch (err) { if (err.status === 404) forget(); else offline(); }
    }, 3000);
  }
  window.addEventListener("offline", () => {
    if (!conv) return;
    if (stream) { stream.close(); stream = null; }
    offline();
    scheduleReconnect();
  });
  window.addEventListener("online", () => {
    if (outgoing) attemptSend();  // back online: send what is waiting now, not at its next scheduled try
    if (!conv) return;
    clearTimeout(retryTimer); retryTimer = null; retryDelay = 1000;
    reconnect();
  });

  /** The conversation is gone (ended here, deleted, expired): forget it and start afresh. */
  function forget() {
    stopLive();
    store.remove(CONV_KEY);
    conv = null; lastId = 0; pending = []; early = []; streamFailures = 0; lost = false;
    pendingResident = outgoing ? 1 : 0;  // a message on its way goes to the next conversation
    shownIds = new Set();
    prefs.contactLeft = false; savePrefs();
    setConvState("bot");
    endBtn.hidden = true;
  }

  // ---- status line (polite) and typing indicator
  function say(text) { status.textContent = text || ""; }
  /** Say it even when the status line already says the same (rating again): clear it, then say it. */
  function announce(text) {
    if (status.textContent !== text) { say(text); return; }
    say("");
    setTimeout(() => { if (!status.textContent) say(text); }, 100);
  }
  function showTyping(on) {
    typing.hidden = !on;
    log.setAttribute("aria-busy", on ? "true" : "false");
    if (on) say(S.typing); else if (status.textContent === S.typing) say("");
  }
  function showError(text, withRetry) {
    errorBox.replaceChildren(errorText);
    errorText.textContent = text;
    if (withRetry) errorBox.append(" ", retry);
  }
  let limitTimer = 0;
  function clearError() { clearTimeout(limitTimer); errorBox.replaceChildren(); }
  // Over a rate limit (429): say so in the resident's language; Retry comes back only once the wait is over.
  function showLimited(seconds) {
    const wait = Math.max(1, seconds || 60);
    const text = S.rate_limited.replace("{minutes}", String(Math.max(1, Math.ceil(wait / 60))));
    showError(text, false);
    clearTimeout(limitTimer);
    limitTimer = setTimeout(() => { if (errorText.textContent === text) errorBox.append(" ", retry); }, wait * 1000);
  }
  const feedbackError = h("span", { id: "chat-feedback-error" });
  function showFeedbackError() {
    feedbackError.remove();  // re-added, so the alert announces it again
    feedbackError.textContent = S.feedback_failed;
    errorBox.append(feedbackError);
  }

  // ---- conversation
  async function ensureConversation() {  // only inside enqueue, so one conversation is created
    if (conv) return;
    const body = { channel: "web", locale: langSelect.value || ui.lang };
    if (cfg.library) body.library = cfg.library;
    const created = await api("/api/conversations", { method: "POST", body, auth: false });
    conv = { id: created.id, token: created.token };
    store.set(CONV_KEY, conv);
    endBtn.hidden = false;
    if (easy.checked) await api(`/api/conversations/${conv.id}`, { method: "PATCH", body: { easy_read: true } });
    startLive();
  }

  // ---- sending: one message at a time, kept (and shown) until it is answered
  let outgoing = null;  // {text, payload, clientId, li, attempt, timer}: the message on its way
  const newClientId = () => (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random());
  const saveOutbox = () => { if (outgoing) store.set(OUTBOX_KEY, { text: outgoing.text, payload: outgoing.payload, clientId: outgoing.clientId }); };
  const retryable = (err) => !err.status || err.status === 408 || err.status === 425 || err.status === 429 || err.status >= 500;

  /** Mark the resident's message as on its way ("sending"), failed so far ("retrying", with the
   * Retry button) or answered (""). The status line says "not sent yet" politely. */
  function markDelivery(li, state) {
    let line = li.querySelector(".delivery");
    if (!state) {
      delete li.dataset.delivery;
      if (line) {
        const hadFocus = line.contains(shadow.activeElement);
        line.remove();
        if (hadFocus) input.focus();
      }
      return;
    }
    li.dataset.delivery = state;
    if (!line) {
      line = h("span", { className: "delivery" }, h("span", { className: "delivery-text" }));
      li.append(line);
    }
    line.lang = ui.lang; line.dir = ui.dir;
    line.firstChild.textContent = state === "sending" ? S.sending : S.not_sent;
    if (state === "retrying" && retry.parentNode !== line) line.append(retry);
    else if (state !== "retrying" && retry.parentNode === line) retry.remove();
    if (li === list.lastElementChild) reveal(li);  // the line under it in view too
  }
  function showSending(on) {
    if (on) send.setAttribute("aria-disabled", "true"); else send.removeAttribute("aria-disabled");
  }

  async function sendMessage(raw, payload) {
    const text = String(raw).trim();
    if (!text) { say(S.empty); input.focus(); return; }
    // One at a time; the button stays focusable (aria-disabled), not disabled. A message still on its
    // way is said again, so pressing Send is never met with silence.
    if (outgoing) { if (outgoing.li.dataset.delivery === "retrying") announce(S.not_sent); return; }
    if (busy) return;
    outgoing = { text, payload: payload || null, clientId: newClientId(), attempt: 0, timer: null };
    saveOutbox();
    if (!payload && input.value.trim() === text) input.value = "";  // it is in the log now, shown as sending
    outgoing.li = render({ sender: "resident", text });
    pendingResident++;
    attemptSend();
  }

  /** One attempt to send the outgoing message; on a transient failure the next one is scheduled. */
  async function attemptSend() {
    const out = outgoing;
    if (!out || busy) return;
    clearTimeout(out.timer); out.timer = null;
    busy = true;
    showSending(true);
    clearError();
    const retrying = out.li.dataset.delivery === "retrying";
    if (!retrying) { markDelivery(out.li, "sending"); showTyping(true); }  // a retry keeps saying "not sent yet"
    try {
      const reply = await enqueue(async () => {
        await ensureConversation();
        return api(`/api/conversations/${conv.id}/messages`, {
          method: "POST", timeout: SEND_TIMEOUT_MS, body: { text: out.text, payload: out.payload, client_id: out.clientId },
        });
      });
      if (outgoing !== out) { showTyping(false); return; }  // the chat was ended meanwhile
      outgoing = null;
      store.remove(OUTBOX_KEY);
      markDelivery(out.li, "");
      showSending(false);
      showTyping(false);
      if (status.textContent === S.not_sent) say("");
      const mine = out.li;
      if (reply.messages[0] && reply.messages[0].language) mine.lang = reply.messages[0].language;  // as detected
      // Replies the stream already brought (a retry of a send whose answer got lost on the way) are
      // shown once, and the message goes back above them.
      const earlier = reply.messages.map((m) => m.id && list.querySelector(`li[data-id="${m.id}"]`)).find(Boolean);
      if (earlier) list.insertBefore(mine, earlier);
      for (const m of reply.messages) {
        if (m.id && shownIds.has(m.id)) continue;
        render(m);
        if (!m.id) pending.push(m.text);
      }
      const last = reply.messages[reply.messages.length - 1];
      if (last && last.language && last.language !== ui.lang && !easy.checked && languages[last.language]) {
        langSelect.value = last.language;
        await setUiLanguage(last.language, false);
      }
    } catch (err) {
      showTyping(false);
      if (outgoing !== out) return;
      if (err.status === 404 || err.status === 401) {
        // The conversation is gone (expired, ended in another tab): the message starts a new one.
        forget();
        out.attempt++;
        out.timer = setTimeout(attemptSend, out.attempt > 1 ? backoff(out, err) : 0);
      } else if (retryable(err)) {
        markDelivery(out.li, "retrying");
        if (err.status === 429) showLimited(Math.ceil(err.retryAfter / 1000));  // how long, in their language
        else say(S.not_sent);
        out.timer = setTimeout(attemptSend, backoff(out, err));
      } else {
        // Refused for good (the API will say the same to the same message): back into the box.
        outgoing = null;
        store.remove(OUTBOX_KEY);
        if (retry.parentNode) retry.remove();
        out.li.remove();
        if (pendingResident > 0) pendingResident--;
        showSending(false);
        if (!out.payload && !input.value.trim()) input.value = out.text;
        showError(S.send_failed, false);
      }
    } finally {
      busy = false;
      flushEarly();
    }
  }
  /** Exponential backoff with jitter (half fixed, half random), never shorter than Retry-After. */
  function backoff(out, err) {
    const step = Math.min(SEND_BACKOFF_MAX_MS, SEND_BACKOFF_MS * 2 ** Math.min(out.attempt, 16));
    out.attempt++;
    return Math.max(step / 2 + Math.random() * step / 2, err.retryAfter || 0);
  }
  /** After a reload: the message that was on its way is shown again and sent again (same client_id). */
  function resumeOutbox() {
    const saved = store.get(OUTBOX_KEY);
    if (!saved || typeof saved.text !== "string" || !saved.clientId || outgoing) return;
    outgoing = { text: saved.text, payload: saved.payload || null, clientId: saved.clientId, attempt: 0, timer: null };
    // Already stored before the reload (its answer had not come): the transcript shows it last.
    const last = list.lastElementChild;
    if (last && last.classList.contains("resident") && last.querySelector(".text").textContent === saved.text) outgoing.li = last;
    else { outgoing.li = render({ sender: "resident", text: saved.text }); pendingResident++; }
    showSending(true);
    markDelivery(outgoing.li, "sending");
    attemptSend();
  }

  async function updateSettings(body) {
    try {
      await enqueue(async () => {
        await ensureConversation();
        await api(`/api/conversations/${conv.id}`, { method: "PATCH", body });
      });
    } catch (err) { say(err.message); }
  }

  async function resume() {
    if (!conv) return;
    try {
      const t = await api(`/api/conversations/${conv.id}/messages?after=0`);
      // Earlier messages are put back quietly: the live region announces only what is new.
      log.setAttribute("aria-live", "off");
      for (const m of t.messages) { render(m); lastId = m.id; }
      const c = t.conversation;
      easy.checked = c.easy_read;
      if (c.easy_read) { langSelect.value = "sv"; await setUiLanguage("sv", true); }
      else if (c.language && languages[c.language]) { langSelect.value = c.language; await setUiLanguage(c.language, false); }
      setConvState(c.state);
      endBtn.hidden = false;
      startLive();
    } catch (err) {
      if (err.status === 404 || err.status === 401) forget();
      else { endBtn.hidden = false; offline(); scheduleReconnect(); }
    } finally {
      setTimeout(() => log.setAttribute("aria-live", "polite"), 0);
    }
  }

  // ---- open, close, focus
  function open(focus = true) {
    dialog.hidden = false;
    launcher.hidden = true;
    launcher.setAttribute("aria-expanded", "true");
    root.classList.add("is-open");
    prefs.open = true; savePrefs();
    if (focus) input.focus();
    if (list.lastElementChild) reveal(list.lastElementChild);
  }
  function close() {
    hideConfirm(false);
    dialog.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    root.classList.remove("is-open");
    prefs.open = false; savePrefs();
    launcher.focus();
  }
  function showConfirm() { confirmBox.hidden = false; confirmNo.focus(); }
  function hideConfirm(refocus = true) { if (confirmBox.hidden) return; confirmBox.hidden = true; if (refocus) endBtn.focus(); }

  async function endConversation() {
    confirmBox.hidden = true;
    if (conv) {
      try { await api(`/api/conversations/${conv.id}`, { method: "DELETE" }); }
      catch (err) { if (err.status !== 404) { say(err.message); endBtn.focus(); return; } }
    }
    if (outgoing) { clearTimeout(outgoing.timer); outgoing = null; store.remove(OUTBOX_KEY); showSending(false); }
    forget();
    list.replaceChildren();
    clearError();
    input.value = "";
    say(S.ended);
    input.focus();
  }

  // ---- text size
  function updateSizeButtons() {
    const i = SCALES.indexOf(prefs.scale);
    root.style.setProperty("--bh-scale", String(prefs.scale));
    smaller.setAttribute("aria-disabled", String(i <= 0));
    larger.setAttribute("aria-disabled", String(i >= SCALES.length - 1));
  }
  function resize(step) {
    const i = Math.max(0, SCALES.indexOf(prefs.scale));
    const next = SCALES[Math.min(SCALES.length - 1, Math.max(0, i + step))];
    if (next === prefs.scale) return;
    prefs.scale = next; savePrefs();
    updateSizeButtons();
    say(`${S.text_size} ${Math.round(next * 100)} %`);
  }

  // ---- events
  launcher.addEventListener("click", () => open());
  closeBtn.addEventListener("click", close);
  dialog.addEventListener("keydown", (e) => {
    if (e.key !== "Escape" || e.defaultPrevented) return;
    e.preventDefault();
    if (!confirmBox.hidden) hideConfirm(); else close();
  });
  form.addEventListener("submit", (e) => { e.preventDefault(); sendMessage(input.value); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(input.value); }
  });
  retry.addEventListener("click", () => { if (outgoing) attemptSend(); });  // now, not at the next scheduled try
  langSelect.addEventListener("change", async () => {
    const code = langSelect.value;
    const body = { language: code };
    if (easy.checked && code !== "sv") { easy.checked = false; body.easy_read = false; }  // easy-to-read is Swedish
    const saved = updateSettings(body);
    await setUiLanguage(code, easy.checked);
    await saved;
  });
  easy.addEventListener("change", async () => {
    if (easy.checked) langSelect.value = "sv";
    const saved = updateSettings({ easy_read: easy.checked });
    await setUiLanguage("sv", easy.checked);
    await saved;
  });
  smaller.addEventListener("click", () => resize(-1));
  larger.addEventListener("click", () => resize(1));
  endBtn.addEventListener("click", showConfirm);
  confirmNo.addEventListener("click", () => hideConfirm());
  confirmYes.addEventListener("click", endConversation);
  contactForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    const value = contactInput.value.trim();
    const fail = () => {
      contactError.textContent = S.contact_failed; contactError.hidden = false;
      contactInput.setAttribute("aria-invalid", "true");
      contactInput.setAttribute("aria-describedby", "chat-contact-hint chat-contact-error");
      contactInput.focus();
    };
    if (!value || !conv || busy) { if (!busy) fail(); return; }
    busy = true;  // the confirmation also comes over the stream: hold that copy until this one is shown
    try {
      const msg = await enqueue(() => api(`/api/conversations/${conv.id}/contact`, { method: "POST", body: { contact: value } }));
      contactError.hidden = true; contactInput.removeAttribute("aria-invalid");
      contactInput.setAttribute("aria-describedby", "chat-contact-hint");
      contactInput.value = "";
      prefs.contactLeft = true; savePrefs();
      render(msg); if (!msg.id) pending.push(msg.text);
      setConvState(convState);
      input.focus();
    } catch (err) {
      if (err.status === 422) fail(); else say(err.message);
    } finally {
      busy = false;
      flushEarly();
    }
  });

  // ---- start: styles first (nothing unstyled is shown), then languages and strings, then resume
  let styled;
  const styleReady = new Promise((resolve) => { styled = resolve; });
  sheet.addEventListener("load", () => styled());
  sheet.addEventListener("error", () => styled());
  document.body.append(host);

  (async () => {
    const langs = await api("/api/languages", { auth: false });
    for (const l of langs) {
      languages[l.code] = l;
      langSelect.append(h("option", { value: l.code, lang: l.code, dir: l.dir }, l.name));
    }
    const start = languages[cfg.language] ? cfg.language : "sv";
    const easyStart = cfg.easyRead && start === "sv";
    langSelect.value = start;
    easy.checked = easyStart;
    await setUiLanguage(start, easyStart);
    await styleReady;
    root.hidden = false;
    if (conv) await resume();
    resumeOutbox();
    if (prefs.open) open(false);
    root.dataset.ready = "true";
  })().catch((err) => console.error("Bibliotekshjälpen could not start:", err));
})();
