// Never lose a message (issue 13, point 17): a send that fails is retried by the widget itself, with
// the same idempotency key (client_id) and backoff, honouring Retry-After, and at once when the
// browser is back online. Until it is answered the message stays in the log as "sending" / "not sent
// yet, retrying" (said politely on the status line, in the resident's language), also over a
// reload; the Retry button stays available. The API's transcript shows it stored and answered once.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  BASE_URL, HOST, SV_QUESTION, ask, assertClean, assertNoAxeViolations, chooseLanguage, launch, openChat, screenshot,
  waitForReply,
} from "./helpers.mjs";

const MESSAGES = "**/api/conversations/*/messages";

/** Intercept the widget's message POSTs: `plan(n)` (n = 1, 2, ... per attempt) returns
 * "503" (with `retryAfter` seconds), "abort" (a network error) or "pass". Records each attempt's
 * time and client_id. */
async function interceptSends(page, plan, { retryAfter = 1 } = {}) {
  const attempts = [];
  await page.route(MESSAGES, async (route) => {
    const req = route.request();
    if (req.method() !== "POST") { await route.continue(); return; }
    const body = JSON.parse(req.postData() || "{}");
    attempts.push({ at: Date.now(), clientId: body.client_id, text: body.text });
    const what = plan(attempts.length);
    if (what === "503") {
      await route.fulfill({
        status: 503, contentType: "application/json", body: JSON.stringify({ detail: "unavailable" }),
        headers: { "Retry-After": String(retryAfter), "Access-Control-Allow-Origin": "*" },
      });
    } else if (what === "abort") {
      await route.abort("failed");
    } else {
      await route.continue();
    }
  });
  return attempts;
}

/** The resident's message in the log (exactly one) and its delivery state ("" once answered). */
function ownMessage(page, text) {
  return page.locator("#chat-log li.resident", { hasText: text });
}
async function delivery(page, text) {
  const li = ownMessage(page, text);
  assert.equal(await li.count(), 1, `the message "${text}" is shown once`);
  return (await li.getAttribute("data-delivery")) || "";
}

/** What the API stored: the resident messages with this text, and the replies after each. */
async function stored(page, text) {
  const conv = await page.evaluate(() => JSON.parse(sessionStorage.getItem("bibliotekshjalpen.conversation")));
  const resp = await fetch(`${BASE_URL}/api/conversations/${conv.id}/messages`, { headers: { Authorization: "Bearer " + conv.token } });
  assert.equal(resp.status, 200);
  const { messages } = await resp.json();
  const mine = messages.filter((m) => m.sender === "resident" && m.text === text);
  const replies = mine.map((m) => {
    const next = messages.findIndex((x) => x.id > m.id && x.sender === "resident");
    return messages.filter((x) => x.id > m.id && x.sender !== "resident" && (next < 0 || x.id < messages[next].id));
  });
  return { count: mine.length, replies };
}

async function waitForDelivery(page, text, state) {
  await page.waitForFunction(([h, t, s]) => [...document.querySelector(h).shadowRoot.querySelectorAll("#chat-log li.resident")]
    .some((li) => li.querySelector(".text")?.textContent === t && (li.dataset.delivery || "") === s), [HOST, text, state]);
}

