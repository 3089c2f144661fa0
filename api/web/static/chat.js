// Demo chat: talks only to the API (never to Rasa). Text is always set with textContent.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const log = $("chat-messages"), form = $("chat-form"), input = $("chat-input"), send = $("chat-send");
  const status = $("chat-status"), langSelect = $("chat-language"), easy = $("chat-easy"), libSelect = $("chat-library");
  const chat = document.querySelector(".chat");
  const KEY = "bibliotekshjalpen.conversation";
  let conv = JSON.parse(sessionStorage.getItem(KEY) || "null");
  let languages = {};
  let lastId = 0;
  let busy = false;
  // Live updates: new transcript messages (staff replies, state events) arrive over server-sent
  // events, or by polling ?after= when the stream fails. Messages this page already shows without
  // an id (the resident's own, and the replies the POST returned) are matched, not shown twice.
  let pendingResident = 0;  // own messages shown but not yet seen with their transcript id
  let pending = [];         // texts of POST replies shown but not yet seen with their id
  let early = [];           // live messages that arrived while a POST was in flight
  let stream = null, poller = null;
  let queue = Promise.resolve();  // API calls that change the conversation run one after another
  const enqueue = (fn) => { const p = queue.then(fn); queue = p.catch(() => {}); return p; };

  async function api(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (conv) headers.Authorization = "Bearer " + conv.token;
    const resp = await fetch(path, { ...options, headers });
    if (!resp.ok) {
      const body = await resp.json().catch(() => ({}));
      const err = new Error(body.detail || resp.statusText);
      err.status = resp.status;
      throw err;
    }
    return resp.status === 204 ? null : resp.json();
  }

  // The chat turns right to left for Arabic and Persian. Its own labels stay Swedish, so only the
  // messages carry the language they are written in (lang on the section would mislabel the labels).
  function setDirection(code) {
    const lang = languages[code];
    chat.dir = lang ? lang.dir : "ltr";
  }

  function render(msg) {
    const li = document.createElement("li");
    const sender = msg.sender || (msg.kind === "staff" ? "staff" : "bot");
    li.className = sender;
    if (msg.kind) li.dataset.kind = msg.kind;
    if (msg.topic) li.dataset.topic = msg.topic;
    if (msg.language) { li.lang = msg.language; li.dir = languages[msg.language] ? languages[msg.language].dir : "auto"; }
    else li.dir = "auto";  // the resident's own text, in whatever language and direction they wrote it
    const who = document.createElement("span");
    who.className = "who";
    who.lang = "sv"; who.dir = "ltr";  // a Swedish label; with its own dir, dir="auto" looks past it to the message
    who.textContent = sender === "resident" ? "Du" : sender === "staff" ? "Bibliotekarie" : "Bibliotekshjälpen";
    li.append(who, document.createTextNode(msg.text));
    if (msg.topic) {
      const t = document.createElement("span");
      t.className = "topic";
      t.lang = "sv"; t.dir = "ltr";
      t.textContent = "Svar från: " + msg.topic;
      li.append(t);
    }
    if (msg.buttons && msg.buttons.length) {
      const box = document.createElement("div");
      box.className = "buttons";
      for (const b of msg.buttons) {
        const btn = document.createElement("button");
        btn.type = "button";
        btn.className = "quick";
        btn.textContent = b.title;
        btn.addEventListener("click", () => sendMessage(b.title, b.payload));
        box.append(btn);
      }
      li.append(box);
    }
    log.append(li);
    li.scrollIntoView({ block: "nearest" });
  }

  function receive(m) {  // a transcript message (with its id) from the stream or the poll
    if (m.id <= lastId) return;
    if (busy) { if (!early.some((e) => e.id === m.id)) early.push(m); return; }
    lastId = m.id;
    if (m.sender === "resident") {
      if (pendingResident > 0) { pendingResident--; return; }
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

  function stopLive() {
    if (stream) { stream.close(); stream = null; }
    if (poller) { clearInterval(poller); poller = null; }
  }

  function startLive() {
    if (!conv || stream || poller) return;
    if (typeof EventSource === "undefined") { startPolling(); return; }
    const url = `/api/conversations/${conv.id}/events?token=${encodeURIComponent(conv.token)}&after=${lastId}`;
    stream = new EventSource(url);
    stream.addEventListener("message", (e) => receive(JSON.parse(e.data)));
    stream.addEventListener("state", (e) => { chat.dataset.state = JSON.parse(e.data).state; });
    stream.addEventListener("ready", (e) => { chat.dataset.state = JSON.parse(e.data).state; });
    stream.addEventListener("gone", () => { stopLive(); sessionStorage.removeItem(KEY); conv = null; });
    stream.addEventListener("error", () => { if (stream) { stream.close(); stream = null; startPolling(); } });
  }

  function startPolling() {
    if (poller || !conv) return;
    poller = setInterval(async () => {
      if (!conv) { stopLive(); return; }
      if (busy) return;
      try {
        const t = await api(`/api/conversations/${conv.id}/messages?after=${lastId}`);
        for (const m of t.messages) receive(m);
      } catch (err) {
        if (err.status === 404) { stopLive(); sessionStorage.removeItem(KEY); conv = null; }
      }
    }, 3000);
  }

  async function ensureConversation() {  // called only inside enqueue, so it creates one conversation
    if (conv) return;
    const body = { channel: "web", locale: langSelect.value || document.documentElement.lang };
    if (libSelect.value) body.library = libSelect.value;
    const created = await api("/api/conversations", { method: "POST", body: JSON.stringify(body) });
    conv = { id: created.id, token: created.token };
    sessionStorage.setItem(KEY, JSON.stringify(conv));
    startLive();
  }

  async function sendMessage(text, payload) {
    text = text.trim();
    if (!text) { status.textContent = "Skriv en fråga först."; input.focus(); return; }
    if (busy) return;  // one message at a time; the button stays focusable (aria-disabled), not disabled
    busy = true;
    send.setAttribute("aria-disabled", "true");
    status.textContent = "Bibliotekshjälpen skriver …";
    try {
      const clientId = crypto.randomUUID ? crypto.randomUUID() : String(Date.now());
      render({ sender: "resident", text });
      pendingResident++;
      const reply = await enqueue(async () => {
        await ensureConversation();
        return api(`/api/conversations/${conv.id}/messages`, {
          method: "POST", body: JSON.stringify({ text, payload: payload || null, client_id: clientId }),
        });
      });
      if (!payload) input.value = "";
      for (const m of reply.messages) { render(m); setDirection(m.language); pending.push(m.text); }
      status.textContent = "";
    } catch (err) {
      if (pendingResident > 0) pendingResident--;
      // The typed text stays in the box, so nothing is lost; the resident can send again.
      status.textContent = "Meddelandet kunde inte skickas (" + err.message + "). Försök igen.";
      if (err.status === 404) { stopLive(); sessionStorage.removeItem(KEY); conv = null; }
    } finally {
      busy = false;
      send.removeAttribute("aria-disabled");
      flushEarly();
    }
  }

  async function resume() {
    if (!conv) return;
    try {
      const t = await api(`/api/conversations/${conv.id}/messages?after=${lastId}`);
      for (const m of t.messages) { render(m); lastId = m.id; }
      if (t.conversation.language) { langSelect.value = t.conversation.language; setDirection(t.conversation.language); }
      easy.checked = t.conversation.easy_read;
      startLive();
    } catch (err) {
      sessionStorage.removeItem(KEY); conv = null;
    }
  }

  async function updateSettings(body) {
    try {
      await enqueue(async () => {
        await ensureConversation();
        await api(`/api/conversations/${conv.id}`, { method: "PATCH", body: JSON.stringify(body) });
      });
    } catch (err) { status.textContent = err.message; }
  }

  form.addEventListener("submit", (e) => { e.preventDefault(); sendMessage(input.value); });
  input.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendMessage(input.value); }
  });
  langSelect.addEventListener("change", () => {
    setDirection(langSelect.value);
    const body = { language: langSelect.value };
    if (easy.checked && langSelect.value !== "sv") { easy.checked = false; body.easy_read = false; }  // easy-to-read is Swedish
    updateSettings(body);
  });
  easy.addEventListener("change", () => {
    if (easy.checked) { langSelect.value = "sv"; setDirection("sv"); }
    updateSettings({ easy_read: easy.checked });
  });

  (async () => {
    const [langs, libs] = await Promise.all([api("/api/languages"), api("/api/libraries")]);
    for (const l of langs) {
      languages[l.code] = l;
      const o = document.createElement("option");
      o.value = l.code; o.textContent = l.name; o.lang = l.code;
      langSelect.append(o);
    }
    for (const l of libs) {
      const o = document.createElement("option");
      o.value = l.id; o.textContent = l.name;
      libSelect.append(o);
    }
    langSelect.value = "sv";
    await resume();
  })();
})();
