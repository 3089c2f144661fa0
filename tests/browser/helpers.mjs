// Shared helpers of the browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), the demo page of a running stack at BASE_URL, axe-core, screenshots.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const HERE = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(HERE, "..", "..");
export const SCREENSHOTS = join(ROOT, "var", "test-results", "screenshots");
const AXE = join(HERE, "node_modules", "axe-core", "axe.min.js");

export const BASE_URL = (process.env.BASE_URL || "").replace(/\/+$/, "");
if (!BASE_URL) throw new Error("Set BASE_URL to a running stack, e.g. BASE_URL=http://127.0.0.1:8000");

export const SV_QUESTION = "Hur lånar jag om mina böcker?";

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

/** A fresh context (its own sessionStorage) with the demo page loaded and its menus filled. */
export async function openChat(browser, { width = 1024, height = 900 } = {}) {
  const context = await browser.newContext({ viewport: { width, height }, locale: "sv-SE" });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.errors = errors;
  await page.goto(BASE_URL + "/");
  await page.waitForFunction(() => document.querySelectorAll("#chat-language option").length > 1);
  return page;
}

/** How many messages the log shows. */
export async function messageCount(page) {
  return page.locator("#chat-log li").count();
}

/** Wait until the log shows more than `before` messages, the last of them from the assistant
 * (or staff), and the page is idle again; returns that last reply's locator. */
export async function waitForReply(page, before) {
  await page.waitForFunction(
    (n) => {
      const items = document.querySelectorAll("#chat-log li");
      const last = items[items.length - 1];
      return items.length > n + 1 && last && !last.classList.contains("resident")
        && !document.getElementById("chat-send").hasAttribute("aria-disabled");
    },
    before,
  );
  return page.locator("#chat-log li").last();
}

/** Type a question in the box and send it with Enter, as a keyboard user does. */
export async function ask(page, text) {
  const before = await messageCount(page);
  const input = page.locator("#chat-input");
  await input.focus();
  await page.keyboard.type(text);
  await page.keyboard.press("Enter");
  return waitForReply(page, before);
}

/** Run axe-core with the WCAG 2.0/2.1 A and AA rules and assert there are no violations. */
export async function assertNoAxeViolations(page, label) {
  if (!(await page.evaluate(() => typeof window.axe !== "undefined"))) {
    await page.addScriptTag({ path: AXE });
  }
  const result = await page.evaluate(() =>
    window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }),
  );
  const summary = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help}\n` + v.nodes.map((n) => `    ${n.target.join(" ")}: ${n.failureSummary}`).join("\n"),
  );
  assert.equal(result.violations.length, 0, `axe found violations ${label}:\n${summary.join("\n")}`);
  assert.ok(result.passes.length > 10, "axe ran its rules");
}

export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/** Choose a language in the menu (a change event, as a mouse or keyboard choice gives). */
export async function chooseLanguage(page, code) {
  await page.locator("#chat-language").selectOption(code);
  await page.waitForFunction((c) => document.getElementById("chat-language").value === c, code);
}

/** Arabic or Persian script, the bulk of a right-to-left reply. */
export const ARABIC_SCRIPT = /[\u0600-\u06FF]/;
