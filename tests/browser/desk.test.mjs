// The staff desk (/desk) end to end: a resident asks for a person in the demo chat, a staff member
// (another browser context) logs in with the demo account, finds the ticket in the queue, opens it,
// claims it and replies; the reply reaches the resident's page live, without a reload. axe-core
// checks the login page and the desk with a ticket open.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { BASE_URL, DEMO_STAFF, ask, assertNoAxeViolations, launch, openChat, screenshot, staffApi } from "./helpers.mjs";

const DEMO = DEMO_STAFF;
const HANDOFF_QUESTION = "Jag vill prata med en bibliotekarie";
const STAFF_REPLY = "Hej! Jag hjälper dig.";

const staffCount = (page) => page.locator("#chat-log li.staff").count();

async function openDesk(browser) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "sv-SE" });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  const errors = [];
  page.on("pageerror", (err) => errors.push(String(err)));
  page.errors = errors;
  await page.goto(BASE_URL + "/desk");
  await page.locator("#login-email").waitFor({ state: "visible" });
  return page;
}

/** Log in as a keyboard user does: type, Tab, type, Enter. */
async function logIn(page) {
  await page.locator("#login-email").focus();
  await page.keyboard.type(DEMO.email);
  await page.keyboard.press("Tab");
  await page.keyboard.type(DEMO.password);
  await page.keyboard.press("Enter");
  await page.locator("#desk-view").waitFor({ state: "visible" });
  await page.waitForFunction(() => document.querySelectorAll("#filter-library option").length > 1);
}

/** A resident conversation handed to staff through the API (for the live-queue check). */
async function handoffViaApi(text) {
  const created = await (await fetch(BASE_URL + "/api/conversations", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ channel: "web", locale: "sv" }),
  })).json();
  const resp = await fetch(`${BASE_URL}/api/conversations/${created.id}/messages`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: "Bearer " + created.token },
    body: JSON.stringify({ text }),
  });
  const body = await resp.json();
  assert.equal(body.messages[0].kind, "handoff");
  return created.id;
}

