// axe-core (WCAG 2.0 and 2.1, levels A and AA: tags wcag2a, wcag2aa, wcag21a, wcag21aa) on the chat
// widget, embedded in the demo host page, in each of its states (closed, open, in a conversation,
// handed off to staff) in Swedish, English and Arabic; and on the accessibility statement and the
// privacy notice. A screenshot of every state is saved (var/test-results/screenshots/).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  ARABIC_SCRIPT, BASE_URL, HANDOFF, askForPerson, assertClean, assertNoAxeViolations, ask, chooseLanguage, launch, newPage, openChat,
  openWidget, screenshot,
} from "./helpers.mjs";

const QUESTIONS = {
  sv: "Hur lånar jag om mina böcker?",
  en: "How do I renew my books?",
  ar: "كيف أجدد الكتب التي استعرتها؟",
};

describe("accessibility (axe-core, WCAG 2.1 A and AA)", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  for (const lang of ["sv", "en", "ar"]) {
    test(`closed, open, conversation and handoff states in ${lang} have no violations`, async () => {
      const page = await openChat(browser, { open: false });
      if (lang !== "sv") {
        await openWidget(page);
        await chooseLanguage(page, lang);
        await page.keyboard.press("Escape");
        await page.locator("#chat-dialog").waitFor({ state: "hidden" });
      }
      // Closed: only the launcher, a labelled button in the page's corner.
      const launcher = page.locator("#chat-launcher");
      assert.equal(await launcher.getAttribute("aria-expanded"), "false");
      assert.ok((await launcher.innerText()).trim().length > 3, "the launcher has a visible label");
      await assertNoAxeViolations(page, `with the chat closed (${lang})`);
      await screenshot(page, `widget-closed-${lang}`);

      await openWidget(page);
      const dialog = page.locator("#chat-dialog");
      assert.equal(await dialog.getAttribute("role"), "dialog");
      assert.equal(await dialog.getAttribute("lang"), lang);
      assert.equal(await dialog.getAttribute("dir"), lang === "ar" ? "rtl" : "ltr");
      await assertNoAxeViolations(page, `with the chat open (${lang})`);
      await screenshot(page, `widget-open-${lang}`);

      const reply = await ask(page, QUESTIONS[lang]);
      assert.equal(await reply.getAttribute("lang"), lang);
      if (lang === "ar") assert.match(await reply.innerText(), ARABIC_SCRIPT);
      await assertNoAxeViolations(page, `in a conversation (${lang})`);
      await screenshot(page, `widget-conversation-${lang}`);

      const handoff = await askForPerson(page, HANDOFF[lang]);
      assert.equal(await handoff.getAttribute("lang"), lang);
      await page.locator("#chat-contact").waitFor({ state: "visible" });  // the optional contact form
      await assertNoAxeViolations(page, `after a handoff to staff (${lang})`);
      await screenshot(page, `widget-handoff-${lang}`);
      await assertClean(page);
      await page.context().close();
    });
  }

  for (const [path, name] of [["/tillganglighet", "accessibility-statement"], ["/integritet", "privacy-notice"]]) {
    test(`${path} has no violations and the widget links to it`, async () => {
      const page = await newPage(browser);
      const resp = await page.goto(BASE_URL + path);
      assert.equal(resp.status(), 200);
      assert.match(resp.headers()["content-security-policy"], /default-src 'none'/);
      await assertNoAxeViolations(page, `on ${path}`);
      await screenshot(page, name);
      await assertClean(page);

      const chat = await openChat(browser);
      const hrefs = await chat.locator("#chat-dialog a").evaluateAll((as) => as.map((a) => a.href));
      assert.ok(hrefs.includes(BASE_URL + path), `the widget links to ${path}: ${hrefs}`);
      await page.context().close();
      await chat.context().close();
    });
  }

  test("the accessibility statement follows DIGG's template", async () => {
    const page = await newPage(browser);
    await page.goto(BASE_URL + "/tillganglighet");
    const headings = await page.locator("h2").allInnerTexts();
    for (const h of [
      "Hur tillgänglig är webbplatsen?",
      "Vad kan du göra om du inte kan använda delar av webbplatsen?",
      "Rapportera brister i webbplatsens tillgänglighet",
      "Tillsynsmyndighet",
      "Teknisk information om webbplatsens tillgänglighet",
      "Innehåll som inte är tillgängligt",
      "Hur vi testat webbplatsen",
    ]) assert.ok(headings.includes(h), `missing section "${h}" in ${headings}`);
    assert.equal(await page.locator('a[href^="https://www.digg.se/"]').count(), 1);
    await page.context().close();
  });
});
