// The coordinators' editor at /content: login, the lookups every view needs, hash routing.
// No framework, no build step; every text from the API is set with textContent.
import { ApiError, api, setCsrf, whenUnauthorized } from "./api.js";
import { $, announce, el, libName, store } from "./common.js";
import * as changes from "./changes.js";
import * as editor from "./editor.js";
import * as entries from "./entries.js";
import * as insights from "./insights.js";
import * as io from "./io.js";
import * as needs from "./needs.js";
import * as texts from "./texts.js";
import * as tryIt from "./try.js";

const SITE = "Bibliotekshjälpen för samordnare";
// #/entries/loan.fees?version=solna&lang=so: the path picks the view, the query its state.
const ROUTES = [
  { pattern: /^\/entries\/([^/?]+)$/, view: editor, nav: "entries" },
  { pattern: /^\/entries$/, view: entries, nav: "entries" },
  { pattern: /^\/texts$/, view: texts, nav: "texts" },
  { pattern: /^\/try$/, view: tryIt, nav: "try" },
  { pattern: /^\/needs$/, view: needs, nav: "needs" },
  { pattern: /^\/insights$/, view: insights, nav: "insights" },
  { pattern: /^\/import$/, view: io, nav: "import" },
  { pattern: /^\/changes$/, view: changes, nav: "changes" },
];

let signedIn = false;
let current = null;  // the view shown

function parseHash() {
  const raw = location.hash.replace(/^#/, "") || "/entries";
  const [path, query = ""] = raw.split("?");
  return { path, params: new URLSearchParams(query) };
}

async function route() {
  if (!signedIn) return;
  // A fragment that is not a route (an in-page link such as the skip link's #main) changes nothing.
  if (location.hash && !location.hash.startsWith("#/") && current) return;
  const { path, params } = location.hash.startsWith("#/") ? parseHash() : { path: "/entries", params: new URLSearchParams() };
  let match = null, view = null, nav = null;
  for (const r of ROUTES) {
    match = path.match(r.pattern);
    if (match) { view = r.view; nav = r.nav; break; }
  }
  if (current && current.leave) current.leave();
  for (const s of document.querySelectorAll("main > .view")) s.hidden = true;
  for (const a of document.querySelectorAll("#nav a")) {
    if (a.dataset.view === nav) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  if (!view) {
    current = null;
    $("view-missing").hidden = false;
    document.title = `Sidan finns inte – ${SITE}`;
    $("missing-title").focus();
    return;
  }
  current = view;
  const section = $(view.SECTION);
  section.hidden = false;
  section.setAttribute("aria-busy", "true");
  let title = view.TITLE;
  try {
    title = (await view.show(match.slice(1).map(decodeURIComponent), params)) || view.TITLE;
  } catch (err) {
    announce(`${view.TITLE} kunde inte visas: ${err.message}`);
  } finally {
    section.removeAttribute("aria-busy");
  }
  if (current !== view) return;  // the coordinator moved on meanwhile
  document.title = `${title} – ${SITE}`;
  section.querySelector("h2")?.focus();
}

// ---- login and logout -----------------------------------------------------------------------

function showLogin(message) {
  signedIn = false;
  setCsrf(null);
  $("login-view").hidden = false;
  $("nav").hidden = true;
  $("logout").hidden = true;
  $("whoami").textContent = "";
  for (const s of document.querySelectorAll("main > .view")) s.hidden = true;
  $("login-error").textContent = message || "";
  document.title = `Logga in – ${SITE}`;
  $("login-email").focus();
}

/** After a login (or a reload with a session): only coordinators and admins get in. */
async function enter() {
  let meta;
  try {
    meta = await api("/api/curation/meta");
  } catch (err) {
    if (err.status === 403) {
      // A desk account: logged in, but not for this. End the session so another can log in.
      try { await api("/api/staff/logout", { method: "POST" }); } catch { /* already gone */ }
      showLogin("Ditt konto är ett personalkonto för chattdisken och kan inte redigera innehållet. "
        + "Innehållet redigeras av samordnare och administratörer. Logga in med ett sådant konto, eller be en administratör om behörighet.");
      return false;
    }
    if (err.status === 401) { showLogin(""); return false; }
    throw err;
  }
  const [languages, libraries] = await Promise.all([api("/api/languages"), api("/api/libraries")]);
  store.meta = meta;
  store.languages = Object.fromEntries(languages.map((l) => [l.code, l]));
  store.libraries = Object.fromEntries(meta.libraries.map((l) => [l.id, l]));
  for (const l of libraries) store.libraries[l.id] = { ...store.libraries[l.id], ...l };
  signedIn = true;
  $("login-view").hidden = true;
  $("nav").hidden = false;
  $("logout").hidden = false;
  const role = { coordinator: "samordnare", admin: "administratör" }[meta.me.role] || meta.me.role;
  $("whoami").textContent = `${meta.me.name}, ${role} (${libName(meta.me.library)}; språk: ${meta.me.languages.join(", ") || "–"})`;
  return true;
}

$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const email = $("login-email"), password = $("login-password"), error = $("login-error");
  error.textContent = "";
  email.removeAttribute("aria-invalid");
  password.removeAttribute("aria-invalid");
  if (!email.value.trim() || !password.value) {
    error.textContent = "Fyll i e-postadress och lösenord.";
    (email.value.trim() ? password : email).setAttribute("aria-invalid", "true");
    (email.value.trim() ? password : email).focus();
    return;
  }
  $("login-submit").disabled = true;
  try {
    const out = await api("/api/staff/login", { method: "POST", json: { email: email.value.trim(), password: password.value } });
    setCsrf(out.csrf_token);
    password.value = "";
    if (await enter()) {
      announce(`Inloggad som ${out.staff.name}.`);
      if (!location.hash.startsWith("#/")) location.hash = "#/entries";
      else await route();
    }
  } catch (err) {
    if (err.status === 401) {
      error.textContent = "Fel e-postadress eller lösenord.";
      password.setAttribute("aria-invalid", "true");
    } else {
      error.replaceChildren(document.createTextNode("Inloggningen misslyckades: "), el("span", { lang: "en" }, err.message));
    }
  } finally {
    $("login-submit").disabled = false;
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("/api/staff/logout", { method: "POST" }); } catch { /* already logged out */ }
  showLogin("Du har loggat ut.");
});

whenUnauthorized(() => { if (signedIn) showLogin("Din inloggning har gått ut. Logga in igen."); });
window.addEventListener("hashchange", route);
// The skip link moves focus to the main content without touching the route in the address.
document.querySelector(".skip").addEventListener("click", (e) => {
  e.preventDefault();
  $("main").focus();
});

// Start: a reloaded editor finds its session.
(async () => {
  try {
    await api("/api/staff/me");
  } catch (err) {
    showLogin(err instanceof ApiError && err.status === 401 ? "" : `Servern svarar inte: ${err.message}`);
    return;
  }
  try {
    if (await enter()) await route();
  } catch (err) {
    showLogin(`Innehållet kunde inte laddas: ${err.message}`);
  }
})();