describe("staff desk", () => {
  let browser;
  before(async () => { browser = await launch(); });
  after(async () => { await browser?.close(); });

  test("the desk's login page has no axe violations", async () => {
    const page = await openDesk(browser);
    assert.equal(await page.locator("#desk-view").isHidden(), true);
    await assertNoAxeViolations(page, "on the desk's login page");
    await screenshot(page, "desk-login");

    // A wrong password is refused with a message, and nothing of the desk is shown.
    await page.locator("#login-email").fill(DEMO.email);
    await page.locator("#login-password").fill("not-the-password");
    await page.locator("#login-submit").click();
    await page.waitForFunction(() => document.getElementById("login-error").textContent.length > 0);
    assert.equal(await page.locator("#desk-view").isHidden(), true);
    assert.deepEqual(page.errors, []);
    await page.context().close();
  });

  test("resident asks for a person, staff claim and reply, the resident sees it live", async () => {
    // Page 1: the resident.
    const resident = await openChat(browser);
    await ask(resident, HANDOFF_QUESTION);
    const handoff = resident.locator('#chat-log li[data-kind="handoff"]');
    await handoff.waitFor();
    const conversationId = await resident.evaluate(
      () => JSON.parse(sessionStorage.getItem("bibliotekshjalpen.conversation")).id,
    );
    await resident.evaluate(() => { window.__notReloaded = true; });

    // Page 2: a staff member in a separate browser context.
    const desk = await openDesk(browser);
    await logIn(desk);
    const item = desk.locator(`#queue-list button[data-conversation-id="${conversationId}"]`);
    await item.waitFor();
    assert.match(await item.innerText(), /Väntar/);
    // Opened from the keyboard.
    await item.focus();
    await desk.keyboard.press("Enter");
    await desk.locator("#ticket-body").waitFor({ state: "visible" });

    const transcript = desk.locator("#transcript");
    const residentMsg = transcript.locator("li.resident", { hasText: HANDOFF_QUESTION });
    await residentMsg.waitFor();
    assert.equal(await residentMsg.getAttribute("lang"), "sv");
    const botHandoff = transcript.locator('li.bot[data-kind="handoff"]');
    await botHandoff.waitFor();
    assert.ok((await botHandoff.innerText()).includes((await handoff.innerText()).split("\n").pop().slice(0, 40)));
    assert.match(await desk.locator("#ticket-meta").innerText(), /Språk\s+\S+/);

    // Claim.
    await desk.locator("#act-claim").click();
    await desk.waitForFunction(() => document.getElementById("act-claim").disabled
      && !document.getElementById("reply-send").disabled);
    assert.match(await desk.locator("#ticket-meta").innerText(), /\(du\)/);
    await assertNoAxeViolations(desk, "on the desk with a ticket open");
    await screenshot(desk, "desk-ticket-open");

    // New tickets appear in the open desk without a reload.
    const otherId = await handoffViaApi("I want to talk to a librarian");
    await desk.locator(`#queue-list button[data-conversation-id="${otherId}"]`).waitFor({ timeout: 5_000 });

    // "Insert answer" puts the curated answer, in the resident's language, in the reply box as a draft.
    await desk.locator("#topic-select").selectOption("loan.renew");
    await desk.locator("#insert-answer").click();
    await desk.waitForFunction(() => document.getElementById("reply-text").value.length > 20);
    assert.equal(await desk.locator("#reply-text").getAttribute("lang"), "sv");
    assert.equal(await staffCount(resident), 0, "a draft is not sent");

    // An internal note is shown in the desk, never to the resident.
    await desk.locator("#note-text").fill("Intern: kolla lånekontot.");
    await desk.locator("#note-save").click();
    await desk.locator("#notes-list li", { hasText: "Intern: kolla lånekontot." }).waitFor();

    // Reply: it reaches the resident's page within 5 s, without a reload, exactly once.
    await desk.locator("#reply-text").fill(STAFF_REPLY);
    const sent = Date.now();
    await desk.locator("#reply-send").click();
    const staffReply = resident.locator("#chat-log li.staff", { hasText: STAFF_REPLY });
    await staffReply.waitFor({ timeout: 5_000 });
    const took = Date.now() - sent;
    assert.ok(took < 5_000, `the staff reply took ${took} ms`);
    assert.equal(await resident.evaluate(() => window.__notReloaded), true);
    await resident.waitForTimeout(500);
    assert.equal(await staffReply.count(), 1, "the staff reply is shown once");
    assert.equal(await resident.locator("#chat-log li.resident", { hasText: HANDOFF_QUESTION }).count(), 1);
    assert.equal(await handoff.count(), 1);
    assert.equal(await resident.locator("#chat-log", { hasText: "kolla lånekontot" }).count(), 0);
    await transcript.locator("li.staff", { hasText: STAFF_REPLY }).waitFor();
    await screenshot(resident, "desk-resident-sees-reply");

    // The resident answers; the message appears in the open ticket without a reload.
    await resident.locator("#chat-input").fill("Tack, jag väntar.");
    await resident.locator("#chat-input").press("Enter");
    await transcript.locator("li.resident", { hasText: "Tack, jag väntar." }).waitFor({ timeout: 5_000 });
    await screenshot(desk, "desk-live-message");

    // A reloaded desk finds its session; logout returns to the login form.
    await desk.reload();
    await desk.locator("#desk-view").waitFor({ state: "visible" });
    await desk.locator("#logout").click();
    await desk.locator("#login-view").waitFor({ state: "visible" });
    assert.equal(await desk.locator("#desk-view").isHidden(), true);

    assert.deepEqual(resident.errors, []);
    assert.deepEqual(desk.errors, []);
    await resident.context().close();
    await desk.context().close();
  });

  test("without the event stream the resident's chat polls, and shows a staff reply once", async () => {
    const resident = await openChat(browser);
    await resident.route("**/events?**", (route) => route.abort());  // EventSource fails at once
    await ask(resident, HANDOFF_QUESTION);
    await resident.locator('#chat-log li[data-kind="handoff"]').waitFor();
    const conversationId = await resident.evaluate(
      () => JSON.parse(sessionStorage.getItem("bibliotekshjalpen.conversation")).id,
    );
    const staff = await staffApi();
    const { tickets } = await staff("/api/staff/tickets?state=waiting");
    const ticket = tickets.find((t) => t.conversation_id === conversationId);
    assert.ok(ticket, "the ticket is in the queue");
    await staff(`/api/staff/tickets/${ticket.id}/claim`, {});
    await staff(`/api/staff/tickets/${ticket.id}/reply`, { text: "Svar via polling." });
    await resident.locator("#chat-log li.staff", { hasText: "Svar via polling." }).waitFor({ timeout: 8_000 });
    await resident.waitForTimeout(3_500);  // one more poll: nothing is shown twice
    assert.equal(await resident.locator("#chat-log li.staff").count(), 1);
    assert.equal(await resident.locator("#chat-log li.resident").count(), 1);
    assert.equal(await resident.locator('#chat-log li[data-kind="handoff"]').count(), 1);
    assert.deepEqual(resident.errors, []);
    await resident.context().close();
  });
});
