// The coordinators' editor (/content) in a real browser, under the strict Content-Security-Policy of
// the demo pages (added to the page's response here: nothing inline may run). A coordinator logs
// in, edits a library's local version and the regional content, sees the change in the next answer
// through the real HTTP API, reads the history with its diff and reverts it; the review checkbox
// follows the languages the account speaks; try-it, the needs inbox (drafting a new topic from
// residents' own wordings), the insights charts from real conversations, import and export, a
// conflict (409) that keeps the typed text; axe-core in every view, keyboard-only use, 320 px and
// 200% zoom, a screenshot of each view (var/test-results/screenshots/content-*.png).
//
// The stack is shared with the other browser test files: everything changed here is put back
// (through the UI where that is the point, else through the API), counts are compared as deltas,
// new topics get random ids, and the libraries used for counting (nykvarn, vaxholm) are not used by
// other tests.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import {
  BASE_URL, DEMO_COORDINATOR, DEMO_STAFF, ROOT, STRICT_CSP, assertClean, assertNoAxeViolations, coordinatorApi, launch,
  newPage, residentConversation, screenshot, tabTo,
} from "./helpers.mjs";

const RUN = Math.random().toString(36).slice(2, 8);
const TITLE_OF_VIEW = {
  entries: "entries-title", entry: "entry-title", texts: "texts-title", try: "try-title", needs: "needs-title",
  insights: "insights-title", import: "import-title", changes: "changes-title",
};

