// axe-core (WCAG 2.0 and 2.1, levels A and AA) on the demo chat page in its main states.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { ARABIC_SCRIPT, SV_QUESTION, ask, assertNoAxeViolations, chooseLanguage, launch, openChat, screenshot } from "./helpers.mjs";

describe("accessibility (axe-core, WCAG 2.1 A and AA)", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("the initial page has no violations", async () => {
    const page = await openChat(browser);
    await assertNoAxeViolations(page, "on the initial page");
    await screenshot(page, "initial");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("a Swedish question and its answer have no violations", async () => {
    const page = await openChat(browser);
    const reply = await ask(page, SV_QUESTION);
    assert.equal(await reply.getAttribute("lang"), "sv");
    await assertNoAxeViolations(page, "after a Swedish question and answer");
    await screenshot(page, "swedish-answer");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("with Arabic selected (right to left) there are no violations", async () => {
    const page = await openChat(browser);
    await chooseLanguage(page, "ar");
    assert.equal(await page.locator("section.chat").getAttribute("dir"), "rtl");
    const reply = await ask(page, "كيف أجدد الكتب التي استعرتها؟");
    assert.match(await reply.innerText(), ARABIC_SCRIPT);
    await assertNoAxeViolations(page, "with Arabic selected");
    await screenshot(page, "arabic-rtl");
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });
});
