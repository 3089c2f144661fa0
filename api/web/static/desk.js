// The staff desk: the shared queue, one ticket at a time, live updates over server-sent events.
// No framework; every text from the API is set with textContent.
(() => {
  "use strict";
  const $ = (id) => document.getElementById(id);
  const loginView = $("login-view"), deskView = $("desk-view"), loginForm = $("login-form"), loginError = $("login-error");
  const whoami = $("whoami"), logoutBtn = $("logout"), statusEl = $("desk-status");
  const queueList = $("queue-list"), queueCount = $("queue-count");
  const filterState = $("filter-state"), filterLibrary = $("filter-library"), filterLanguage = $("filter-language");
  const filterChannel = $("filter-channel"), filterSort = $("filter-sort");
  const ticketTitle = $("ticket-title"), ticketEmpty = $("ticket-empty"), ticketBody = $("ticket-body"), meta = $("ticket-meta");
  const transcript = $("transcript"), transcriptBox = $("transcript-box");
  const replyForm = $("reply-form"), replyText = $("reply-text"), topicSelect = $("topic-select"), insertBtn = $("insert-answer");
  const noteForm = $("note-form"), noteText = $("note-text"), notesList = $("notes-list");
  const transferForm = $("transfer-form"), transferLibrary = $("transfer-library");

  const STATES = { waiting: "Väntar", with_staff: "Pågår", resolved: "Löst", closed: "Tillbaka hos boten" };
  const CHANNELS = { web: "Webbchatt", sms: "SMS" };
  const CHANNEL_ICONS = { web: "💬", sms: "📱" };  // decoration: the channel's name is always written out
  const SMS_STATES = { queued: "väntar på att skickas", sending: "skickas", sent: "skickat", delivered: "levererat",
    failed: "kunde inte skickas", suppressed: "skickas inte (numret har skrivit STOPP)" };
  const SENDERS = { resident: "Invånaren", bot: "Bibliotekshjälpen (bot)", staff: "Personal", system: "Händelse" };
  let me = null, csrf = null, events = null;
  let languages = {}, libraries = {};
  let current = null;            // the open ticket's detail
  let shownMessages = new Set(); // message ids shown in the open ticket
  let knownTickets = null;       // ticket ids seen in the queue, to announce new ones
  let loaded = false;

  function readCookie(name) {
    const m = document.cookie.split("; ").find((c) => c.startsWith(name + "="));
    return m ? decodeURIComponent(m.slice(name.length + 1)) : null;
  }

  async function api(path, options = {}) {
    const headers = { "Content-Type": "application/json" };
    if (options.method && options.method !== "GET") headers["X-CSRF-Token"] = csrf || readCookie("bh_csrf") || "";
    const resp = await fetch(path, { credentials: "same-origin", ...options, headers });
    if (!resp.ok) {
      const body = await resp.json().catch(() => ({}));
      // 4xx: detail is a sentence; 422: a list of {loc, msg, type} (plain-language msg).
      const detail = Array.isArray(body.detail) ? body.detail.map((d) => d && d.msg).filter(Boolean).join(" ")
        : body.detail;
      const err = new Error(typeof detail === "string" && detail ? detail : resp.statusText);
      err.status = resp.status;
      if (resp.status === 401 && me) showLogin("Du är utloggad. Logga in igen.");
      throw err;
    }
    return resp.status === 204 ? null : resp.json();
  }

  function announce(text) {
    statusEl.textContent = "";
    // A fresh text node so screen readers announce the same words again.
    setTimeout(() => { statusEl.textContent = text; }, 50);
  }

  const langName = (code) => (code && languages[code] ? `${languages[code].name} (${code})` : code || "okänt");
  const libName = (id) => (id && libraries[id] ? libraries[id].name : id || "inget bibliotek");
  function age(seconds) {
    if (seconds < 60) return "under 1 min";
    if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
    if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
    return `${Math.floor(seconds / 86400)} d`;
  }
  function el(tag, props = {}, text) {
    const e = document.createElement(tag);
    Object.assign(e, props);
    if (text !== undefined) e.textContent = text;
    return e;
  }

  // ---- login and logout --------------------------------------------------------------------

  function showLogin(message) {
    me = null; csrf = null;
    if (events) { events.close(); events = null; }
    deskView.hidden = true; loginView.hidden = false; logoutBtn.hidden = true;
    whoami.textContent = "";
    current = null;
    loginError.textContent = message || "";
    $("login-email").focus();
  }

  async function showDesk(staff) {
    me = staff;
    csrf = csrf || readCookie("bh_csrf");
    loginView.hidden = true; deskView.hidden = false; logoutBtn.hidden = false;
    whoami.textContent = `Inloggad som ${staff.name} (${libName(staff.library)}; språk: ${staff.languages.join(", ") || "–"})`;
    await loadLookups();
    await loadQueue();
    connectEvents();
    $("queue-title").focus();
  }

  loginForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    loginError.textContent = "";
    const email = $("login-email").value.trim(), password = $("login-password").value;
    if (!email || !password) { loginError.textContent = "Fyll i e-postadress och lösenord."; return; }
    try {
      const out = await api("/api/staff/login", { method: "POST", body: JSON.stringify({ email, password }) });
      csrf = out.csrf_token;
      $("login-password").value = "";
      await showDesk(out.staff);
      announce(`Inloggad som ${out.staff.name}.`);
    } catch (err) {
      loginError.textContent = err.status === 401 ? "Fel e-postadress eller lösenord." : "Inloggningen misslyckades: " + err.message;
    }
  });

  logoutBtn.addEventListener("click", async () => {
    try { await api("/api/staff/logout", { method: "POST" }); } catch (err) { /* already logged out */ }
    showLogin("Du har loggat ut.");
  });

  // ---- menus ----------------------------------------------------------------------------------

  async function loadLookups() {
    if (loaded) return;
    const [langs, libs, topics] = await Promise.all([
      api("/api/languages"), api("/api/libraries"), api("/api/staff/topics?language=sv"),
    ]);
    for (const l of langs) {
      languages[l.code] = l;
      const o = el("option", { value: l.code }, `${l.name} (${l.code})`);
      o.lang = l.code;
      filterLanguage.append(o);
    }
    for (const l of libs) {
      libraries[l.id] = l;
      filterLibrary.append(el("option", { value: l.id }, l.name));
      transferLibrary.append(el("option", { value: l.id }, l.name));
    }
    for (const t of topics) topicSelect.append(el("option", { value: t.topic }, `${t.title} (${t.topic})`));
    loaded = true;
  }

  // ---- the queue --------------------------------------------------------------------------------

  function queueQuery() {
    const q = new URLSearchParams();
    if (filterState.value) q.set("state", filterState.value);
    if (filterLibrary.value) q.set("library", filterLibrary.value);
    if (filterLanguage.value) q.set("language", filterLanguage.value);
    if (filterChannel.value) q.set("channel", filterChannel.value);
    q.set("sort", filterSort.value || "age");
    return q.toString();
  }

  async function loadQueue({ announceNew = false } = {}) {
    let list;
    try { list = (await api("/api/staff/tickets?" + queueQuery())).tickets; }
    catch (err) { if (me) announce("Kön kunde inte hämtas: " + err.message); return; }
    const focusedId = document.activeElement?.dataset?.ticketId;
    queueList.replaceChildren();
    for (const t of list) queueList.append(queueItem(t));
    queueCount.textContent = list.length === 1 ? "1 ärende" : `${list.length} ärenden`;
    if (focusedId) queueList.querySelector(`[data-ticket-id="${focusedId}"]`)?.focus();
    const ids = new Set(list.map((t) => t.id));
    if (announceNew && knownTickets) {
      const fresh = list.filter((t) => !knownTickets.has(t.id));
      if (fresh.length) {
        const t = fresh[0];
        announce(`Nytt ärende #${t.id} i kön: ${langName(t.language)}, ${libName(t.responsible_library)}`
          + (t.speaks_language ? ", ett språk du talar." : "."));
      }
    }
    knownTickets = knownTickets ? new Set([...knownTickets, ...ids]) : ids;
  }

  function queueItem(t) {
    const li = el("li");
    const b = el("button", { type: "button", className: "ticket-item" });
    b.dataset.ticketId = t.id;
    b.dataset.conversationId = t.conversation_id;
    b.dataset.state = t.state;
    if (current && current.ticket.id === t.id) b.setAttribute("aria-current", "true");
    const line1 = el("span", { className: "line1" }, `#${t.id} · ${STATES[t.state] || t.state} · ${langName(t.language)}`);
    if (t.speaks_language) {
      b.classList.add("speaks");
      line1.append(el("span", { className: "badge speaks" }, "Du talar språket"));
    }
    const parts = [libName(t.responsible_library), CHANNELS[t.channel] || t.channel, "ämne: " + (t.topic || "inget"),
      "väntat " + age(t.age_seconds)];
    parts.push(t.assignee ? "hos " + t.assignee.name : "ingen har tagit det");
    if (t.has_contact) parts.push("kontaktuppgift lämnad");
    if (t.phone) parts.splice(2, 0, t.phone);  // masked in the queue
    const line2 = el("span", { className: "line2" });
    const icon = el("span", { className: "channel-icon" }, (CHANNEL_ICONS[t.channel] || "") + " ");
    icon.setAttribute("aria-hidden", "true");
    line2.append(icon, document.createTextNode(parts.join(" · ")));
    b.append(line1, line2);
    b.addEventListener("click", () => openTicket(t.id, { focus: true }));
    li.append(b);
    return li;
  }

  for (const f of [filterState, filterLibrary, filterLanguage, filterChannel, filterSort]) {
    f.addEventListener("change", () => loadQueue());
  }
  $("filters").addEventListener("submit", (e) => { e.preventDefault(); loadQueue(); });

  // ---- one ticket ------------------------------------------------------------------------------

  function renderMessage(m) {
    if (shownMessages.has(m.id)) return;
    shownMessages.add(m.id);
    const li = el("li", { className: m.sender });
    li.dataset.id = m.id;
    if (m.kind) li.dataset.kind = m.kind;
    if (m.language) { li.lang = m.language; li.dir = languages[m.language] ? languages[m.language].dir : "auto"; }
    else li.dir = "auto";
    const who = el("span", { className: "who" }, SENDERS[m.sender] || m.sender);
    who.lang = "sv"; who.dir = "ltr";
    li.append(who, document.createTextNode(m.text));
    const details = [];
    if (m.kind && m.sender !== "resident") details.push("typ: " + m.kind);
    if (m.topic) details.push("ämne: " + m.topic);
    if (m.language) details.push("språk: " + langName(m.language));
    if (m.event) details.push("händelse: " + m.event);
    if (m.created_at) details.push(new Date(m.created_at).toLocaleTimeString("sv-SE", { hour: "2-digit", minute: "2-digit" }));
    if (details.length) {
      const d = el("span", { className: "detail" }, details.join(" · "));
      d.lang = "sv"; d.dir = "ltr";
      li.append(d);
    }
    transcript.append(li);
    transcriptBox.scrollTop = transcriptBox.scrollHeight;
  }

  function renderNote(n) {
    if (notesList.querySelector(`[data-id="${n.id}"]`)) return;
    const li = el("li");
    li.dataset.id = n.id;
    const who = el("span", { className: "who" }, `${n.author ? n.author.name : "Okänd"}, ${new Date(n.created_at).toLocaleString("sv-SE")}: `);
    li.append(who, document.createTextNode(n.text));
    notesList.append(li);
  }

  function renderMeta(d) {
    const t = d.ticket, c = d.conversation;
    const rows = [
      ["Status", STATES[t.state] || t.state],
      ["Språk", langName(t.language) + (c.language_locked ? " (valt av invånaren)" : " (upptäckt)") + (t.speaks_language ? " – du talar språket" : "")],
      ["Ämne", t.topic || "inget ämne"],
      ["Bibliotek", libName(t.library) + (t.transferred_to ? ` → överfört till ${libName(t.transferred_to)}` : "")],
      ["Kanal", CHANNELS[t.channel] || t.channel],
      ...(d.phone ? [["Telefon", d.phone + (d.phone.includes("•") ? " (hela numret visas för den som har ärendet)" : "")]] : []),
      ["Handläggare", t.assignee ? `${t.assignee.name}${me && t.assignee.id === me.id ? " (du)" : ""}` : "ingen"],
      ["Väntat", age(t.age_seconds)],
    ];
    if (t.has_contact) rows.push(["Kontakt", d.contact || "lämnad (visas för den som har ärendet)"]);
    meta.replaceChildren();
    for (const [k, v] of rows) meta.append(el("dt", {}, k), el("dd", {}, v));
  }

  function updateButtons(t) {
    const mine = me && t.assignee && t.assignee.id === me.id;
    $("act-claim").disabled = !(t.state === "waiting" && !t.assignee);
    $("act-resolve").disabled = !["waiting", "with_staff"].includes(t.state);
    $("act-reopen").disabled = t.state !== "resolved";
    $("act-hand-back").disabled = !["waiting", "with_staff", "resolved"].includes(t.state);
    $("act-transfer").disabled = !["waiting", "with_staff"].includes(t.state);
    $("reply-send").disabled = !(t.state === "with_staff" && mine);
    $("reply-send").title = $("reply-send").disabled ? "Ta ärendet först för att svara" : "";
  }

  function showDetail(d, { reset }) {
    const sameTicket = current && current.ticket.id === d.ticket.id;
    current = d;
    ticketEmpty.hidden = true; ticketBody.hidden = false;
    ticketTitle.textContent = `Ärende #${d.ticket.id}`;
    renderMeta(d);
    updateButtons(d.ticket);
    if (reset || !sameTicket) {
      transcript.replaceChildren(); shownMessages = new Set();
      notesList.replaceChildren();
      replyText.value = ""; noteText.value = "";
      if (d.ticket.topic && topicSelect.querySelector(`option[value="${CSS.escape(d.ticket.topic)}"]`)) topicSelect.value = d.ticket.topic;
      replyText.lang = d.ticket.language;
    }
    for (const m of d.messages) renderMessage(m);
    for (const n of d.notes) renderNote(n);
    loadSms(d.ticket);
    for (const b of queueList.querySelectorAll("button.ticket-item")) {
      if (Number(b.dataset.ticketId) === d.ticket.id) b.setAttribute("aria-current", "true");
      else b.removeAttribute("aria-current");
    }
  }

  // The texts sent to an SMS resident (with the console provider: what would have been sent).
  async function loadSms(t) {
    const section = $("sms-section"), list = $("sms-list");
    section.hidden = t.channel !== "sms";
    if (section.hidden) return;
    try {
      const rows = await api(`/api/staff/tickets/${t.id}/sms`);
      if (!current || current.ticket.id !== t.id) return;
      list.replaceChildren(...rows.map((r) => {
        const li = el("li");
        const when = new Date(r.sent_at || r.created_at).toLocaleString("sv-SE");
        const info = `${SMS_STATES[r.status] || r.status} · ${when} · ${r.segments} sms-del${r.segments === 1 ? "" : "ar"}`;
        li.append(el("span", { className: "who" }, info + (r.last_error ? ` (${r.last_error})` : "") + ": "),
          document.createTextNode(r.text));
        return li;
      }));
      if (!rows.length) list.append(el("li", {}, "Inga sms ännu."));
    } catch (err) { announce("Sms-listan kunde inte hämtas: " + err.message); }
  }

  async function openTicket(id, { focus = false } = {}) {
    try {
      const d = await api(`/api/staff/tickets/${id}`);
      showDetail(d, { reset: true });
      if (focus) ticketTitle.focus();
    } catch (err) { announce(`Ärende #${id} kunde inte öppnas: ${err.message}`); }
  }

  async function refreshTicket() {
    if (!current) return;
    try { showDetail(await api(`/api/staff/tickets/${current.ticket.id}`), { reset: false }); }
    catch (err) { announce("Ärendet kunde inte uppdateras: " + err.message); }
  }

  const ACTION_DONE = { claim: "Du har tagit ärendet.", resolve: "Ärendet är löst.", reopen: "Ärendet är öppnat igen.",
    "hand-back": "Ärendet är tillbaka hos boten." };
  for (const b of document.querySelectorAll(".actions button[data-action]")) {
    b.addEventListener("click", async () => {
      if (!current) return;
      const action = b.dataset.action, id = current.ticket.id;
      try {
        await api(`/api/staff/tickets/${id}/${action}`, { method: "POST" });
        announce(ACTION_DONE[action]);
      } catch (err) { announce(`Det gick inte: ${err.message}`); }
      await refreshTicket();
      await loadQueue();
      if (!b.disabled) b.focus(); else ticketTitle.focus();
    });
  }

  transferForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!current || !transferLibrary.value) return;
    try {
      await api(`/api/staff/tickets/${current.ticket.id}/transfer`, { method: "POST", body: JSON.stringify({ library: transferLibrary.value }) });
      announce(`Ärendet är överfört till ${libName(transferLibrary.value)}.`);
    } catch (err) { announce(`Överföringen gick inte: ${err.message}`); }
    await refreshTicket();
    await loadQueue();
  });

  insertBtn.addEventListener("click", async () => {
    if (!current) return;
    const topic = topicSelect.value;
    try {
      const s = await api(`/api/staff/tickets/${current.ticket.id}/suggestion?topic=${encodeURIComponent(topic)}`);
      replyText.value = s.text;
      replyText.lang = s.language;
      replyText.dir = languages[s.language] ? languages[s.language].dir : "auto";
      replyText.focus();
      announce(`Utkast infogat: ${s.title} (${langName(s.language)}). Granska innan du skickar.`);
    } catch (err) { announce("Inget färdigt svar: " + err.message); }
  });

  replyForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!current) return;
    const text = replyText.value.trim();
    if (!text) { announce("Skriv ett svar först."); replyText.focus(); return; }
    try {
      const m = await api(`/api/staff/tickets/${current.ticket.id}/reply`, { method: "POST", body: JSON.stringify({ text }) });
      renderMessage(m);
      replyText.value = "";
      announce("Svaret är skickat.");
    } catch (err) { announce("Svaret kunde inte skickas: " + err.message); }
    replyText.focus();
  });

  noteForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (!current) return;
    const text = noteText.value.trim();
    if (!text) { announce("Skriv en anteckning först."); noteText.focus(); return; }
    try {
      const n = await api(`/api/staff/tickets/${current.ticket.id}/notes`, { method: "POST", body: JSON.stringify({ text }) });
      renderNote(n);
      noteText.value = "";
      announce("Den interna anteckningen är sparad.");
    } catch (err) { announce("Anteckningen kunde inte sparas: " + err.message); }
  });

  // ---- live updates ------------------------------------------------------------------------------

  function connectEvents() {
    if (events) events.close();
    events = new EventSource("/api/staff/events");
    events.addEventListener("ready", () => { loadQueue({ announceNew: true }); refreshTicket(); });
    events.addEventListener("ticket", (e) => {
      const data = JSON.parse(e.data);
      loadQueue({ announceNew: true });
      if (current && data.ticket && data.ticket.id === current.ticket.id) refreshTicket();
    });
    events.addEventListener("message", (e) => {
      const data = JSON.parse(e.data);
      if (current && data.ticket_id === current.ticket.id && !shownMessages.has(data.message.id)) {
        renderMessage(data.message);
        if (data.message.sender === "resident") announce(`Nytt meddelande från invånaren i ärende #${data.ticket_id}.`);
      }
    });
    events.addEventListener("note", (e) => {
      const data = JSON.parse(e.data);
      if (current && data.ticket_id === current.ticket.id) renderNote(data.note);
    });
    events.addEventListener("logout", () => showLogin("Din inloggning har gått ut. Logga in igen."));
  }

  // ---- start: a reloaded desk finds its session -------------------------------------------------

  (async () => {
    try {
      const staff = await api("/api/staff/me");
      await showDesk(staff);
    } catch (err) {
      showLogin("");
    }
  })();
})();
