// Shared helpers of the browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), the chat widget on the demo host page of a running stack at BASE_URL (or on
// a cross-origin host page served here), axe-core, screenshots.
//
// The widget renders in an open shadow root (#bibliotekshjalpen). Playwright's CSS locators pierce
// open shadow roots, so `page.locator("#chat-input")` finds the widget's box; code that runs in the
// page (waitForFunction, evaluate) goes through `document.querySelector(HOST).shadowRoot`.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "..", "..");
export const SCREENSHOTS = join(ROOT, "var", "test-results", "screenshots");
const AXE_SOURCE = readFileSync(join(HERE, "node_modules", "axe-core", "axe.min.js"), "utf8");
const DEMO = join(ROOT, "api", "web", "static", "demo");

export const BASE_URL = (process.env.BASE_URL || "").replace(/\/+$/, "");
if (!BASE_URL) throw new Error("Set BASE_URL to a running stack, e.g. BASE_URL=http://127.0.0.1:8000");

export const HOST = "#bibliotekshjalpen";
export const SV_QUESTION = "Hur lånar jag om mina böcker?";
export const HANDOFF = {
  sv: "Jag vill prata med en bibliotekarie",
  en: "I want to talk to a librarian",
  ar: "أريد التحدث مع أمين المكتبة",
};
export const DEMO_STAFF = { email: "demo@bibliotek.example", password: "bibliotek-demo" };

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** A page that records script errors, console errors and Content-Security-Policy violations. */
export async function newPage(browser, { width = 1024, height = 900, reducedMotion, contextOptions = {} } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: "sv-SE", reducedMotion, ...contextOptions });
  // Init scripts are injected by the browser, not by the page, so a strict CSP does not block this one.
  await context.addInitScript(() => {
    window.__csp = [];
    document.addEventListener("securitypolicyviolation", (e) => {
      window.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  page.errors = [];
  page.cspConsole = [];
  page.warnings = [];
  page.on("pageerror", (err) => page.errors.push(String(err)));
  page.on("console", (msg) => {
    if (/Content.Security.Policy/i.test(msg.text())) page.cspConsole.push(msg.text());
    if (msg.type() === "warning") page.warnings.push(msg.text());
  });
  return page;
}

/** Wait until the widget has its languages and strings and shows its launcher. */
export async function waitForWidget(page) {
  await page.waitForFunction((host) => {
    const root = document.querySelector(host)?.shadowRoot?.querySelector(".root");
    return root?.dataset.ready === "true" && root.querySelectorAll("#chat-language option").length > 1;
  }, HOST);
}

/** A fresh context (its own sessionStorage) with the demo host page loaded and, unless
 * `open: false`, the chat opened with its launcher. */
export async function openChat(browser, { open = true, url = BASE_URL + "/", ...options } = {}) {
  const page = await newPage(browser, options);
  await page.goto(url);
  await waitForWidget(page);
  if (open) await openWidget(page);
  return page;
}

export async function openWidget(page) {
  if (await page.locator("#chat-dialog").isVisible()) return;
  await page.locator("#chat-launcher").click();
  await page.locator("#chat-dialog").waitFor({ state: "visible" });
  await settled(page);
}

/** Wait until the widget's animations (the dialog fading in) are over: axe measures final colours. */
export async function settled(page) {
  await page.waitForFunction((host) => document.querySelector(host).shadowRoot.getAnimations()
    .every((a) => a.playState !== "running" || a.effect?.getTiming().iterations === Infinity), HOST);
}

/** The element that has focus, looking into shadow roots: [id, tagName]. */
export async function focused(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    return a ? [a.id, a.tagName, (a.textContent || "").trim()] : [null, null, ""];
  });
}

/** Press Tab until the focused element (in the widget or the page) matches `selector`. */
export async function tabTo(page, selector, { max = 60, shift = false } = {}) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press(shift ? "Shift+Tab" : "Tab");
    const hit = await page.evaluate((s) => {
      let a = document.activeElement;
      while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
      return a?.matches(s) ?? false;
    }, selector);
    if (hit) return i;
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

/** How many messages the log shows. */
export async function messageCount(page) {
  return page.locator("#chat-log li").count();
}

/** Wait until the log shows more than `before` messages, the last of them from the assistant
 * (or staff), and the widget is idle again; returns that last reply's locator. */
export async function waitForReply(page, before) {
  await page.waitForFunction(
    ([host, n]) => {
      const root = document.querySelector(host).shadowRoot;
      const items = root.querySelectorAll("#chat-log li");
      const last = items[items.length - 1];
      return items.length > n + 1 && last && !last.classList.contains("resident")
        && !root.getElementById("chat-send").hasAttribute("aria-disabled");
    },
    [HOST, before],
  );
  return page.locator("#chat-log li").last();
}

/** Type a question in the box and send it with Enter, as a keyboard user does. */
export async function ask(page, text) {
  const before = await messageCount(page);
  await page.locator("#chat-input").focus();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  return waitForReply(page, before);
}

/** Ask for a person and wait for the handoff reply (a system notice may follow it). */
export async function askForPerson(page, text) {
  const before = await messageCount(page);
  await page.locator("#chat-input").focus();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  await waitForReply(page, before);
  const handoff = page.locator('#chat-log li[data-kind="handoff"]').last();
  await handoff.waitFor();
  return handoff;
}

/** The conversation id the widget keeps in sessionStorage. */
export async function conversationId(page) {
  return page.evaluate(() => JSON.parse(sessionStorage.getItem("bibliotekshjalpen.conversation")).id);
}

/** Run axe-core with the WCAG 2.0/2.1 A and AA rules (open shadow roots included) and assert
 * there are no violations. axe is evaluated by the test driver, so the page's CSP allows it. */
export async function assertNoAxeViolations(page, label) {
  // axe-core itself adds one inline <style> the page's CSP blocks (harmlessly): that report is the
  // test tool's, not the widget's, so it is taken out of the page's CSP record again.
  page.cspConsole ||= [];
  const consoleBefore = page.cspConsole.length;
  const eventsBefore = await page.evaluate(() => (window.__csp || []).length);
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  await page.waitForTimeout(50);  // console messages arrive asynchronously
  const fromAxe = (text) => /style-src/.test(text) && /inline/.test(text);
  page.cspConsole.splice(consoleBefore, Infinity, ...page.cspConsole.slice(consoleBefore).filter((t) => !fromAxe(t)));
  await page.evaluate((n) => {
    if (!window.__csp) return;
    const kept = window.__csp.slice(n).filter((t) => !(/style-src/.test(t) && /inline/.test(t)));
    window.__csp.splice(n, Infinity, ...kept);
  }, eventsBefore);
  const summary = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${JSON.stringify(n.target)}: ${n.failureSummary}`).join("\n"),
  );
  assert.equal(result.violations.length, 0, `axe found violations ${label}:\n${summary.join("\n")}`);
  assert.ok(result.passes.length > 10, "axe ran its rules");
  return result;
}

/** No script errors and no CSP violations so far. */
export async function assertClean(page) {
  assert.deepEqual(page.errors, [], "script errors");
  const csp = await page.evaluate(() => window.__csp || []).catch(() => []);
  assert.deepEqual([...csp, ...page.cspConsole], [], "Content-Security-Policy violations");
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false, caret: "initial" });  // "hide" would inject a style the CSP blocks
}

/** Choose a language in the menu (a change event, as a mouse or keyboard choice gives) and wait
 * until the widget shows its strings. */
export async function chooseLanguage(page, code) {
  await page.locator("#chat-language").selectOption(code);
  await page.waitForFunction(
    ([host, c]) => {
      const r = document.querySelector(host).shadowRoot;
      return r.getElementById("chat-language").value === c && r.getElementById("chat-dialog").lang === c;
    },
    [HOST, code],
  );
}

/** A staff session through the API (cookie and CSRF token): staff("/api/staff/...", body?). */
export async function staffApi() {
  const resp = await fetch(BASE_URL + "/api/staff/login", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(DEMO_STAFF),
  });
  assert.equal(resp.status, 200);
  const { csrf_token: csrf } = await resp.json();
  const cookie = resp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return async (path, body) => {
    const r = await fetch(BASE_URL + path, {
      method: body === undefined ? "GET" : "POST",
      headers: { "Content-Type": "application/json", Cookie: cookie, "X-CSRF-Token": csrf },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    assert.ok(r.ok, `${path}: ${r.status} ${await r.clone().text()}`);
    return r.json();
  };
}

/** Claim a conversation's waiting ticket and reply to it as staff. */
export async function staffReply(conversationId, text) {
  const staff = await staffApi();
  const { tickets } = await staff("/api/staff/tickets?state=waiting");
  const ticket = tickets.find((t) => t.conversation_id === conversationId);
  assert.ok(ticket, "the ticket is in the queue");
  await staff(`/api/staff/tickets/${ticket.id}/claim`, {});
  await staff(`/api/staff/tickets/${ticket.id}/reply`, { text });
  return { staff, ticket };
}

/** The mock library page served from another origin (a port of this process) with a strict CSP
 * that allows only itself and the API origin: the widget is embedded cross-origin.
 * `?color=` and `?lang=` set the script tag's data-color and data-language. */
export async function startHostServer() {
  const api = new URL(BASE_URL).origin;
  const csp = [
    "default-src 'none'", `script-src 'self' ${api}`, `style-src 'self' ${api}`, `connect-src ${api}`,
    `img-src 'self' ${api}`, "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'",
  ].join("; ");
  const html = readFileSync(join(DEMO, "index.html"), "utf8");
  const css = readFileSync(join(DEMO, "demo.css"), "utf8");
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://host");
    if (url.pathname === "/static/demo/demo.css") {
      res.writeHead(200, { "Content-Type": "text/css; charset=utf-8" });
      res.end(css);
      return;
    }
    if (url.pathname !== "/") { res.writeHead(404); res.end(); return; }
    const attr = (s) => s.replace(/[^#a-zA-Z0-9-]/g, "");
    let page = html.replace('src="/widget.js"', `src="${api}/widget.js"`);
    if (url.searchParams.get("color")) page = page.replace('data-color="#005a8c"', `data-color="${attr(url.searchParams.get("color"))}"`);
    if (url.searchParams.get("lang")) page = page.replace('data-language="sv"', `data-language="${attr(url.searchParams.get("lang"))}"`);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": csp });
    res.end(page);
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  server.url = `http://127.0.0.1:${server.address().port}`;
  return server;
}

/** Arabic or Persian script, the bulk of a right-to-left reply. */
export const ARABIC_SCRIPT = /[\u0600-\u06FF]/;

// ---- the coordinators' editor (/content) ---------------------------------------------------------

export const DEMO_COORDINATOR = { email: "samordnare@bibliotek.example", password: "bibliotek-demo" };

/** What the demo pages allow (api/widget/routes.py PAGE_CSP): only this origin, nothing inline. */
export const STRICT_CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
  + "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** A coordinator's API session: curator(path, {method, json, text, ok}) -> {status, body}.
 * Asserts a 2xx answer unless `ok: false`. */
export async function coordinatorApi(account = DEMO_COORDINATOR) {
  const resp = await fetch(BASE_URL + "/api/staff/login", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(account),
  });
  assert.equal(resp.status, 200, "the coordinator logs in");
  const { csrf_token: csrf } = await resp.json();
  const cookie = resp.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  return async (path, { method = "GET", json, text, ok = true } = {}) => {
    const headers = { Cookie: cookie, "X-CSRF-Token": csrf };
    if (json !== undefined) headers["Content-Type"] = "application/json";
    if (text !== undefined) headers["Content-Type"] = "text/plain; charset=utf-8";
    const r = await fetch(BASE_URL + path, { method, headers, body: json !== undefined ? JSON.stringify(json) : text });
    const raw = await r.text();
    let body = raw;
    try { body = raw ? JSON.parse(raw) : null; } catch { /* not JSON */ }
    if (ok) assert.ok(r.ok, `${method} ${path}: ${r.status} ${raw.slice(0, 500)}`);
    return { status: r.status, body };
  };
}

/** A resident conversation through the HTTP API, as a library's widget starts it:
 * const c = await residentConversation({library, locale}); const replies = await c.ask(text). */
export async function residentConversation({ library, locale = "sv", channel = "web" } = {}) {
  const resp = await fetch(BASE_URL + "/api/conversations", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ channel, library, locale }),
  });
  assert.equal(resp.status, 201, "the conversation is created");
  const { id, token } = await resp.json();
  const call = async (path, body) => {
    const r = await fetch(`${BASE_URL}/api/conversations/${id}${path}`, {
      method: "POST", headers: { "Content-Type": "application/json", Authorization: "Bearer " + token }, body: JSON.stringify(body),
    });
    assert.ok(r.ok, `${path}: ${r.status} ${await r.clone().text()}`);
    return r.json();
  };
  return {
    id,
    token,
    ask: async (text) => (await call("/messages", { text })).messages,
    rate: (messageId, rating) => call(`/messages/${messageId}/feedback`, { rating }),
  };
}
