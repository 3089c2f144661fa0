// Rating an answer: thumbs up / thumbs down under each FAQ answer in the widget. Two toggle buttons
// (aria-pressed) in a labelled group, operated from the keyboard; the rating reaches the API
// (POST .../messages/{id}/feedback), can be changed and withdrawn, is shown again after a reload
// (the transcript's `feedback`), and the thank-you is said by the polite status line, not by the
// message log. Failure puts the previous state back. Arabic (right to left), 320 px, largest text.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ARABIC_SCRIPT, BASE_URL, HOST, SV_QUESTION, ask, assertClean, assertNoAxeViolations, chooseLanguage, focused, launch,
  messageCount, openChat, screenshot, tabTo,
} from "./helpers.mjs";

const AR_QUESTION = "كيف يمكنني تجديد استعارة الكتب؟";  // answered (loan.renew), not asked back
const EN_QUESTION = "How do I renew my books?";

const stringCache = new Map();
/** The widget's UI strings in a language, as the API serves them (data/widget/<code>.yml). */
async function strings(lang) {
  if (!stringCache.has(lang)) {
    const resp = await fetch(`${BASE_URL}/api/widget/strings?lang=${lang}`);
    assert.equal(resp.status, 200);
    stringCache.set(lang, (await resp.json()).strings);
  }
  return stringCache.get(lang);
}

/** The transcript through the API, with the conversation token the widget keeps in sessionStorage. */
async function transcript(page) {
  const conv = await page.evaluate(() => JSON.parse(sessionStorage.getItem("bibliotekshjalpen.conversation")));
  assert.ok(conv && conv.id && conv.token, "the widget keeps the conversation in sessionStorage");
  const resp = await fetch(`${BASE_URL}/api/conversations/${conv.id}/messages`, { headers: { Authorization: `Bearer ${conv.token}` } });
  assert.equal(resp.status, 200);
  return (await resp.json()).messages;
}

/** Wait (up to 5 s) until the API has `expected` as the message's rating, then assert it. */
async function assertStoredRating(page, messageId, expected) {
  let found;
  for (let i = 0; i < 50; i++) {
    found = (await transcript(page)).find((m) => m.id === messageId);
    assert.ok(found, `message ${messageId} is in the transcript`);
    if (found.feedback === expected) break;
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.equal(found.feedback, expected, `the API has the rating of message ${messageId}`);
}

/** The rating control of an answer (a role=group named by the prompt) and its two buttons. */
function control(reply, s) {
  const group = reply.getByRole("group", { name: s.feedback_prompt });
  return {
    group,
    up: group.getByRole("button", { name: s.feedback_up, exact: true }),
    down: group.getByRole("button", { name: s.feedback_down, exact: true }),
  };
}

async function pressed(c) {
  return [await c.up.getAttribute("aria-pressed"), await c.down.getAttribute("aria-pressed")];
}

async function waitForPressed(c, expected) {
  for (let i = 0; i < 50 && JSON.stringify(await pressed(c)) !== JSON.stringify(expected); i++) {
    await new Promise((ok) => setTimeout(ok, 100));
  }
  assert.deepEqual(await pressed(c), expected, "aria-pressed of [up, down]");
}

async function waitForStatus(page, text) {
  await page.waitForFunction(([h, t]) => document.querySelector(h).shadowRoot.getElementById("chat-status").textContent === t,
    [HOST, text]);
}

/** Record what the status line says and what is added to the message log from now on. */
async function record(page) {
  await page.evaluate((h) => {
    const r = document.querySelector(h).shadowRoot;
    window.__said = [];
    window.__logged = [];
    const status = r.getElementById("chat-status");
    window.__observers?.forEach((o) => o.disconnect());
    const said = new MutationObserver(() => window.__said.push(status.textContent));
    said.observe(status, { childList: true, characterData: true, subtree: true });
    const logged = new MutationObserver((records) => {
      for (const rec of records) for (const n of rec.addedNodes) window.__logged.push(n.nodeName + ":" + (n.textContent || "").slice(0, 40));
    });
    logged.observe(r.getElementById("chat-log"), { childList: true, subtree: true, characterData: true });
    window.__observers = [said, logged];
  }, HOST);
}
const recorded = (page) => page.evaluate(() => ({ said: window.__said, logged: window.__logged }));

/** The focused element (into the shadow root): its data-rating and whether its focus ring shows. */
async function focusedRating(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    const s = getComputedStyle(a);
    return { rating: a.dataset.rating || null, message: a.closest(".feedback")?.dataset.message || null,
      ring: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2 };
  });
}

