// Languages: UI strings in all 12 languages from one menu (the list comes from /api/languages),
// Arabic and Persian mirrored right to left, easy-to-read Swedish, and a chosen language that sticks.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ARABIC_SCRIPT, BASE_URL, HOST, SV_QUESTION, ask, assertClean, chooseLanguage, launch, messageCount, openChat,
  screenshot, waitForReply,
} from "./helpers.mjs";

describe("languages", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("the menu lists the API's languages and every one has its own UI strings", async () => {
    const languages = await (await fetch(BASE_URL + "/api/languages")).json();
    assert.equal(languages.length, 12);
    const page = await openChat(browser);
    const options = await page.locator("#chat-language option").evaluateAll((os) => os.map((o) => [o.value, o.lang, o.textContent]));
    assert.deepEqual(options, languages.map((l) => [l.code, l.code, l.name]));
    const seen = new Map();
    for (const l of languages) {
      await chooseLanguage(page, l.code);
      const dialog = page.locator("#chat-dialog");
      assert.equal(await dialog.getAttribute("dir"), l.dir, `${l.code} direction`);
      const label = (await page.locator("#chat-input-label").innerText()).trim();
      const send = (await page.locator("#chat-send").innerText()).trim();
      assert.ok(label && send, `${l.code} has strings`);
      seen.set(l.code, `${label}|${send}|${await page.locator("#chat-launcher-text, .launcher-text").first().textContent()}`);
      const body = await (await fetch(`${BASE_URL}/api/widget/strings?lang=${l.code}`)).json();
      assert.equal(body.status, ["sv", "en"].includes(l.code) ? "reviewed" : "draft");
    }
    assert.equal(new Set(seen.values()).size, languages.length, "each language has its own wording");
    await assertClean(page);
    await page.context().close();
  });

  for (const [code, name, question] of [
    ["ar", "العربية", "كيف أجدد الكتب التي استعرتها؟"],
    ["fa", "فارسی", "چطور کتاب‌هایم را تمدید کنم؟"],
  ]) {
    test(`choosing ${name} mirrors the whole chat right to left and the answer comes in ${code}`, async () => {
      const page = await openChat(browser);
      await page.locator("#chat-language").selectOption({ label: name });
      await page.waitForFunction(([h, c]) => document.querySelector(h).shadowRoot.getElementById("chat-dialog").lang === c, [HOST, code]);
      const dialog = page.locator("#chat-dialog");
      assert.equal(await dialog.getAttribute("dir"), "rtl");
      assert.equal(await dialog.evaluate((d) => getComputedStyle(d).direction), "rtl");

      const reply = await ask(page, question);
      assert.equal(await reply.getAttribute("lang"), code);
      assert.equal(await reply.getAttribute("dir"), "rtl");
      assert.match(await reply.innerText(), ARABIC_SCRIPT);
      assert.match(await page.locator("#chat-send").innerText(), ARABIC_SCRIPT, "the UI strings are in the language");
      // The resident's own question is shown right to left too (dir="auto" on their message).
      const mine = page.locator("#chat-log li.resident").last();
      assert.equal(await mine.evaluate((li) => getComputedStyle(li).direction), "rtl");

      // Mirrored layout: the send button sits to the left of the box, the title to the right of the
      // close button, the resident's messages on the left, the dialog in the bottom-left corner.
      const box = async (sel) => page.locator(sel).boundingBox();
      const [input, send] = [await box("#chat-input"), await box("#chat-send")];
      assert.ok(send.x + send.width <= input.x + 1, `send ${JSON.stringify(send)} left of the box ${JSON.stringify(input)}`);
      const [title, close] = [await box("#chat-title"), await box("#chat-close")];
      assert.ok(close.x + close.width <= title.x + 1, "close button on the left");
      const [me, bot] = [await mine.boundingBox(), await reply.boundingBox()];
      assert.ok(me.x < bot.x, "the resident's messages on the left side");
      const d = await box("#chat-dialog");
      assert.ok(d.x < 100, `the dialog is in the left corner (x=${d.x})`);
      await screenshot(page, `language-${code}`);

      // The launcher moves to the left corner too.
      await page.keyboard.press("Escape");
      const launcher = await box("#chat-launcher");
      assert.ok(launcher.x < 100, `the launcher is in the left corner (x=${launcher.x})`);
      assert.match(await page.locator("#chat-launcher").innerText(), ARABIC_SCRIPT);
      await screenshot(page, `language-${code}-closed`);
      await assertClean(page);
      await page.context().close();
    });
  }

  test("in Swedish the launcher and send button are on the right", async () => {
    const page = await openChat(browser);
    const [input, send] = [await page.locator("#chat-input").boundingBox(), await page.locator("#chat-send").boundingBox()];
    assert.ok(send.x >= input.x + input.width - 1);
    await page.keyboard.press("Escape");
    const launcher = await page.locator("#chat-launcher").boundingBox();
    assert.ok(launcher.x + launcher.width > 1024 - 100);
    await page.context().close();
  });

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
    await assertClean(page);
    await page.context().close();
  });

  test("the easy-to-read toggle gives easy Swedish: a different answer, and easy UI strings", async () => {
    const easy = await openChat(browser);
    await chooseLanguage(easy, "en");  // the toggle also switches the menu back to Swedish
    const normalLabel = "Din fråga";
    await easy.locator("#chat-easy").check();
    assert.equal(await easy.locator("#chat-language").inputValue(), "sv");
    await easy.waitForFunction((h) => document.querySelector(h).shadowRoot.getElementById("chat-dialog").lang === "sv", HOST);
    assert.notEqual((await easy.locator("#chat-input-label").innerText()).trim(), normalLabel);
    const easyReply = await ask(easy, SV_QUESTION);
    assert.equal(await easyReply.getAttribute("lang"), "sv");
    await screenshot(easy, "easy-swedish");

    const normal = await openChat(browser);
    assert.equal((await normal.locator("#chat-input-label").innerText()).trim(), normalLabel);
    const normalReply = await ask(normal, SV_QUESTION);
    assert.equal(await normalReply.getAttribute("lang"), "sv");

    const easyText = await easyReply.innerText();
    const normalText = await normalReply.innerText();
    assert.notEqual(easyText, normalText, "the easy-to-read answer should differ from the normal one");
    assert.equal(await easyReply.getAttribute("data-topic"), await normalReply.getAttribute("data-topic"));
    await assertClean(easy);
    await assertClean(normal);
    await easy.context().close();
    await normal.context().close();
  });
});