/** The first question variant of a topic in data/faq/<lang>.yml (the seed file, read as text). */
function seedVariant(lang, topic) {
  const lines = readFileSync(join(ROOT, "data", "faq", `${lang}.yml`), "utf8").split("\n");
  let i = lines.findIndex((l) => l.trim() === `- topic: ${topic}`);
  assert.ok(i >= 0, `${topic} is in ${lang}.yml`);
  while (i < lines.length && lines[i].trim() !== "questions:") i++;
  const m = lines[i + 1].match(/^\s*-\s+(.+)$/);
  return m[1].trim().replace(/^(["'])(.*)\1$/, "$2");
}

const number = (text) => Number(String(text).replace(/[^\d-]/g, ""));

// ---- the page -----------------------------------------------------------------------------------

async function openContent(browser, { width = 1280, height = 900, hash = "", login = true, account = DEMO_COORDINATOR, contextOptions } = {}) {
  const page = await newPage(browser, { width, height, contextOptions });
  await page.route(`${BASE_URL}/content`, async (route) => {
    const response = await route.fetch();
    await route.fulfill({ response, headers: { ...response.headers(), "content-security-policy": STRICT_CSP } });
  });
  await page.goto(`${BASE_URL}/content${hash}`);
  await page.locator("#login-email").waitFor({ state: "visible" });
  if (login) await logIn(page, account);
  return page;
}

async function logIn(page, account = DEMO_COORDINATOR) {
  await page.locator("#login-email").fill(account.email);
  await page.locator("#login-password").fill(account.password);
  await page.locator("#login-submit").click();
  await page.locator("#nav").waitFor({ state: "visible" });
  await viewReady(page, "entries");
}

/** The router shows a view and then focuses its heading. */
async function viewReady(page, view) {
  await page.waitForFunction((id) => {
    const h = document.getElementById(id);
    const section = h?.closest("section.view");
    return document.activeElement === h && section && !section.hidden && !section.hasAttribute("aria-busy");
  }, TITLE_OF_VIEW[view]);
}

async function go(page, hash, view) {
  const same = await page.evaluate((h) => {
    if (location.hash === h) return true;  // already there: no hashchange, the heading keeps focus
    document.activeElement?.blur();
    location.hash = h;
    return false;
  }, hash);
  if (same) await page.locator(`#${TITLE_OF_VIEW[view]}`).focus();
  await viewReady(page, view);
}

async function editorShows(page, state) {
  await page.waitForFunction((st) => document.getElementById("view-entry").dataset.editing === st
    && document.getElementById("history-list").dataset.version === st.split("/")[0], state);
}

async function openEntry(page, topic, { version = "regional", lang = "sv" } = {}) {
  await go(page, `#/entries/${topic}`, "entry");
  await editorShows(page, "regional/sv");
  if (version !== "regional") {
    await page.locator("#version-select").selectOption(version);
    await editorShows(page, `${version}/sv`);
  }
  if (lang !== "sv") {
    await page.locator(`#lang-picker button[data-lang="${lang}"]`).click();
    await editorShows(page, `${version}/${lang}`);
  }
}

/** Wait until the polite status line says something matching `re`. */
async function status(page, re) {
  await page.waitForFunction((src) => new RegExp(src).test(document.getElementById("status").textContent), re.source);
  return page.locator("#status").textContent();
}

async function saveTranslation(page) {
  const [resp] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/api/curation/entries/") && r.request().method() === "PUT"),
    page.locator("#tr-save").click(),
  ]);
  assert.equal(resp.status(), 200, `the save is accepted: ${await resp.text()}`);
  return status(page, /^Sparat/);
}

const STATE_LABELS = { live: "Publicerad", draft: "Utkast", retired: "Tillbakadragen" };

async function setState(page, state, re) {
  await page.locator(`#state-actions button[data-state="${state}"]`).click();
  await status(page, re);
  // The status line may already have held a matching word: wait for the state itself.
  await page.waitForFunction((label) => document.getElementById("state-now").textContent.includes(label), STATE_LABELS[state]);
}

/** Revert the newest change in the shown history (confirming in the dialog). */
async function revertNewest(page) {
  const item = page.locator("#history-list li.change").first();
  const id = await item.getAttribute("data-change");
  await item.locator("button.revert").click();
  const dialog = page.locator("#confirm-dialog");
  await dialog.waitFor({ state: "visible" });
  assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-no", "the safe choice has focus in the dialog");
  await page.locator("#confirm-yes").click();
  await status(page, new RegExp(`Ändring ${id} är ångrad`));
  await page.waitForFunction((i) => document.querySelector("#history-list li.change")?.dataset.change !== i, id);
  return Number(id);
}

// ---- the API side -----------------------------------------------------------------------------------

/** Undo (through the API) every change of an entry version made after change `since`, newest
 * first, skipping what was already reverted: the safety net when a test fails half way. */
async function undoSince(curator, since, topic, library = null) {
  const { body } = await curator(`/api/curation/entries/${topic}/history?version=${library || "regional"}`);
  const mine = body.filter((c) => c.id > since);
  const undone = new Set(mine.filter((c) => c.revert_of).map((c) => c.revert_of));
  for (const c of mine) {
    if (c.revert_of || undone.has(c.id)) continue;
    await curator(`/api/curation/changes/${c.id}/revert`, { method: "POST", ok: false });
  }
}
const lastChangeId = async (curator) => (await curator("/api/curation/changes?limit=1")).body[0]?.id ?? 0;

async function withCleanup(body, cleanup) {
  try {
    await body();
  } catch (err) {
    await cleanup().catch((e) => console.error("cleanup failed:", e));
    throw err;
  }
}

async function answerOf(library, locale, question) {
  const conv = await residentConversation({ library, locale });
  const [reply] = await conv.ask(question);
  return reply;
}

// ---- the tests ----------------------------------------------------------------------------------

describe("the coordinators' content editor (/content)", () => {
  let browser, curator;
  before(async () => {
    browser = await launch();
    curator = await coordinatorApi();
  });
  after(async () => { await browser?.close(); });

  test("login: axe, a desk account is refused with a clear message, a wrong password too", async () => {
    const page = await openContent(browser, { login: false });
    assert.equal(await page.locator("#nav").isHidden(), true);
    assert.equal(await page.evaluate(() => document.activeElement.id), "login-email", "focus starts in the e-mail field");
    await assertNoAxeViolations(page, "on the content editor's login");
    await screenshot(page, "content-login");

    // A wrong password (the API's 401, answered here: real failed logins from this address would
    // count towards the login throttle that every browser test file shares).
    await page.route(`${BASE_URL}/api/staff/login`, (route) => route.fulfill({
      status: 401, contentType: "application/json", body: JSON.stringify({ detail: "Wrong e-mail address or password" }),
    }), { times: 1 });
    await page.locator("#login-email").fill(DEMO_COORDINATOR.email);
    await page.locator("#login-password").fill("not-the-password");
    await page.locator("#login-submit").click();
    await page.waitForFunction(() => /Fel e-postadress/.test(document.getElementById("login-error").textContent));
    assert.equal(await page.locator("#login-password").getAttribute("aria-invalid"), "true");
    assert.equal(await page.locator("#nav").isHidden(), true);

    await page.locator("#login-email").fill(DEMO_STAFF.email);
    await page.locator("#login-password").fill(DEMO_STAFF.password);
    await page.locator("#login-submit").click();
    await page.waitForFunction(() => /personalkonto/.test(document.getElementById("login-error").textContent));
    assert.equal(await page.locator("#nav").isHidden(), true, "nothing of the editor is shown to desk staff");
    assert.equal(await page.locator("#view-entries").isHidden(), true);
    await assertNoAxeViolations(page, "with the desk account refused");
    await screenshot(page, "content-login-refused");

    // The refused session was ended: the coordinator can log in right away in the same page.
    await logIn(page);
    assert.match(await page.title(), /^Innehåll – /);
    assert.match(await page.locator("#whoami").textContent(), /samordnare/);
    await assertClean(page);
    await page.context().close();
  });

  test("done when: Solna's local Somali text of loan.fees answers Solna's residents; other libraries get the regional text", async () => {
    const question = seedVariant("so", "loan.fees");
    const { body: entry } = await curator("/api/curation/entries/loan.fees");
    const regionalSo = entry.regional.translations.so.answer;
    const localBefore = entry.locals.find((l) => l.library === "solna") || null;
    const since = await lastChangeId(curator);
    const answer = `Maktabadda Solna: ganaax dib u dhac ma jiro ${RUN}. Buug aan la celin waa la bixiyaa.`;
    assert.equal((await answerOf("solna", "so", question)).topic, "loan.fees", "the seed variant finds loan.fees");

    const page = await openContent(browser);
    await withCleanup(async () => {
      // From the list: search, open the entry, pick Solna's version and Somali.
      await page.locator("#f-text").fill("loan.fees");
      await page.waitForFunction(() => document.querySelectorAll("#entries-list li.card").length === 1);
      await page.locator('#entries-list a[href="#/entries/loan.fees"]').click();
      await viewReady(page, "entry");
      assert.match(await page.title(), /loan\.fees/);
      await editorShows(page, "regional/sv");
      const options = await page.locator("#version-select option").evaluateAll((os) => os.map((o) => [o.value, o.textContent]));
      assert.ok(options.some(([v, t]) => v === "solna" && /Solna/.test(t)), "Solna's version can be picked (or created)");
      assert.ok(!options.some(([v]) => v === "nacka"), "another library's version cannot be created by a Solna coordinator");
      await page.locator("#version-select").selectOption("solna");
      await editorShows(page, "solna/sv");
      await page.locator('#lang-picker button[data-lang="so"]').click();
      await editorShows(page, "solna/so");
      const answerBox = page.locator("#tr-answer");
      assert.equal(await answerBox.getAttribute("lang"), "so");
      assert.equal(await answerBox.getAttribute("dir"), "ltr");
      await answerBox.fill(answer);
      await saveTranslation(page);
      if (!/Publicerad/.test(await page.locator("#state-now").textContent())) {
        await setState(page, "live", /publicerad/);  // a version retired by an earlier run is published again
      }
      assert.match(await page.locator("#state-now").textContent(), /Publicerad/);
      assert.match(await page.locator('#lang-picker button[data-lang="so"]').textContent(), /utkast/);
      await screenshot(page, "content-entry-local-so");

      // The real HTTP API: the next Solna resident gets the new text, a Nacka resident the regional one.
      const solna = await answerOf("solna", "so", question);
      assert.equal(solna.topic, "loan.fees");
      assert.equal(solna.text, answer, "Solna's resident reads the local Somali text");
      const nacka = await answerOf("nacka", "so", question);
      assert.equal(nacka.topic, "loan.fees");
      assert.equal(nacka.text, regionalSo, "another library's resident reads the regional Somali text");

      // Clean up: every change this test made is reverted, newest first (a version it created is
      // left retired; one an earlier run left gets its state and text back).
      await undoSince(curator, since, "loan.fees", "solna");
      if (!localBefore) {
        await curator("/api/curation/entries/loan.fees/solna/state", { method: "POST", json: { state: "retired" }, ok: false });
      }
      const after = await answerOf("solna", "so", question);
      assert.notEqual(after.text, answer, "after the clean-up Solna's residents no longer get the test text");
    }, () => undoSince(curator, since, "loan.fees", "solna"));
    await assertClean(page);
    await page.context().close();
  });

  test("a regional edit reaches the next answer; the history shows it as a diff; Revert brings the original back", async () => {
    const topic = "visit.wifi_computers";
    const { body: entry } = await curator(`/api/curation/entries/${topic}`);
    const original = entry.regional.translations.en.answer;
    let question = null;
    for (const q of entry.regional.translations.en.questions.slice(0, 8)) {
      const r = await answerOf("sundbyberg", "en", q);
      if (r.topic === topic && r.text === original) { question = q; break; }
    }
    assert.ok(question, `one of ${topic}'s English variants is answered with it`);
    const since = await lastChangeId(curator);
    const marker = `Test ${RUN}: ask staff for a guest login.`;

    const page = await openContent(browser);
    await withCleanup(async () => {
      await openEntry(page, topic, { lang: "en" });
      const reviewed = page.locator("#tr-reviewed");
      assert.equal(await reviewed.isEnabled(), true, "the coordinator speaks English");
      assert.equal(await reviewed.isChecked(), true, "the seeded English text is reviewed");
      await page.locator("#tr-answer").press("Control+End");
      await page.keyboard.type(" " + marker);
      assert.equal(await reviewed.isChecked(), false, "editing the visible text unchecks Granskad");
      await status(page, /krysset Granskad är borttaget/);
      await saveTranslation(page);

      const edited = await answerOf("sundbyberg", "en", question);
      assert.equal(edited.topic, topic);
      assert.equal(edited.text, `${original} ${marker}`, "the next resident reads the edited text");

      // The history: who, what, and the added words marked with <ins> (and said in words).
      const newest = page.locator("#history-list li.change").first();
      assert.match(await newest.locator(".change-head").textContent(), /Ändrad.*Engelska \(en\).*Demo Samordnare/s);
      const ins = newest.locator("dd ins");
      assert.match(await ins.first().textContent(), new RegExp(`tillagt: .*${RUN}`));
      assert.equal(await ins.first().locator(".sr-only").first().textContent(), "[tillagt: ");
      assert.match(await newest.textContent(), /Granskning.*granskad → utkast/s);
      await assertNoAxeViolations(page, "in the entry editor with its history");
      await screenshot(page, "content-history-diff");

      const reverted = await revertNewest(page);
      assert.equal(await page.locator("#tr-answer").inputValue(), original, "the form shows the original again");
      assert.equal(await page.locator("#tr-reviewed").isChecked(), true, "the review status came back too");
      assert.match(await page.locator("#history-list li.change").first().textContent(), new RegExp(`Återställd \\(ångrar ändring ${reverted}\\)`));
      const back = await answerOf("sundbyberg", "en", question);
      assert.equal(back.text, original, "after the revert residents read the original");
    }, () => undoSince(curator, since, topic));
    await assertClean(page);
    await page.context().close();
  });

  test("Granskad is enabled for a language the coordinator speaks (sv) and disabled, with the reason, for one they do not (so)", async () => {
    const page = await openContent(browser);
    await openEntry(page, "loan.fees", { lang: "sv" });
    const box = page.locator("#tr-reviewed");
    assert.equal(await box.isEnabled(), true);
    assert.doesNotMatch(await page.locator("#tr-reviewed-hint").textContent(), /går inte/);
    await page.locator('#lang-picker button[data-lang="so"]').click();
    await editorShows(page, "regional/so");
    assert.equal(await box.isDisabled(), true, "the coordinator (sv, en) cannot mark Somali reviewed");
    const hint = page.locator("#tr-reviewed-hint");
    assert.match(await hint.textContent(), /somaliska/);
    assert.ok((await box.getAttribute("aria-describedby")).split(" ").includes("tr-reviewed-hint"), "the reason is the checkbox's description");
    assert.equal(await page.locator('#lang-picker button[aria-current="true"]').getAttribute("data-lang"), "so");
    await page.locator('#lang-picker button[data-lang="ar"]').click();
    await editorShows(page, "regional/ar");
    assert.equal(await page.locator("#tr-answer").getAttribute("dir"), "rtl", "Arabic is edited right to left");
    assert.equal(await page.locator("#tr-questions").getAttribute("lang"), "ar");
    await screenshot(page, "content-entry-arabic");
    await assertClean(page);
    await page.context().close();
  });

  test("try it: Solna's question gets Solna's local version, another library's the regional one", async () => {
    const question = seedVariant("so", "loan.fees");
    const since = await lastChangeId(curator);
    const local = `Solna (testa ${RUN}): ganaax ma jiro.`;
    const { body: entry } = await curator("/api/curation/entries/loan.fees");
    const regionalSo = entry.regional.translations.so.answer;
    const localBefore = entry.locals.find((l) => l.library === "solna") || null;
    const cleanup = async () => {
      await undoSince(curator, since, "loan.fees", "solna");
      const { body: after } = await curator("/api/curation/entries/loan.fees");
      const state = after.locals.find((l) => l.library === "solna")?.state;
      if (state && state !== (localBefore?.state ?? "retired")) {
        await curator("/api/curation/entries/loan.fees/solna/state", { method: "POST", json: { state: localBefore?.state ?? "retired" } });
      }
    };
    const page = await openContent(browser);
    await withCleanup(async () => {
      const expected = localBefore?.translations?.so?.version ?? 0;
      await curator("/api/curation/entries/loan.fees/solna/so", {
        method: "PUT", json: { title: "Lacag dib u dhac", answer: local, version: expected },
      });
      const { body: now } = await curator("/api/curation/entries/loan.fees");
      if (now.locals.find((l) => l.library === "solna").state !== "live") {
        await curator("/api/curation/entries/loan.fees/solna/state", { method: "POST", json: { state: "live" } });
      }

      await go(page, "#/try", "try");
      assert.equal(await page.locator("#try-library").inputValue(), "solna", "the coordinator's own library is the default");
      await page.locator("#try-text").fill(question);
      await page.locator("#try-submit").click();
      await page.waitForFunction(() => document.activeElement?.id === "try-result-title");
      assert.equal(await page.locator("#try-decision").getAttribute("data-decision"), "faq");
      assert.match(await page.locator("#try-decision").textContent(), /Svarar direkt.*Ämne loan\.fees, säkerhet \d+\s%/);
      assert.equal(await page.locator("#try-answer-version").getAttribute("data-version"), "solna");
      assert.match(await page.locator("#try-answer-version").textContent(), /Lokal version för Solna/);
      assert.equal(await page.locator("#try-answer-text").textContent(), local);
      assert.equal(await page.locator("#try-answer-text").getAttribute("lang"), "so");
      assert.match(await page.locator("#try-summary").textContent(), /Somaliska \(so\)/);
      const first = page.locator("#try-candidates tbody tr").first();
      assert.equal(await first.locator("td").nth(1).textContent(), "loan.fees");
      const headers = await page.locator("#try-candidates thead th").allTextContents();
      assert.deepEqual(headers, ["Plats", "Ämne", "Titel", "Säkerhet", "Poäng", "Semantisk", "Ordlikhet"]);
      assert.match(await first.locator("td").nth(3).textContent(), /^\d+\s%$/, "the confidence as a percentage");
      assert.equal(await first.locator("td").nth(2).getAttribute("lang"), "so", "the title is marked with its language");
      // Rasa's intents, or a note that it could not be asked: one of the two, never both.
      const rasaAsked = await page.locator("#try-intents-box").isVisible();
      assert.notEqual(rasaAsked, await page.locator("#try-rasa-note").isVisible());
      if (rasaAsked) {
        assert.ok((await page.locator("#try-intents tbody tr[data-intent]").count()) >= 2, "the intents are listed");
        assert.match(await page.locator("#try-intents tbody tr").first().locator("td").nth(1).textContent(), /^\d+\s%$/);
      } else {
        assert.match(await page.locator("#try-rasa-note").textContent(), /Rasa kunde inte tillfrågas/);
      }
      assert.match(await page.locator("#try-thresholds").textContent(), /svarar direkt när ett ämne har minst \d+\s%/);
      assert.ok((await page.locator("#try-candidates tbody tr").count()) >= 2, "the candidates table lists the top topics");
      await assertNoAxeViolations(page, "in try-it with a result");
      await screenshot(page, "content-try-result");

      await page.locator("#try-library").selectOption("nacka");
      await page.locator("#try-submit").click();
      await page.waitForFunction(() => document.getElementById("try-answer-version")?.dataset.version === "regional");
      assert.equal(await page.locator("#try-answer-text").textContent(), regionalSo);
      assert.match(await page.locator("#try-answer-version").textContent(), /Regional version/);
    }, cleanup);
    await cleanup();
    assert.notEqual((await answerOf("solna", "so", question)).text, local, "the test text is gone again");
    await assertClean(page);
    await page.context().close();
  });

  test("needs inbox: residents' questions in two languages form a group; a new topic is drafted from it with their wordings", async () => {
    const library = "nykvarn";
    const asked = { sv: "Får man ta med sin hund in på biblioteket?", en: "Are dogs allowed inside the library?" };
    for (const [locale, text] of Object.entries(asked)) {
      const conv = await residentConversation({ library, locale });
      const [reply] = await conv.ask(text);
      // An answer that misses gets a thumbs down; a clarify or off-topic reply is in the inbox already.
      if (reply.kind === "faq") await conv.rate(reply.id, "down");
    }
    const topic = `visit.test_dogs_${RUN}`;
    const page = await openContent(browser);
    await go(page, "#/needs", "needs");
    await page.locator("#needs-library").selectOption(library);
    const group = page.locator("li.group", { has: page.locator(".q-text", { hasText: asked.sv }) }).first();
    await group.waitFor();
    assert.equal(await group.locator(".q-text", { hasText: asked.en }).count() >= 1, true, "the English question is in the same group");
    assert.equal(await group.locator(".q-text", { hasText: asked.sv }).first().getAttribute("lang"), "sv");
    assert.equal(await group.locator(".q-text", { hasText: asked.en }).first().getAttribute("lang"), "en");
    assert.ok(number(await group.locator(".group-size").textContent()) >= 2);
    assert.match(await group.locator(".act-add").textContent(), /^Lägg till som frågevarianter till /);
    await assertNoAxeViolations(page, "in the needs inbox");
    await screenshot(page, "content-needs-group");

    await group.locator(".act-draft").click();
    const dialog = page.locator("#topic-dialog");
    await dialog.waitFor({ state: "visible" });
    assert.equal(await page.evaluate(() => document.activeElement.id), "topic-id", "focus moves into the dialog");
    assert.equal(await page.locator("#topic-question").inputValue(), asked.sv, "prefilled with the residents' Swedish question");
    assert.match(await page.locator("#topic-id").inputValue(), /^[a-z]+\.[a-z0-9_]+$/);
    await assertNoAxeViolations(page, "with the draft dialog open");
    await screenshot(page, "content-needs-draft-dialog");
    await page.locator("#topic-id").fill(topic);
    await page.locator("#topic-title").fill("Hundar på biblioteket");
    await page.locator("#topic-submit").click();
    await viewReady(page, "entry");
    await editorShows(page, "regional/sv");
    assert.match(await page.locator("#entry-title").textContent(), new RegExp(topic.replace(".", "\\.")));
    assert.match(await page.locator("#tr-questions").inputValue(), new RegExp(asked.sv.replace("?", "\\?")));
    await withCleanup(async () => {
      const { body: made } = await curator(`/api/curation/entries/${topic}`);
      assert.equal(made.regional.state, "draft");
      assert.ok(made.regional.translations.sv.questions.includes(asked.sv), "the Swedish wording is a variant");
      assert.ok(made.regional.translations.en.questions.includes(asked.en), "the English wording is a variant");
      const { body: open } = await curator(`/api/needs?library=${library}`);
      assert.ok(!open.groups.some((g) => g.questions.some((q) => q.text === asked.sv)), "the group left the inbox");

      // Clean up: retire the draft in the UI.
      await setState(page, "retired", /tillbakadragen/);
      assert.match(await page.locator("#state-now").textContent(), /Tillbakadragen/);

      // Dismissing a group takes it out of the inbox; it is listed under "Avfärdade".
      const offTopic = `Vilken tid går pendeltåget från Nykvarn till Södertälje på söndagar ${RUN}?`;
      const conv = await residentConversation({ library, locale: "sv" });
      const [reply] = await conv.ask(offTopic);
      if (reply.kind === "faq") await conv.rate(reply.id, "down");
      await go(page, "#/needs", "needs");
      await page.locator("#needs-library").selectOption(library);
      const other = page.locator("li.group", { has: page.locator(".q-text", { hasText: offTopic }) }).first();
      await other.waitFor();
      await other.locator(".act-dismiss").click();
      await status(page, /avfärdad/);
      await page.waitForFunction((t) => ![...document.querySelectorAll("#needs-groups .q-text")].some((q) => q.textContent === t), offTopic);
      await page.locator("#needs-state").selectOption("dismissed");
      await page.locator("li.group", { has: page.locator(".q-text", { hasText: offTopic }) }).first().waitFor();
    }, () => curator(`/api/curation/entries/${topic}/regional/state`, { method: "POST", json: { state: "retired" }, ok: false }));
    await assertClean(page);
    await page.context().close();
  });

  test("needs inbox: a new wording of an existing topic becomes its question variant at once (then reverted)", async () => {
    const library = "nykvarn", topic = "visit.wifi_computers";
    const wording = `Finns det trådlöst nätverk för besökare i Nykvarn ${RUN}?`;
    const conv = await residentConversation({ library, locale: "sv" });
    const [reply] = await conv.ask(wording);
    if (reply.kind === "faq") await conv.rate(reply.id, "down");
    const since = await lastChangeId(curator);
    const page = await openContent(browser);
    await withCleanup(async () => {
      await go(page, "#/needs", "needs");
      await page.locator("#needs-library").selectOption(library);
      const group = page.locator("li.group", { has: page.locator(".q-text", { hasText: wording }) }).first();
      await group.waitFor();
      await group.locator("select.add-topic").selectOption(topic);
      assert.equal(await group.locator(".act-add").textContent(), "Lägg till som frågevarianter till Wifi och datorer");
      await group.locator(".act-add").click();
      await status(page, /frågevarianter lades till i Wifi och datorer/);
      await page.waitForFunction((t) => ![...document.querySelectorAll("#needs-groups .q-text")].some((q) => q.textContent === t), wording);
      const { body } = await curator(`/api/curation/entries/${topic}`);
      assert.ok(body.regional.translations.sv.questions.includes(wording), "the wording is a Swedish variant now");
      const again = await answerOf(library, "sv", wording);
      assert.equal(again.topic, topic, "the next resident asking it that way gets the topic");
    }, async () => {});
    await undoSince(curator, since, topic);
    const { body: after } = await curator(`/api/curation/entries/${topic}`);
    assert.ok(!after.regional.translations.sv.questions.includes(wording), "the variant is reverted");
    await assertClean(page);
    await page.context().close();
  });

  test("insights: the charts and their tables show the conversations just made, for the library and today", async () => {
    const library = "vaxholm";
    const { body: plain } = await curator("/api/insights");
    const today = plain.period.to;
    const { body: base } = await curator(`/api/insights?start=${today}&end=${today}&library=${library}`);
    const row = (list, id, field = "conversations") => list.find((r) => r.id === id)?.[field] ?? 0;
    for (const [locale, text] of [["sv", "Hur lånar jag om mina böcker?"], ["sv", "Kan jag förlänga lånen på mina böcker?"], ["en", "How do I renew my books?"]]) {
      const conv = await residentConversation({ library, locale });
      await conv.ask(text);
    }

    const page = await openContent(browser);
    await go(page, "#/insights", "insights");
    await page.locator("#ins-start").fill(today);
    await page.locator("#ins-end").fill(today);
    await page.locator("#ins-library").selectOption(library);
    await page.locator("#ins-submit").click();
    await status(page, /Vaxholm/);
    assert.ok(number(await page.locator("#kpi-conversations .kpi-value").textContent()) >= base.totals.conversations + 3);

    const cell = async (chart, id, col = 0) => number(await page.locator(`#${chart} table tr[data-id="${id}"] td`).nth(col).textContent());
    assert.ok(await cell("chart-per-day", today) >= base.totals.conversations + 3, "conversations per day");
    assert.ok(await cell("chart-library", library) >= row(base.by_library, library) + 3, "by library");
    assert.ok(await cell("chart-language", "sv") >= row(base.by_language, "sv") + 2, "by language (sv)");
    assert.ok(await cell("chart-language", "en") >= row(base.by_language, "en") + 1, "by language (en)");
    assert.ok(await cell("chart-channel", "web") >= row(base.by_channel, "web") + 3, "by channel");
    const renewBefore = base.top_topics.find((t) => t.topic === "loan.renew")?.answered ?? 0;
    assert.ok(await cell("chart-topics", "loan.renew") >= renewBefore + 3, "top topics");

    // Each chart: an image named by its heading and described in words, its data in a real table.
    for (const id of ["chart-per-day", "chart-library", "chart-language", "chart-channel", "chart-topics"]) {
      const img = page.locator(`#${id} [role="img"]`);
      assert.equal(await img.count(), 1, `${id} has one image`);
      const name = await img.evaluate((e) => document.getElementById(e.getAttribute("aria-labelledby")).textContent);
      assert.equal(name, await page.locator(`#${id} h3`).textContent());
      const desc = await img.evaluate((e) => document.getElementById(e.getAttribute("aria-describedby")).textContent);
      assert.match(desc, /\d/, `${id} is summarised with its numbers`);
      await page.waitForFunction((c) => document.querySelectorAll(`#${c} svg rect`).length > 0, id);
      const fill = await page.locator(`#${id} svg rect`).first().getAttribute("fill");
      assert.ok(contrast(fill, "#ffffff") >= 3, `${id}: bars ${fill} have 3:1 against the background`);
      assert.ok(await page.locator(`#${id} svg text`).count() > 0, `${id} writes its values, not colour alone`);
    }
    await page.locator("#chart-library details summary").click();
    assert.equal(await page.locator("#chart-library table").isVisible(), true, "Visa som tabell opens the table");
    await assertNoAxeViolations(page, "in the insights view");
    await page.locator("#ins-charts").scrollIntoViewIfNeeded();
    await screenshot(page, "content-insights-library-today");

    // A period without anything: empty states instead of empty charts.
    await page.locator("#ins-start").fill("2001-01-01");
    await page.locator("#ins-end").fill("2001-01-07");
    await page.locator("#ins-submit").click();
    await status(page, /2001-01-01/);
    assert.match(await page.locator("#chart-per-day .chart-empty").textContent(), /Inga samtal/);
    assert.equal(await page.locator("#chart-per-day svg").count(), 0);
    await assertNoAxeViolations(page, "in the insights view with an empty period");
    await assertClean(page);
    await page.context().close();
  });

  test("import and export: the downloads work, the exported YAML is a no-op, an invalid CSV lists its errors and changes nothing", async () => {
    const page = await openContent(browser);
    await go(page, "#/import", "import");
    const downloads = await page.evaluate(async () => {
      const out = {};
      for (const id of ["export-yaml", "export-csv-faq", "export-csv-texts"]) {
        const a = document.getElementById(id);
        const r = await fetch(a.href, { credentials: "same-origin" });
        const bytes = new Uint8Array(await r.arrayBuffer());
        out[id] = {
          status: r.status, type: r.headers.get("content-type"), disposition: r.headers.get("content-disposition"),
          bom: bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf,
          text: new TextDecoder("utf-8", { ignoreBOM: false }).decode(bytes), download: a.hasAttribute("download"),
        };
      }
      return out;
    });
    for (const [id, d] of Object.entries(downloads)) {
      assert.equal(d.status, 200, id);
      assert.ok(d.download, `${id} is a download link`);
      assert.match(d.disposition, /attachment; filename=/, id);
    }
    assert.match(downloads["export-yaml"].type, /yaml/);
    assert.match(downloads["export-yaml"].text, /^format: bibliotekshjalpen-content$/m);
    assert.match(downloads["export-csv-faq"].type, /text\/csv/);
    assert.ok(downloads["export-csv-faq"].bom && downloads["export-csv-faq"].text.startsWith("topic,library,language"), "the FAQ CSV has its BOM and columns");
    assert.ok(downloads["export-csv-texts"].bom && downloads["export-csv-texts"].text.startsWith("key,"), "the texts CSV has its BOM and columns");

    // The export checked again: nothing would change; importing it changes nothing either.
    const since = await lastChangeId(curator);
    await page.locator("#import-file").setInputFiles({ name: "bibliotekshjalpen-content.yml", mimeType: "application/yaml", buffer: Buffer.from(downloads["export-yaml"].text) });
    await page.waitForFunction(() => /Kontrollera/.test(document.getElementById("import-file-info").textContent));
    assert.equal(await page.locator("#import-format").inputValue(), "yaml", "the format follows the file name");
    assert.equal(await page.locator("#import-apply").isDisabled(), true, "import needs a check first");
    await page.locator("#import-check").click();
    await page.locator("#import-result").waitFor({ state: "visible" });
    assert.equal(await page.locator("#import-summary").getAttribute("data-changed"), "0", await page.locator("#import-summary").textContent());
    await screenshot(page, "content-import-dry-run");
    await page.locator("#import-apply").click();
    await page.locator("#confirm-dialog").waitFor({ state: "visible" });
    await page.locator("#confirm-yes").click();
    await page.waitForFunction(() => /sparade/.test(document.getElementById("import-summary").textContent));
    assert.equal(await page.locator("#import-summary").getAttribute("data-changed"), "0");
    assert.equal(await lastChangeId(curator), since, "importing the export recorded no change");

    // An unknown topic id in the CSV: every problem listed, nothing written.
    const unknown = `nope.unknown_${RUN}`;
    const bad = downloads["export-csv-faq"].text.replace("\nabout.contact,", `\n${unknown},`);
    assert.notEqual(bad, downloads["export-csv-faq"].text);
    await page.locator("#import-file").setInputFiles({ name: "bad.csv", mimeType: "text/csv", buffer: Buffer.from(bad) });
    await page.waitForFunction(() => /CSV/.test(document.getElementById("import-file-info").textContent));
    assert.equal(await page.locator("#import-format").inputValue(), "csv");
    await page.locator("#import-check").click();
    await page.locator("#import-errors").waitFor({ state: "visible" });
    const errors = await page.locator("#import-error-list li").allTextContents();
    assert.ok(errors.some((e) => e.includes(unknown)), `the unknown topic is named: ${errors.join(" | ")}`);
    assert.match(await page.locator("#import-errors").textContent(), /ingenting har ändrats/);
    assert.equal(await page.locator("#import-file").getAttribute("aria-invalid"), "true");
    assert.ok((await page.locator("#import-file").getAttribute("aria-describedby")).includes("import-errors"));
    assert.equal(await page.locator("#import-apply").isDisabled(), true);
    assert.equal(await lastChangeId(curator), since, "nothing was written");
    await assertNoAxeViolations(page, "in import with errors");
    await screenshot(page, "content-import-errors");
    await assertClean(page);
    await page.context().close();
  });

  test("a new topic from the list; a save over a newer version gets 409 and keeps the typed text; publishing is refused with the reason", async () => {
    const topic = `visit.test_conflict_${RUN}`;
    const page = await openContent(browser);
    await page.locator("#new-topic").click();
    await page.locator("#topic-dialog").waitFor({ state: "visible" });
    assert.equal(await page.evaluate(() => document.activeElement.id), "topic-id");
    // Wrong id first: the error is the field's description and announced.
    await page.locator("#topic-id").fill("Inte Ett Id");
    await page.locator("#topic-submit").click();
    assert.match(await page.locator("#topic-id-error").textContent(), /område\.namn/);
    assert.equal(await page.locator("#topic-id").getAttribute("aria-invalid"), "true");
    await page.keyboard.press("Escape");
    await page.locator("#topic-dialog").waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement.id), "new-topic", "focus returns to the button");
    await page.locator("#new-topic").click();
    await page.locator("#topic-id").fill(topic);
    await page.locator("#topic-area").selectOption("visit");
    await page.locator("#topic-question").fill("Kan man testa konflikter?");
    await page.locator("#topic-title").fill("Konflikttest");
    await page.locator("#topic-submit").click();
    await viewReady(page, "entry");
    await editorShows(page, "regional/sv");
    await withCleanup(async () => {
      assert.match(await page.locator("#state-now").textContent(), /Utkast/);
      const mine = `Mitt svar ${RUN}`;
      await page.locator("#tr-answer").fill(mine);
      // Meanwhile someone else saves the same text.
      const { body } = await curator(`/api/curation/entries/${topic}`);
      const sv = body.regional.translations.sv;
      await curator(`/api/curation/entries/${topic}/regional/sv`, { method: "PUT", json: { title: sv.title, answer: "Någon annans svar", version: sv.version } });
      await page.locator("#tr-save").click();
      await page.locator("#tr-error").waitFor({ state: "visible" });
      assert.match(await page.locator("#tr-error").textContent(), /konflikt/);
      assert.match(await page.locator("#tr-error").textContent(), /Någon annans svar/, "the other version is shown");
      assert.equal(await page.locator("#tr-answer").inputValue(), mine, "the typed text is still in the form");
      assert.equal(await page.evaluate(() => document.activeElement.id), "tr-overwrite");
      await assertNoAxeViolations(page, "with a save conflict shown");
      await screenshot(page, "content-conflict");
      await page.locator("#tr-overwrite").click();
      await status(page, /^Sparat/);
      assert.equal((await curator(`/api/curation/entries/${topic}`)).body.regional.translations.sv.answer, mine);

      // Publishing needs an English text: the API's reason is shown.
      await page.locator('#state-actions button[data-state="live"]').click();
      await page.waitForFunction(() => /en text is missing/.test(document.getElementById("state-error").textContent));
      assert.match(await page.locator("#state-error").textContent(), /kan inte publiceras/);

      // A second language, then deleted again (after a confirmation).
      await page.locator('#lang-picker button[data-lang="en"]').click();
      await editorShows(page, "regional/en");
      await page.locator("#tr-title").fill("Conflict test");
      await page.locator("#tr-answer").fill("An answer.");
      assert.equal(await page.locator("#tr-reviewed").isChecked(), false, "a new text starts as a draft");
      await page.locator("#tr-reviewed").check();
      await saveTranslation(page);
      assert.match(await page.locator('#lang-picker button[data-lang="en"]').textContent(), /granskad/, "saved as reviewed: the coordinator speaks English");
      await page.locator("#tr-delete").click();
      await page.locator("#confirm-dialog").waitFor({ state: "visible" });
      await page.locator("#confirm-yes").click();
      await status(page, /borttagen/);
      assert.match(await page.locator('#lang-picker button[data-lang="en"]').textContent(), /saknas/);
      await setState(page, "retired", /tillbakadragen/);
    }, () => curator(`/api/curation/entries/${topic}/regional/state`, { method: "POST", json: { state: "retired" }, ok: false }));
    await assertClean(page);
    await page.context().close();
  });

  test("keyboard only: skip link, log in, find a topic, save a translation, a dialog that gives focus back", async () => {
    const topic = `visit.test_keys_${RUN}`;
    await curator("/api/curation/entries", { method: "POST", json: { topic, area: "visit", question: "Tangentbordstest", title: "Tangentbordstest" } });
    const page = await openContent(browser, { login: false });
    try {
      // The page opens with focus in the e-mail field (once it knows there is no session); before it
      // there is only the skip link.
      await page.waitForFunction(() => document.activeElement?.id === "login-email");
      assert.equal(await tabTo(page, ".skip", { shift: true, max: 3 }), 1, "the skip link comes first");
      assert.notEqual(await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle), "none", "focus is visible");
      await page.keyboard.press("Enter");
      assert.equal(await page.evaluate(() => document.activeElement.id), "main", "the skip link moves focus to the main content");
      await tabTo(page, "#login-email");
      await page.keyboard.type(DEMO_COORDINATOR.email);
      await page.keyboard.press("Tab");
      await page.keyboard.type(DEMO_COORDINATOR.password);
      await page.keyboard.press("Enter");
      await viewReady(page, "entries");

      await tabTo(page, "#f-text");
      await page.keyboard.type(topic);
      await page.waitForFunction(() => document.querySelectorAll("#entries-list li.card").length === 1);
      await tabTo(page, "#entries-list a");
      await page.keyboard.press("Enter");
      await viewReady(page, "entry");
      await editorShows(page, "regional/sv");
      await tabTo(page, "#tr-answer");
      const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
      assert.notEqual(outline, "none", "the focused field shows its focus");
      await page.keyboard.type("Svar skrivet med tangentbordet.");
      await tabTo(page, "#tr-save");
      await screenshot(page, "content-keyboard-save");
      await page.keyboard.press("Enter");
      await status(page, /^Sparat/);
      const { body } = await curator(`/api/curation/entries/${topic}`);
      assert.equal(body.regional.translations.sv.answer, "Svar skrivet med tangentbordet.");

      // The confirmation of a revert: focus goes in, Escape cancels, focus comes back.
      await tabTo(page, "#history-list button.revert");
      const revertId = await page.evaluate(() => document.activeElement.dataset.change);
      await page.keyboard.press("Enter");
      await page.locator("#confirm-dialog").waitFor({ state: "visible" });
      assert.equal(await page.evaluate(() => document.activeElement.id), "confirm-no");
      await page.keyboard.press("Escape");
      await page.locator("#confirm-dialog").waitFor({ state: "hidden" });
      assert.equal(await page.evaluate(() => document.activeElement.dataset.change), revertId, "focus is back on the Revert button");

      // The navigation works from the keyboard too, and moves focus to the new view's heading.
      await tabTo(page, '#nav a[data-view="changes"]', { shift: true, max: 120 });
      await page.keyboard.press("Enter");
      await viewReady(page, "changes");
      assert.match(await page.title(), /^Senaste ändringar/);
      assert.equal(await page.locator('#nav a[aria-current="page"]').getAttribute("data-view"), "changes");
    } finally {
      await curator(`/api/curation/entries/${topic}/regional/state`, { method: "POST", json: { state: "retired" } });
    }
    await assertClean(page);
    await page.context().close();
  });

  test("every view: axe-core finds nothing, a screenshot of each; 320 px and 200% zoom without sideways scrolling", async () => {
    const views = [
      ["entries", "#/entries"], ["entry", "#/entries/loan.renew"], ["texts", "#/texts"], ["try", "#/try"], ["needs", "#/needs"],
      ["insights", "#/insights"], ["import", "#/import"], ["changes", "#/changes"],
    ];
    const page = await openContent(browser);
    for (const [view, hash] of views) {
      await go(page, hash, view);
      assert.ok((await page.title()).endsWith("Bibliotekshjälpen för samordnare"), `${view}: the title names the view`);
      assert.equal(await page.locator("main h2:visible").first().evaluate((h) => h === document.activeElement), true);
      await assertNoAxeViolations(page, `in the ${view} view`);
      await screenshot(page, `content-${view}`);
    }
    // Bot texts: a placeholder error from the API is shown next to its field (nothing is saved).
    await go(page, "#/texts", "texts");
    const field = page.locator("#text-handoff_online-input");
    await field.fill("Personalen svarar snart.");
    await page.locator('li[data-key="handoff_online"] button[type="submit"]').click();
    await page.waitForFunction(() => /minutes/.test(document.getElementById("text-handoff_online-error").textContent));
    assert.equal(await field.getAttribute("aria-invalid"), "true");
    assert.ok((await field.getAttribute("aria-describedby")).includes("text-handoff_online-error"));
    await assertNoAxeViolations(page, "in the bot texts with a placeholder error");
    await screenshot(page, "content-texts-error");
    await page.context().close();

    for (const [label, options] of [["narrow-320", { width: 320, height: 800 }],
      ["zoom-200", { width: 640, height: 450, contextOptions: { deviceScaleFactor: 2 } }]]) {
      const small = await openContent(browser, options);
      for (const [view, hash] of views) {
        await go(small, hash, view);
        const overflow = await small.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `${label}, ${view}: no sideways scrolling (${overflow} px too wide)`);
        if (view === "insights") await small.locator("#chart-per-day").scrollIntoViewIfNeeded();
        if (["entries", "entry", "insights"].includes(view)) await screenshot(small, `content-${label}-${view}`);
      }
      await assertNoAxeViolations(small, `at ${label}`);
      await assertClean(small);
      await small.context().close();
    }
  });
});

/** WCAG contrast ratio of two #rrggbb colours. */
function contrast(a, b) {
  const lum = (hex) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
      .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}