describe("a failed send is never lost", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("503s and a network error: shown as not sent yet, retried by itself with one client_id, answered once", async () => {
    const page = await openChat(browser);
    await ask(page, SV_QUESTION);  // a conversation exists
    const text = "Hur många böcker får jag låna?";
    const attempts = await interceptSends(page, (n) => (n <= 2 ? "503" : n === 3 ? "abort" : "pass"));
    const before = await page.locator("#chat-log li").count();
    await page.locator("#chat-input").fill(text);
    await page.locator("#chat-input").press("Enter");

    // At once: the message is in the log, marked as on its way, and the box is free for the next one.
    await ownMessage(page, text).waitFor();
    assert.notEqual(await delivery(page, text), "", "shown as not answered yet");
    assert.equal(await page.locator("#chat-input").inputValue(), "");
    await waitForDelivery(page, text, "retrying");
    assert.match(await ownMessage(page, text).innerText(), /Inte skickat än/);
    assert.match(await page.locator("#chat-status").innerText(), /Inte skickat än/);  // polite, in Swedish
    assert.equal(await page.locator("#chat-status").getAttribute("role"), "status");
    assert.equal(await page.locator("#chat-retry").isVisible(), true, "Retry is still offered");
    await assertNoAxeViolations(page, "with a message not sent yet");
    await screenshot(page, "send-failed-retry");

    // No click: the widget retries by itself until it gets through.
    await waitForReply(page, before);
    await waitForDelivery(page, text, "");
    assert.ok(attempts.length >= 4, `${attempts.length} attempts`);
    assert.equal(new Set(attempts.map((a) => a.clientId)).size, 1, "every attempt carries the same client_id");
    assert.ok(attempts[0].clientId, "a client_id is sent");
    // Retry-After: 1 was honoured after each 503 (backoff with jitter never shortens it).
    for (const i of [1, 2]) assert.ok(attempts[i].at - attempts[i - 1].at >= 900, `attempt ${i + 1} waited ${attempts[i].at - attempts[i - 1].at} ms`);
    assert.equal(await page.locator("#chat-retry").count(), 0);
    assert.doesNotMatch(await page.locator("#chat-status").innerText(), /Inte skickat/);
    const s = await stored(page, text);
    assert.equal(s.count, 1, "stored once");
    assert.equal(s.replies[0].length, 1, "answered once");
    await assertClean(page);
    await page.context().close();
  });

  test("a message not sent yet survives a reload and is still sent after it, without a click", async () => {
    const page = await openChat(browser);
    await ask(page, SV_QUESTION);
    const text = "Kan jag låna e-böcker?";
    let failing = true;
    const attempts = await interceptSends(page, () => (failing ? "503" : "pass"));
    await page.locator("#chat-input").fill(text);
    await page.locator("#chat-input").press("Enter");
    await waitForDelivery(page, text, "retrying");

    const beforeReload = attempts.length;
    await page.reload();
    await page.locator("#chat-dialog").waitFor({ state: "visible" });
    await ownMessage(page, text).waitFor();
    assert.notEqual(await delivery(page, text), "", "after the reload it is still shown as not answered");
    // It is tried again after the reload, with the same client_id.
    const deadline = Date.now() + 10_000;
    while (attempts.length === beforeReload && Date.now() < deadline) await page.waitForTimeout(100);
    assert.ok(attempts.length > beforeReload, "tried again after the reload");
    await waitForDelivery(page, text, "retrying");
    assert.match(await page.locator("#chat-status").innerText(), /Inte skickat än/);
    failing = false;

    await waitForDelivery(page, text, "");
    await page.locator("#chat-log li.resident", { hasText: text }).locator("xpath=following-sibling::li").first().waitFor();
    assert.equal(new Set(attempts.map((a) => a.clientId)).size, 1, "one client_id before and after the reload");
    assert.equal(await ownMessage(page, text).count(), 1);
    const s = await stored(page, text);
    assert.equal(s.count, 1, "stored once");
    assert.equal(s.replies[0].length, 1, "answered once");
    await assertClean(page);
    await page.context().close();
  });

  test("Retry-After is honoured; back online it is sent at once; the Retry button sends it too (English)", async () => {
    const page = await openChat(browser);
    await chooseLanguage(page, "en");
    await ask(page, "How do I renew my books?");
    let failing = true;
    const attempts = await interceptSends(page, () => (failing ? "503" : "pass"), { retryAfter: 120 });
    const text = "How many books can I borrow?";
    await page.locator("#chat-input").fill(text);
    await page.locator("#chat-input").press("Enter");
    await waitForDelivery(page, text, "retrying");
    assert.match(await ownMessage(page, text).innerText(), /Not sent yet/);
    assert.match(await page.locator("#chat-status").innerText(), /Not sent yet/);
    await page.waitForTimeout(2_500);
    assert.equal(attempts.length, 1, "no retry before Retry-After (120 s) has passed");

    // The browser comes back online: sent at once, long before Retry-After.
    failing = false;
    await page.context().setOffline(true);
    await page.context().setOffline(false);
    await waitForDelivery(page, text, "");
    assert.equal(attempts.length, 2);
    assert.equal(attempts[1].clientId, attempts[0].clientId);

    // The Retry button: pressed from the keyboard, it sends at once (the same client_id).
    failing = true;
    const text2 = "Can I borrow e-books?";
    await page.locator("#chat-input").fill(text2);
    await page.locator("#chat-input").press("Enter");
    await waitForDelivery(page, text2, "retrying");
    failing = false;
    await page.locator("#chat-retry").focus();
    await page.keyboard.press("Enter");
    await waitForDelivery(page, text2, "");
    assert.equal(attempts.length, 4);
    assert.equal(attempts[3].clientId, attempts[2].clientId);
    assert.notEqual(attempts[2].clientId, attempts[0].clientId, "a new message has a new client_id");
    for (const t of [text, text2]) {
      const s = await stored(page, t);
      assert.equal(s.count, 1, `"${t}" stored once`);
      assert.equal(s.replies[0].length, 1, `"${t}" answered once`);
    }
    await assertClean(page);
    await page.context().close();
  });
});
