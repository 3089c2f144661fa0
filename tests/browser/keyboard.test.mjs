// Keyboard only: the launcher is a labelled button, Enter and Space open the chat, focus moves into
// the dialog, Tab order is logical and visible, nothing traps focus, Escape closes and returns focus
// to the launcher; and a whole conversation, including a handoff to staff and their reply, with
// the keyboard alone.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  HANDOFF, HOST, SV_QUESTION, assertClean, conversationId, focused, launch, messageCount, openChat, screenshot,
  staffReply, tabTo, waitForReply,
} from "./helpers.mjs";

/** WCAG contrast ratio of two CSS rgb() colours. */
function ratio(a, b) {
  const lum = (c) => {
    const [r, g, bl] = c.match(/[\d.]+/g).slice(0, 3).map(Number).map((v) => {
      v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The focused element's id and its focus indicator (outline) as computed. */
async function focusRing(page) {
  return page.evaluate(() => {
    let a = document.activeElement;
    while (a && a.shadowRoot && a.shadowRoot.activeElement) a = a.shadowRoot.activeElement;
    const s = getComputedStyle(a);
    return { id: a.id || a.tagName, inWidget: a.getRootNode() !== document, style: s.outlineStyle,
      width: parseFloat(s.outlineWidth), color: s.outlineColor };
  });
}

/** Wait until the widget is idle again after sending (no reply needed: staff may answer later). */
async function waitIdle(page, text) {
  await page.locator("#chat-log li.resident", { hasText: text }).waitFor();
  await page.waitForFunction((host) => !document.querySelector(host).shadowRoot
    .getElementById("chat-send").hasAttribute("aria-disabled"), HOST);
}

describe("keyboard only", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("launcher, Enter/Space, focus into the dialog, logical visible Tab order, no trap, Escape", async () => {
    const page = await openChat(browser, { open: false });
    // From the top of the page, Tab reaches the launcher: a real button with a visible label.
    await tabTo(page, "#chat-launcher");
    const launcher = page.getByRole("button", { name: "Chatta med biblioteket" });
    assert.equal(await launcher.count(), 1);
    assert.equal(await launcher.evaluate((b) => b.tagName), "BUTTON");
    let ring = await focusRing(page);
    assert.notEqual(ring.style, "none", "the launcher shows focus");

    await page.keyboard.press("Enter");
    await page.locator("#chat-dialog").waitFor({ state: "visible" });
    assert.equal((await focused(page))[0], "chat-input", "focus moved into the dialog, to the question box");
    assert.equal(await page.locator("#chat-launcher").getAttribute("aria-expanded"), "true");

    await page.keyboard.press("Escape");
    await page.locator("#chat-dialog").waitFor({ state: "hidden" });
    assert.equal((await focused(page))[0], "chat-launcher", "Escape returns focus to the launcher");
    await page.keyboard.press(" ");
    await page.locator("#chat-dialog").waitFor({ state: "visible" });
    assert.equal((await focused(page))[0], "chat-input", "Space opens too");

    // Tab order from the top of the dialog: header, settings, messages, compose, footer; then out.
    await tabTo(page, "#chat-close", { shift: true });
    const order = [];
    for (let i = 0; i < 30; i++) {
      ring = await focusRing(page);
      if (!ring.inWidget) break;
      order.push(ring.id);
      assert.notEqual(ring.style, "none", `${ring.id} shows focus`);
      assert.ok(ring.width >= 2, `${ring.id}'s focus ring is ${ring.width}px`);
      assert.ok(ratio(ring.color, "rgb(255, 255, 255)") >= 3, `${ring.id}'s focus ring contrast`);
      await page.keyboard.press("Tab");
    }
    assert.deepEqual(order.slice(0, 8), [
      "chat-close", "chat-language", "chat-easy", "chat-smaller", "chat-larger", "chat-log", "chat-privacy-link", "chat-input",
    ]);
    assert.ok(order.indexOf("chat-send") === order.indexOf("chat-input") + 1, `order: ${order}`);
    assert.ok(order.indexOf("chat-a11y-link") > order.indexOf("chat-send"), `order: ${order}`);
    assert.equal((await focusRing(page)).inWidget, false, "Tab leaves the widget after its last control: no trap");
    await assertClean(page);
    await page.context().close();
  });

  test("a whole conversation with the keyboard alone: question, quick reply, handoff, staff reply, contact", async () => {
    const page = await openChat(browser, { open: false });
    await tabTo(page, "#chat-launcher");
    await page.keyboard.press("Enter");
    await page.locator("#chat-dialog").waitFor({ state: "visible" });

    // A question: Enter sends, the answer appears in the log (a live region) in Swedish.
    await page.keyboard.type(SV_QUESTION);
    let before = await messageCount(page);
    await page.keyboard.press("Enter");
    const reply = await waitForReply(page, before);
    const log = page.getByRole("log");
    assert.equal(await log.count(), 1);
    assert.equal(await log.getAttribute("aria-live"), "polite");
    assert.match(await reply.innerText(), /låna om/i);
    assert.equal(await reply.getAttribute("lang"), "sv");
    assert.equal(await reply.getAttribute("dir"), "ltr");
    assert.equal(await reply.getAttribute("data-kind"), "faq");
    assert.equal((await focused(page))[0], "chat-input", "focus stays in the box");
    assert.equal(await page.locator("#chat-input").inputValue(), "");
    // Messages are appended, never re-rendered (a live region announces each new one once).
    await page.locator("#chat-log li").first().evaluate((li) => { li.__first = true; });

    // A vague question gets quick replies: real buttons, reached with Tab, pressed with Enter.
    await page.keyboard.type("kort");
    before = await messageCount(page);
    await page.keyboard.press("Enter");
    const clarify = await waitForReply(page, before);
    assert.equal(await clarify.getAttribute("data-kind"), "clarify");
    const buttons = clarify.locator("button");
    const n = await buttons.count();
    assert.ok(n >= 2, `expected quick-reply buttons, found ${n}`);
    for (let i = 0; i < n; i++) {
      assert.deepEqual(await buttons.nth(i).evaluate((b) => [b.tagName, b.type, b.tabIndex]), ["BUTTON", "button", 0]);
    }
    const title = (await buttons.first().innerText()).trim();
    await tabTo(page, "#chat-log li:last-child .buttons button:first-child", { shift: true });
    assert.equal((await focused(page))[2], title);
    await screenshot(page, "keyboard-quick-reply-focused");
    before = await messageCount(page);
    await page.keyboard.press("Enter");
    const answer = await waitForReply(page, before);
    assert.equal(await answer.getAttribute("data-kind"), "faq");
    assert.ok((await page.locator("#chat-log li.resident").last().innerText()).includes(title));
    assert.notEqual((await focused(page))[1], "BODY", "focus is not lost to the page");

    // Ask for a person: the conversation goes to the staff queue.
    await tabTo(page, "#chat-input");
    await page.keyboard.type(HANDOFF.sv);
    before = await messageCount(page);
    await page.keyboard.press("Enter");
    await waitForReply(page, before);
    await page.locator('#chat-log li[data-kind="handoff"]').waitFor();

    // Staff claim and reply; the reply reaches the open chat live, exactly once.
    const id = await conversationId(page);
    await staffReply(id, "Hej! Jag heter Anna och är bibliotekarie. Vad kan jag hjälpa dig med?");
    const staff = page.locator("#chat-log li.staff", { hasText: "Jag heter Anna" });
    await staff.waitFor({ timeout: 8_000 });
    await page.waitForTimeout(500);
    assert.equal(await staff.count(), 1, "the staff reply is shown once");
    assert.match(await staff.locator(".who").innerText(), /Bibliotekarie/);
    assert.equal(await page.locator("#chat-log li").first().evaluate((li) => li.__first === true), true,
      "earlier messages were not re-rendered");

    // The optional contact form, from the keyboard.
    await page.locator("#chat-contact").waitFor({ state: "visible" });
    await tabTo(page, "#chat-contact-input");
    await page.keyboard.type("fel");
    await page.keyboard.press("Enter");
    await page.locator("#chat-contact-error").waitFor({ state: "visible" });
    assert.equal(await page.locator("#chat-contact-input").getAttribute("aria-invalid"), "true");
    assert.equal((await focused(page))[0], "chat-contact-input");
    await page.keyboard.press("Control+A");
    await page.keyboard.type("resident@example.org");
    await page.keyboard.press("Enter");
    await page.locator("#chat-contact").waitFor({ state: "hidden" });
    assert.equal((await focused(page))[0], "chat-input", "back in the question box");
    const saved = page.locator("#chat-log li", { hasText: "kontaktuppgifter du lämnade" });
    await saved.waitFor();
    await page.waitForTimeout(500);
    assert.equal(await saved.count(), 1, "the confirmation is shown once");

    // The resident answers the librarian.
    await page.keyboard.type("Tack! Jag undrar om e-böcker.");
    await page.keyboard.press("Enter");
    await waitIdle(page, "Jag undrar om e-böcker");
    assert.equal(await page.locator("#chat-input").inputValue(), "");
    await screenshot(page, "keyboard-conversation-with-staff");

    // Escape closes; focus returns to the launcher.
    await page.keyboard.press("Escape");
    await page.locator("#chat-dialog").waitFor({ state: "hidden" });
    assert.equal((await focused(page))[0], "chat-launcher");
    await assertClean(page);
    await page.context().close();
  });
});