/** The button is wholly inside the message log's visible part (not under an edge). */
async function assertInLogView(page, button) {
  await page.waitForTimeout(200);  // the status line may still be filled in
  const [b, log] = [await button.boundingBox(), await page.locator("#chat-log").boundingBox()];
  assert.ok(b.y >= log.y - 1 && b.y + b.height <= log.y + log.height + 1,
    `the button ${JSON.stringify(b)} is in view in the log ${JSON.stringify(log)}`);
}

describe("rating an answer (thumbs up / down)", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("keyboard: rate down, change to up, see it after a reload, withdraw it; the API has each", async () => {
    const sv = await strings("sv");
    const page = await openChat(browser);
    const reply = await ask(page, SV_QUESTION);
    assert.equal(await reply.getAttribute("data-kind"), "faq");
    const c = control(reply, sv);
    assert.equal(await c.group.count(), 1, "one rating group under the answer");
    assert.equal(await c.group.getAttribute("lang"), "sv");
    assert.match(await c.group.innerText(), new RegExp(sv.feedback_prompt.replace("?", "\\?")), "the prompt is visible");
    for (const b of [c.up, c.down]) {
      assert.deepEqual(await b.evaluate((el) => [el.tagName, el.type, el.tabIndex]), ["BUTTON", "button", 0]);
      assert.equal(await b.locator("svg").getAttribute("aria-hidden"), "true", "the icon is decorative");
    }
    assert.deepEqual(await pressed(c), ["false", "false"]);
    const messageId = Number(await c.group.getAttribute("data-message"));
    const stored = (await transcript(page)).find((m) => m.id === messageId);
    assert.equal(stored.kind, "faq", "the control carries the stored answer's id");
    assert.equal(stored.sender, "bot");

    // The answer's transcript copy comes over the event stream too: still one answer, one control.
    await page.waitForTimeout(1_500);
    assert.equal(await messageCount(page), 2);
    assert.equal(await page.locator("#chat-log .feedback").count(), 1);

    // Thumbs down from the keyboard: Shift+Tab from the question box reaches it.
    await tabTo(page, "button.rate", { shift: true });
    let f = await focusedRating(page);
    assert.deepEqual([f.rating, Number(f.message)], ["down", messageId], "Shift+Tab from the box reaches thumbs down");
    assert.ok(f.ring, "the focused rating button shows its focus ring");
    await record(page);
    await page.keyboard.press("Enter");
    await waitForPressed(c, ["false", "true"]);
    await waitForStatus(page, sv.feedback_thanks);
    assert.equal(await page.locator("#chat-status").getAttribute("role"), "status");
    await assertStoredRating(page, messageId, "down");
    assert.equal((await focusedRating(page)).rating, "down", "focus stays on the button");
    await assertInLogView(page, c.down);
    let { said, logged } = await recorded(page);
    assert.deepEqual(logged, [], "nothing is added to the message log (it announces nothing again)");
    assert.ok(said.includes(sv.feedback_thanks), `the status line said thank you: ${JSON.stringify(said)}`);
    assert.equal(await messageCount(page), 2);

    // Change of mind: thumbs up (Space this time). The thank-you is said again.
    await record(page);
    await page.keyboard.press("Shift+Tab");
    assert.equal((await focusedRating(page)).rating, "up");
    await page.keyboard.press(" ");
    await waitForPressed(c, ["true", "false"]);
    await assertStoredRating(page, messageId, "up");
    // The earlier thank-you may still be showing: wait until the line has been cleared and said again.
    await page.waitForFunction((t) => window.__said.at(-1) === t && window.__said.length >= 2, sv.feedback_thanks);
    ({ said, logged } = await recorded(page));
    assert.deepEqual(said, ["", sv.feedback_thanks], "the status line is cleared and says it again");
    assert.deepEqual(logged, []);
    await assertNoAxeViolations(page, "with a rated answer (sv)");
    await screenshot(page, "feedback-sv");

    // A reload resumes the conversation from the transcript: the rating is shown again, once.
    await page.reload();
    await page.locator("#chat-dialog").waitFor({ state: "visible" });
    await page.waitForFunction((h) => document.querySelector(h).shadowRoot.querySelectorAll("#chat-log li").length >= 2, HOST);
    await page.waitForTimeout(1_000);  // the event stream is open again: nothing is added twice
    assert.equal(await messageCount(page), 2);
    assert.equal(await page.locator("#chat-log .feedback").count(), 1);
    const resumed = control(page.locator("#chat-log li").last(), sv);
    assert.equal(Number(await resumed.group.getAttribute("data-message")), messageId);
    assert.deepEqual(await pressed(resumed), ["true", "false"], "the stored rating is shown after a reload");
    await screenshot(page, "feedback-restored-sv");

    // Pressing the pressed one again withdraws the rating.
    await tabTo(page, 'button.rate[data-rating="up"]');
    await page.keyboard.press("Enter");
    await waitForPressed(resumed, ["false", "false"]);
    await waitForStatus(page, sv.feedback_removed);
    await assertStoredRating(page, messageId, null);

    // Only FAQ answers can be rated: a thank-you reply has no control.
    const thanks = await ask(page, "Tack!");
    assert.notEqual(await thanks.getAttribute("data-kind"), "faq");
    assert.equal(await thanks.locator(".feedback").count(), 0);
    assert.equal(await page.locator("#chat-log .feedback").count(), 1);
    await assertClean(page);
    await page.context().close();
  });

  test("a rating that fails to save puts the previous state back and shows the error", async () => {
    const sv = await strings("sv");
    const page = await openChat(browser);
    const reply = await ask(page, SV_QUESTION);
    const c = control(reply, sv);
    const messageId = Number(await c.group.getAttribute("data-message"));
    await c.down.focus();
    await page.keyboard.press("Enter");
    await waitForStatus(page, sv.feedback_thanks);
    await assertStoredRating(page, messageId, "down");

    // Now the API cannot be reached: a change to thumbs up is not kept.
    let blocked = 0;
    await page.route("**/api/conversations/*/messages/*/feedback", async (route) => { blocked++; await route.abort("failed"); });
    await c.up.focus();
    await page.keyboard.press("Enter");
    const error = page.locator("#chat-error");
    await error.getByText(sv.feedback_failed).waitFor();
    assert.equal(await error.getAttribute("role"), "alert");
    assert.equal(blocked, 1);
    await waitForPressed(c, ["false", "true"]);  // back to thumbs down, as the API has it
    await assertStoredRating(page, messageId, "down");
    assert.equal((await focused(page))[1], "BUTTON", "focus stays on the button");
    assert.notEqual(await page.locator("#chat-status").innerText(), sv.feedback_thanks, "no thank-you next to the error");
    await assertInLogView(page, c.up);  // the error below made the log shorter: the button is still in view
    await assertNoAxeViolations(page, "with a rating that failed");
    await screenshot(page, "feedback-failed-sv");

    // Withdrawing fails too: the rating stays.
    await c.down.focus();
    await page.keyboard.press("Enter");
    for (let i = 0; i < 50 && blocked < 2; i++) await page.waitForTimeout(100);
    assert.equal(blocked, 2);
    await waitForPressed(c, ["false", "true"]);
    await assertStoredRating(page, messageId, "down");

    // Back online: the change goes through and the error goes away.
    await page.unroute("**/api/conversations/*/messages/*/feedback");
    await c.up.focus();
    await page.keyboard.press("Enter");
    await waitForPressed(c, ["true", "false"]);
    await assertStoredRating(page, messageId, "up");
    await page.waitForFunction((h) => !document.querySelector(h).shadowRoot.getElementById("chat-feedback-error")?.isConnected, HOST);
    assert.equal((await error.innerText()).trim(), "");
    await assertClean(page);
    await page.context().close();
  });

  test("two answers are rated apart; a language change re-labels the controls", async () => {
    const [sv, en] = [await strings("sv"), await strings("en")];
    const page = await openChat(browser);
    await ask(page, SV_QUESTION);
    await ask(page, SV_QUESTION);  // the same answer again: its own message, its own control
    await page.waitForTimeout(1_500);  // the stream has brought both transcript copies
    assert.equal(await messageCount(page), 4);
    const groups = page.locator("#chat-log .feedback");
    assert.equal(await groups.count(), 2);
    const ids = (await groups.evaluateAll((gs) => gs.map((g) => Number(g.dataset.message))));
    assert.notEqual(ids[0], ids[1]);
    const [first, second] = [control(page.locator("#chat-log li").nth(1), sv), control(page.locator("#chat-log li").nth(3), sv)];
    await second.up.focus();
    await page.keyboard.press("Enter");
    await waitForPressed(second, ["true", "false"]);
    await assertStoredRating(page, ids[1], "up");
    assert.deepEqual(await pressed(first), ["false", "false"]);
    await assertStoredRating(page, ids[0], null);
    // Group ids (aria-labelledby) are unique in the shadow root.
    const labelIds = await groups.evaluateAll((gs) => gs.map((g) => g.getAttribute("aria-labelledby")));
    assert.equal(new Set(labelIds).size, 2);

    // Writing in English switches the chat to English: the earlier controls follow.
    const reply = await ask(page, EN_QUESTION);
    assert.equal(await reply.getAttribute("lang"), "en");
    await page.waitForFunction((h) => document.querySelector(h).shadowRoot.getElementById("chat-dialog").lang === "en", HOST);
    assert.equal(await page.locator("#chat-log .feedback").count(), 3);
    for (const g of await page.locator("#chat-log .feedback").all()) {
      assert.equal(await g.getAttribute("lang"), "en");
      assert.equal(await g.locator(".feedback-prompt").innerText(), en.feedback_prompt);
    }
    const english = control(reply, en);
    assert.equal(await english.up.count(), 1);
    assert.deepEqual(await pressed(control(page.locator("#chat-log li").nth(3), en)), ["true", "false"]);
    await assertClean(page);
    await page.context().close();
  });

  test("Arabic: the control is mirrored right to left, in Arabic, and passes axe", async () => {
    const ar = await strings("ar");
    const page = await openChat(browser);
    await chooseLanguage(page, "ar");
    const reply = await ask(page, AR_QUESTION);
    assert.equal(await reply.getAttribute("lang"), "ar");
    assert.equal(await reply.getAttribute("data-kind"), "faq");
    const c = control(reply, ar);
    assert.equal(await c.group.count(), 1);
    assert.equal(await c.group.getAttribute("dir"), "rtl");
    assert.equal(await c.group.getAttribute("lang"), "ar");
    assert.equal(await c.group.evaluate((g) => getComputedStyle(g).direction), "rtl");
    const prompt = c.group.locator(".feedback-prompt");
    assert.match(await prompt.innerText(), ARABIC_SCRIPT);
    // Right to left: the prompt first on the right, then thumbs up, then thumbs down to its left.
    const [p, up, down] = [await prompt.boundingBox(), await c.up.boundingBox(), await c.down.boundingBox()];
    assert.ok(down.x + down.width <= up.x + 1, `thumbs down ${JSON.stringify(down)} left of thumbs up ${JSON.stringify(up)}`);
    assert.ok(up.x + up.width <= p.x + 1 || up.y >= p.y + p.height - 1, "thumbs up left of (or below) the prompt");

    await tabTo(page, "button.rate", { shift: true });
    await page.keyboard.press("Enter");
    await waitForPressed(c, ["false", "true"]);
    await waitForStatus(page, ar.feedback_thanks);
    assert.equal(await page.locator("#chat-status").getAttribute("role"), "status");
    await assertStoredRating(page, Number(await c.group.getAttribute("data-message")), "down");
    await assertNoAxeViolations(page, "with a rated answer (ar, right to left)");
    await screenshot(page, "feedback-ar");
    await assertClean(page);
    await page.context().close();
  });

  test("320 px wide with the largest text: 24 px targets at least, no sideways scrolling", async () => {
    const sv = await strings("sv");
    const page = await openChat(browser, { width: 320, height: 640 });
    for (let i = 0; i < 4; i++) await page.locator("#chat-larger").click();
    assert.equal(await page.locator("#chat-larger").getAttribute("aria-disabled"), "true");
    const reply = await ask(page, SV_QUESTION);
    const c = control(reply, sv);
    await c.down.scrollIntoViewIfNeeded();
    for (const b of [c.up, c.down]) {
      const box = await b.boundingBox();
      assert.ok(box.width >= 24 && box.height >= 24, `target ${JSON.stringify(box)} is at least 24 x 24 px`);
      assert.ok(box.x >= 0 && box.x + box.width <= 320, `the button fits the screen: ${JSON.stringify(box)}`);
    }
    const widths = await page.evaluate((h) => {
      const r = document.querySelector(h).shadowRoot;
      return ["#chat-dialog", "#chat-log", "#chat-log li:last-child", "#chat-log .feedback", "#chat-form"].map((s) => {
        const el = r.querySelector(s);
        return [s, el.scrollWidth, el.clientWidth];
      });
    }, HOST);
    for (const [sel, scroll, client] of widths) assert.ok(scroll <= client + 1, `${sel} scrolls sideways (${scroll} > ${client})`);
    const [group, li] = [await c.group.boundingBox(), await reply.boundingBox()];
    assert.ok(group.x >= li.x - 1 && group.x + group.width <= li.x + li.width + 1, "the control stays inside its answer");
    await c.down.focus();
    await page.keyboard.press("Enter");
    await waitForPressed(c, ["false", "true"]);
    await waitForStatus(page, sv.feedback_thanks);
    // The thank-you wraps over lines here: the status line grows with it, nothing is drawn over it.
    const [said, label] = [await page.locator("#chat-status").boundingBox(), await page.locator("#chat-input-label").boundingBox()];
    assert.ok(said.height > 40, `the thank-you takes more than one line (${said.height} px)`);
    assert.ok(said.y + said.height <= label.y + 1, `the status line ${JSON.stringify(said)} overlaps the box's label ${JSON.stringify(label)}`);
    await assertNoAxeViolations(page, "at 320 px with the largest text and a rated answer");
    await screenshot(page, "feedback-320px-largest-text");
    await assertClean(page);
    await page.context().close();
  });
});
