// Keyboard only: Tab to the question box, Enter sends, quick replies are real buttons.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SV_QUESTION, launch, messageCount, openChat, screenshot, waitForReply } from "./helpers.mjs";

/** Press Tab until the focused element matches `selector`; returns how many presses it took. */
async function tabTo(page, selector, max = 40) {
  for (let i = 1; i <= max; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return i;
  }
  throw new Error(`${selector} was not reached with ${max} presses of Tab`);
}

describe("keyboard only", () => {
  let browser, page;
  before(async () => {
    browser = await launch();
    page = await openChat(browser);
  });
  after(async () => { await browser?.close(); });

  test("Tab reaches the question box, Enter sends, the answer appears in the log in Swedish", async () => {
    await tabTo(page, "#chat-input");
    await page.keyboard.type(SV_QUESTION);
    const before = await messageCount(page);
    await page.keyboard.press("Enter");
    const reply = await waitForReply(page, before);

    const log = page.getByRole("log");
    assert.equal(await log.count(), 1);
    const resident = log.locator("li.resident").last();
    assert.match(await resident.innerText(), /lånar jag om mina böcker/);
    assert.match(await reply.innerText(), /låna om/i);
    assert.equal(await reply.getAttribute("lang"), "sv");
    assert.equal(await reply.getAttribute("data-kind"), "faq");

    // Focus stays in the box, which is empty and ready for the next question.
    assert.equal(await page.evaluate(() => document.activeElement.id), "chat-input");
    assert.equal(await page.locator("#chat-input").inputValue(), "");
  });

  test("a vague question gets quick replies: real buttons, reached with Tab, pressed with Enter", async () => {
    await page.keyboard.type("kort");
    const before = await messageCount(page);
    await page.keyboard.press("Enter");
    const reply = await waitForReply(page, before);
    assert.equal(await reply.getAttribute("data-kind"), "clarify");

    const buttons = reply.locator("button");
    const n = await buttons.count();
    assert.ok(n >= 2, `expected quick-reply buttons, found ${n}`);
    for (let i = 0; i < n; i++) {
      const tag = await buttons.nth(i).evaluate((b) => [b.tagName, b.type, b.tabIndex]);
      assert.deepEqual(tag, ["BUTTON", "button", 0]);
    }
    const first = buttons.first();
    const title = (await first.innerText()).trim();

    // From the top of the page, Tab alone reaches the first quick reply.
    await page.evaluate(() => document.activeElement?.blur());
    await tabTo(page, "#chat-log li:last-child button");
    assert.equal((await page.evaluate(() => document.activeElement.textContent)).trim(), title);
    await screenshot(page, "keyboard-quick-reply-focused");

    const count = await messageCount(page);
    await page.keyboard.press("Enter");
    const answer = await waitForReply(page, count);
    assert.equal(await answer.getAttribute("data-kind"), "faq");
    assert.equal(await answer.getAttribute("lang"), "sv");
    // The resident's side of the log shows the button's title as what they said.
    assert.equal((await page.locator("#chat-log li.resident").last().innerText()).includes(title), true);
    // Focus is not lost to the page body: it is still on a control.
    assert.notEqual(await page.evaluate(() => document.activeElement?.tagName), "BODY");
    await screenshot(page, "keyboard-quick-reply-answer");
    assert.deepEqual(page.errors, []);
  });
});
