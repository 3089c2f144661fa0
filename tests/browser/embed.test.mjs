// Embedding: the widget on a page of another origin under a strict Content-Security-Policy
// (only the page itself and the API origin; nothing inline), with zero CSP violations; styles
// isolated both ways; a data-color without enough contrast is replaced (and a warning logged).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import {
  BASE_URL, HOST, SV_QUESTION, ask, assertClean, assertNoAxeViolations, launch, openChat, screenshot,
} from "./helpers.mjs";
import { startHostServer } from "./helpers.mjs";

describe("embedding on another site", () => {
  let browser, site;
  before(async () => {
    browser = await launch();
    site = await startHostServer();
  });
  after(async () => {
    await browser?.close();
    await new Promise((ok) => (site ? site.close(ok) : ok()));
  });

  test("cross-origin, under a strict CSP: a whole exchange with zero CSP violations", async () => {
    const page = await openChat(browser, { url: site.url + "/" });
    const csp = (await page.request.get(site.url + "/")).headers()["content-security-policy"];
    assert.match(csp, /default-src 'none'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.notEqual(new URL(site.url).origin, new URL(BASE_URL).origin, "the host page is another origin");
    const reply = await ask(page, SV_QUESTION);
    assert.equal(await reply.getAttribute("lang"), "sv");
    assert.equal(await reply.getAttribute("data-topic"), "loan.renew");
    // The token lives in the host page's sessionStorage, and the conversation resumes after a reload.
    await page.reload();
    await page.waitForFunction((h) => document.querySelector(h)?.shadowRoot?.querySelectorAll("#chat-log li").length === 2, HOST);
    await assertNoAxeViolations(page, "on the cross-origin host page");
    await screenshot(page, "embed-cross-origin");
    await assertClean(page);
    await page.context().close();
  });

  test("styles do not leak: the page's rules stay out of the widget and the widget's out of the page", async () => {
    const page = await openChat(browser);
    await ask(page, SV_QUESTION);
    const styles = await page.evaluate((h) => {
      const r = document.querySelector(h).shadowRoot;
      const pick = (el) => { const s = getComputedStyle(el); return { font: s.fontFamily, color: s.color, size: s.fontSize, transform: s.textTransform, bg: s.backgroundColor }; };
      return {
        pageLi: pick(document.querySelector("main li")),
        widgetLi: pick(r.querySelector("#chat-log li .text")),
        widgetSend: pick(r.getElementById("chat-send")),
        widgetRoot: pick(r.querySelector(".root")),
        pageLinks: document.querySelectorAll("link[rel=stylesheet]").length,
        pageStyles: [...document.styleSheets].map((s) => s.href),
      };
    }, HOST);
    // The host page's li colour, Georgia font, 62.5% root size and uppercase buttons do not apply.
    assert.notEqual(styles.widgetLi.color, styles.pageLi.color);
    assert.doesNotMatch(styles.widgetRoot.font, /Georgia/);
    assert.equal(styles.widgetRoot.size, "16px");
    assert.equal(styles.widgetSend.transform, "none");
    // The widget added no stylesheet to the page: its own lives in its shadow root.
    assert.equal(styles.pageLinks, 1);
    assert.deepEqual(styles.pageStyles, [BASE_URL + "/static/demo/demo.css"]);
    assert.equal(styles.pageLi.font.includes("Georgia"), true, "the page keeps its own font");
    await assertClean(page);
    await page.context().close();
  });

  test("a data-color without 4.5:1 contrast falls back to the default, with a console warning", async () => {
    const pale = await openChat(browser, { url: site.url + "/?color=%23ffcc00", open: false });
    const bg = await pale.locator("#chat-launcher").evaluate((b) => getComputedStyle(b).backgroundColor);
    assert.equal(bg, "rgb(0, 90, 140)");
    assert.ok(pale.warnings.some((w) => /data-color #ffcc00 .*contrast/.test(w)), pale.warnings.join("\n"));
    await assertClean(pale);
    await pale.context().close();

    const dark = await openChat(browser, { url: site.url + "/?color=%237a1f5c&lang=en", open: false });
    assert.equal(await dark.locator("#chat-launcher").evaluate((b) => getComputedStyle(b).backgroundColor), "rgb(122, 31, 92)");
    assert.equal(dark.warnings.length, 0);
    // data-language="en" starts the widget in English.
    assert.match(await dark.locator("#chat-launcher").innerText(), /Chat with the library/);
    await assertNoAxeViolations(dark, "with a custom colour");
    await assertClean(dark);
    await dark.context().close();
  });
});
