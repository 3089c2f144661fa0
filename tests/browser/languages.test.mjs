// The language menu (right-to-left languages) and the easy-to-read Swedish toggle.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ARABIC_SCRIPT, SV_QUESTION, ask, chooseLanguage, launch, messageCount, openChat, screenshot, waitForReply,
} from "./helpers.mjs";

describe("languages", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  for (const [code, name, question] of [
    ["ar", "العربية", "كيف أجدد الكتب التي استعرتها؟"],
    ["fa", "فارسی", "چطور کتاب‌هایم را تمدید کنم؟"],
  ]) {
    test(`choosing ${name} turns the chat right to left and the answer comes in ${code}`, async () => {
      const page = await openChat(browser);
      await page.locator("#chat-language").selectOption({ label: name });
      await page.waitForFunction((c) => document.getElementById("chat-language").value === c, code);
      assert.equal(await page.locator("section.chat").getAttribute("dir"), "rtl");

      const reply = await ask(page, question);
      assert.equal(await reply.getAttribute("lang"), code);
      assert.equal(await reply.getAttribute("dir"), "rtl");
      assert.match(await reply.innerText(), ARABIC_SCRIPT);
      assert.equal(await page.locator("section.chat").getAttribute("dir"), "rtl");
      // The resident's own question is shown right to left too (dir="auto" on their message).
      const mine = page.locator("#chat-log li.resident").last();
      assert.equal(await mine.evaluate((li) => getComputedStyle(li).direction), "rtl");
      await screenshot(page, `language-${code}`);
      assert.deepEqual(page.errors, []);
      await page.context().close();
    });
  }

  test("a chosen language sticks, even for a question sent at once after choosing it", async () => {
    const page = await openChat(browser);
    // A slow network: starting the conversation takes half a second.
    await page.route("**/api/conversations", async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      await route.continue();
    });
    await chooseLanguage(page, "en");
    const before = await messageCount(page);
    await page.locator("#chat-input").fill(SV_QUESTION);  // no typing delay: races the language change
    await page.locator("#chat-input").press("Enter");
    const reply = await waitForReply(page, before);
    assert.equal(await reply.getAttribute("lang"), "en");
    assert.equal(await reply.getAttribute("data-topic"), "loan.renew");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("the easy-to-read toggle gives easy Swedish: a different answer to the same question", async () => {
    const easy = await openChat(browser);
    await chooseLanguage(easy, "en");  // the toggle also switches the menu back to Swedish
    await easy.locator("#chat-easy").check();
    assert.equal(await easy.locator("#chat-language").inputValue(), "sv");
    const easyReply = await ask(easy, SV_QUESTION);
    assert.equal(await easyReply.getAttribute("lang"), "sv");
    await screenshot(easy, "easy-swedish");

    const normal = await openChat(browser);
    const normalReply = await ask(normal, SV_QUESTION);
    assert.equal(await normalReply.getAttribute("lang"), "sv");

    const easyText = await easyReply.innerText();
    const normalText = await normalReply.innerText();
    assert.notEqual(easyText, normalText, "the easy-to-read answer should differ from the normal one");
    assert.equal(await easyReply.getAttribute("data-topic"), await normalReply.getAttribute("data-topic"));
    assert.deepEqual([...easy.errors, ...normal.errors], []);
    await easy.context().close();
    await normal.context().close();
  });
});
