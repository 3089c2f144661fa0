// The conversation survives a reload (its token is kept in sessionStorage), and the page fits
// a 320 px wide screen without horizontal scrolling.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { SV_QUESTION, ask, launch, openChat, screenshot } from "./helpers.mjs";

describe("session and small screens", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("a reload shows the earlier messages again", async () => {
    const page = await openChat(browser);
    const reply = await ask(page, SV_QUESTION);
    const answer = await reply.innerText();
    const before = await page.locator("#chat-log li").allInnerTexts();
    assert.equal(before.length, 2);

    await page.reload();
    await page.waitForFunction((n) => document.querySelectorAll("#chat-log li").length >= n, before.length);
    const afterReload = await page.locator("#chat-log li").allInnerTexts();
    assert.deepEqual(afterReload, before);
    assert.equal(await page.locator("#chat-log li").last().getAttribute("lang"), "sv");
    assert.equal((await page.locator("#chat-log li").last().innerText()), answer);

    // The conversation goes on where it was.
    await ask(page, "Tack!");
    assert.equal(await page.locator("#chat-log li").count(), 4);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("320 px wide: no horizontal scrolling, before and after a conversation", async () => {
    const page = await openChat(browser, { width: 320, height: 640 });
    const widths = () => page.evaluate(() => [document.documentElement.scrollWidth, document.body.scrollWidth]);
    let [doc, body] = await widths();
    assert.ok(doc <= 320 && body <= 320, `the initial page is ${doc} px wide (body ${body})`);

    await ask(page, SV_QUESTION);
    await ask(page, "kort");
    [doc, body] = await widths();
    assert.ok(doc <= 320 && body <= 320, `with a conversation the page is ${doc} px wide (body ${body})`);
    await screenshot(page, "narrow-320px");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
