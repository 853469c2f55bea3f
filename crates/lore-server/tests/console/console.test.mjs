// The web console in a real browser: Debian's chromium, headless, driven by
// playwright-core, against a running `lore serve` that
// scripts/console-test.sh starts with reader, agent and approver tokens.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";

const env = (name) => {
  const value = process.env[name];
  assert.ok(value, `${name} is not set: run this through scripts/console-test.sh`);
  return value;
};
const BASE = env("LORE_URL");
const LORE = env("LORE_BIN");
const KNOWLEDGE = env("LORE_KNOWLEDGE");
const TOKENS = { reader: env("LORE_READER_TOKEN"), agent: env("LORE_AGENT_TOKEN"), approver: env("LORE_APPROVER_TOKEN") };
const SYSTEM = env("LORE_GRAPH_SYSTEM");
const SHOTS = env("LORE_SCREENSHOTS");
const VIEWPORTS = [
  { name: "desktop", width: 1280, height: 800 },
  { name: "phone", width: 390, height: 844 },
];

let browser;

before(async () => {
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    // playwright gives each launch a fresh, temporary --user-data-dir itself.
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
});

/** A page signed in with `role`'s token through the sign-in form. */
async function signedIn(role, viewport = VIEWPORTS[0]) {
  const context = await browser.newContext({ viewport: { width: viewport.width, height: viewport.height } });
  const page = await context.newPage();
  const outside = [];
  page.on("request", (request) => {
    if (!request.url().startsWith(BASE) && !request.url().startsWith("data:")) outside.push(request.url());
  });
  page.outside = outside;
  await page.goto(BASE + "/");
  assert.match(page.url(), /\/signin/, "an anonymous visitor is sent to sign in");
  await page.getByLabel("API token").fill(TOKENS[role]);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(BASE + "/");
  return page;
}

async function ready(page) {
  await page.waitForSelector("body[data-ready]", { timeout: 15000 });
  assert.equal(await page.getAttribute("body", "data-ready"), "true", await page.textContent("#view"));
}

async function api(path, role, body) {
  const init = { headers: { authorization: `Bearer ${TOKENS[role]}` } };
  if (body !== undefined) {
    init.method = "POST";
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  return { status: response.status, body: await response.json().catch(() => null) };
}

/** `lore check` on the served knowledge: its exit code. */
function loreCheck(command) {
  try {
    execFileSync(LORE, ["-q", "-k", KNOWLEDGE, "check", "--", ...command], { stdio: "pipe" });
    return 0;
  } catch (err) {
    return err.status;
  }
}

test("a wrong token is refused at sign-in", async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(BASE + "/signin");
  await page.getByLabel("API token").fill("not-a-token-of-this-server");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForSelector("[role=alert]");
  assert.match(await page.textContent("[role=alert]"), /not valid/);
  const cookies = await context.cookies();
  assert.ok(!cookies.some((c) => c.name === "lore_session"), "no session for a wrong token");
  await context.close();
});

test("the session cookie is HttpOnly and SameSite=Strict", async () => {
  const page = await signedIn("reader");
  const session = (await page.context().cookies()).find((c) => c.name === "lore_session");
  assert.ok(session, "a session cookie");
  assert.equal(session.httpOnly, true);
  assert.equal(session.sameSite, "Strict");
  assert.equal(await page.evaluate(() => document.cookie.includes("lore_session")), false, "scripts cannot read it");
  await page.context().close();
});

test("the graph: find a system, see its briefing and blast radius", async () => {
  const page = await signedIn("reader");
  await page.waitForSelector("body[data-graph-ready]", { timeout: 15000 });
  const timing = await page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const data = document.body.dataset;
    return { domContentLoaded: nav.domContentLoadedEventEnd, graphReady: Number(data.graphMs),
      fetched: Number(data.graphFetchedMs), layout: Number(data.layoutMs) };
  });
  console.log(`graph view: DOMContentLoaded ${timing.domContentLoaded.toFixed(0)} ms, graph interactive ${timing.graphReady.toFixed(0)} ms ` +
    `(graph fetched at ${timing.fetched} ms, layout ${timing.layout} ms)`);
  const count = await page.evaluate(() => window.loreGraph.nodes().length);
  assert.ok(count > 10, `the graph holds the systems (${count} nodes)`);

  await page.getByLabel("Find a system").fill(SYSTEM);
  await page.getByLabel("Find a system").press("Enter");
  await page.waitForSelector(`#briefing h2:text-is("${SYSTEM}")`);
  const briefing = await page.textContent("#briefing");
  for (const part of ["Owners", "Tier", "Blast radius", "Rules", "Incidents", "Runbooks", "Freshness"]) {
    assert.ok(briefing.includes(part), `the briefing shows ${part}`);
  }
  const blast = await api(`/v1/blast?system=${encodeURIComponent(SYSTEM)}&limit=1000`, "reader");
  assert.ok(blast.body.page.total > 0, `${SYSTEM} has dependents to highlight`);
  const highlighted = await page.evaluate((id) => ({
    chosen: window.loreGraph.getElementById(id).hasClass("chosen"),
    blast: window.loreGraph.nodes(".blast").map((n) => n.id()),
  }), SYSTEM);
  assert.equal(highlighted.chosen, true, "the system is marked in the graph");
  assert.deepEqual(highlighted.blast.sort(), blast.body.nodes.map((n) => n.system).sort(), "its blast radius is highlighted");

  // A click on another node in the canvas shows that node's briefing.
  const other = blast.body.nodes[0].system;
  const point = await page.evaluate((id) => {
    const cy = window.loreGraph;
    cy.zoom(1.5);
    cy.center(cy.getElementById(id));
    const box = cy.container().getBoundingClientRect();
    const at = cy.getElementById(id).renderedPosition();
    return { x: box.left + at.x, y: box.top + at.y };
  }, other);
  await page.mouse.click(point.x, point.y);
  await page.waitForSelector(`#briefing h2:text-is("${other}")`);
  assert.deepEqual(page.outside, [], "nothing is loaded from outside the server");
  await page.context().close();
});

test("the graph marks dangling names and cycles", async () => {
  const page = await signedIn("reader");
  await page.waitForSelector("body[data-graph-ready]", { timeout: 15000 });
  const graph = (await api("/v1/graph", "reader")).body;
  const marked = await page.evaluate(() => ({
    dangling: window.loreGraph.nodes(".dangling").map((n) => n.id()),
    cycle: window.loreGraph.nodes(".cycle").map((n) => n.id()),
  }));
  const danglingNotSystems = graph.dangling.filter((d) => !graph.systems.some((s) => s.id === d));
  assert.deepEqual(marked.dangling.sort(), danglingNotSystems.sort());
  assert.deepEqual(marked.cycle.sort(), [...new Set(graph.cycles.flat())].sort());
  await page.context().close();
});

test("an approval round trip: ask, approve once with a reason, passes once and not twice", async () => {
  const command = ["terraform", `-chdir=infra/console-${Date.now()}`, "destroy"];
  const asked = await api("/v1/check", "agent", { input: command.join(" ") });
  assert.equal(asked.status, 200);
  assert.equal(asked.body.decision, "ask", JSON.stringify(asked.body));
  const id = asked.body.decision_id;

  const page = await signedIn("approver");
  await page.goto(BASE + "/waiting");
  await ready(page);
  const card = page.locator(`li[data-decision="${id}"]`);
  await card.waitFor();
  assert.ok((await card.textContent()).includes(command.join(" ")));
  await card.getByLabel("Reason").fill("console test: a planned teardown");
  await card.getByRole("button", { name: "Approve once" }).click();
  await card.getByText(/Approved once by/).waitFor();

  await page.reload();
  await ready(page);
  assert.equal(await page.locator(`li[data-decision="${id}"]`).count(), 0, "an approved ask no longer waits");
  assert.equal(loreCheck(command), 0, "the approved command passes once");
  assert.equal(loreCheck(command), 6, "and asks again the second time");
  await page.context().close();
});

test("rejecting an ask with a reason takes it off the waiting list", async () => {
  const asked = await api("/v1/check", "agent", { input: `terraform -chdir=infra/reject-${Date.now()} destroy` });
  const id = asked.body.decision_id;
  const page = await signedIn("approver");
  await page.goto(BASE + "/waiting");
  await ready(page);
  const card = page.locator(`li[data-decision="${id}"]`);
  await card.getByRole("button", { name: "Reject" }).click();
  await card.getByText("Give a reason first.").waitFor();
  await card.getByLabel("Reason").fill("console test: not during the freeze");
  await card.getByRole("button", { name: "Reject" }).click();
  await card.getByText(/Rejected by alice/).waitFor();
  const waiting = await api("/v1/waiting", "reader");
  assert.ok(!waiting.body.entries.some((e) => e.id === id), "a rejected ask no longer waits");
  await page.context().close();
});

test("a proposal rejected with a reason is kept in proposals/.history/", async () => {
  const statement = `Never scale the console test queue ${Date.now()} to zero`;
  const proposed = await api("/v1/proposals", "agent", {
    kind: "rule", system: SYSTEM, statement, why: "the console test proposes it", decision: "ask",
    tools: ["kubectl"], commands: ["kubectl scale*"],
  });
  assert.equal(proposed.status, 200, JSON.stringify(proposed.body));
  const id = proposed.body.id;

  const page = await signedIn("approver");
  await page.goto(BASE + "/waiting");
  await ready(page);
  const card = page.locator(`li[data-proposal="${id}"]`);
  await card.waitFor();
  await card.getByLabel("Reason").fill("console test: not a real rule");
  await card.getByRole("button", { name: "Reject" }).click();
  await card.getByText(/Rejected/).waitFor();

  const history = join(KNOWLEDGE, "proposals", ".history");
  const kept = existsSync(history) ? readdirSync(history).filter((f) => f.includes(id)) : [];
  assert.equal(kept.length, 1, `the rejected proposal is kept in ${history}`);
  const text = readFileSync(join(history, kept[0]), "utf8");
  assert.match(text, /console test: not a real rule/);
  assert.match(text, /alice/, "who rejected it");
  await page.context().close();
});

test("a reader sees no approve buttons, and the API refuses the reader too", async () => {
  const asked = await api("/v1/check", "agent", { input: `terraform -chdir=infra/reader-${Date.now()} destroy` });
  const id = asked.body.decision_id;
  const page = await signedIn("reader");
  await page.goto(BASE + "/waiting");
  await ready(page);
  await page.locator(`li[data-decision="${id}"]`).waitFor();
  assert.equal(await page.getByRole("button", { name: /Approve/ }).count(), 0);
  assert.equal(await page.getByRole("button", { name: "Reject" }).count(), 0);

  // The reader's own session, with its CSRF value, is refused by the API.
  const refused = await page.evaluate(async (id) => {
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("lore_csrf=")).slice(10);
    const response = await fetch(`/v1/decisions/${id}/approve`, { method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json", "x-lore-csrf": csrf }, body: JSON.stringify({ why: "x" }) });
    return response.status;
  }, id);
  assert.equal(refused, 403);
  assert.equal((await api(`/v1/decisions/${id}/approve`, "reader", { why: "x" })).status, 403);
  await page.context().close();
});

test("a session's state change without the CSRF value is refused", async () => {
  const page = await signedIn("approver");
  const asked = await api("/v1/check", "agent", { input: `terraform -chdir=infra/csrf-${Date.now()} destroy` });
  const status = await page.evaluate(async (id) => {
    const response = await fetch(`/v1/decisions/${id}/approve`, { method: "POST", credentials: "same-origin",
      headers: { "content-type": "application/json" }, body: JSON.stringify({ why: "forged" }) });
    return response.status;
  }, asked.body.decision_id);
  assert.equal(status, 403);
  await page.context().close();
});

/** Elements that stick out of a container that does not scroll or clip them. */
function overflowing() {
  const found = [];
  const clips = (el) => {
    const style = getComputedStyle(el);
    return ["auto", "scroll", "hidden", "clip"].some((v) => style.overflowX === v);
  };
  if (document.documentElement.scrollWidth > window.innerWidth + 1) {
    found.push(`the page is ${document.documentElement.scrollWidth}px wide in a ${window.innerWidth}px window`);
  }
  for (const el of document.querySelectorAll("body *")) {
    const parent = el.parentElement;
    if (!parent || el.closest("#cy") || getComputedStyle(el).position === "absolute") continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0) continue;
    let container = parent;
    while (container && container !== document.body && getComputedStyle(container).display === "contents") container = container.parentElement;
    if (!container || clips(container)) continue;
    const outer = container.getBoundingClientRect();
    if (box.right > outer.right + 1 || box.left < outer.left - 1) {
      found.push(`${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${el.className} sticks out of ${container.tagName.toLowerCase()} by ${Math.round(Math.max(box.right - outer.right, outer.left - box.left))}px`);
    }
  }
  return found.slice(0, 10);
}

test("every view fits a desktop and a phone, with a screenshot of each", async () => {
  const search = encodeURIComponent("failover the database");
  const views = [
    ["graph", "/?system=" + encodeURIComponent(SYSTEM)],
    ["decisions", "/decisions"],
    ["waiting", "/waiting"],
    ["health", "/health"],
    ["search", "/search?q=" + search],
  ];
  const firstCite = (await api("/v1/search?query=" + search + "&limit=1", "reader")).body.hits[0].cite;
  views.push(["source", "/source?cite=" + encodeURIComponent(firstCite)]);
  for (const viewport of VIEWPORTS) {
    const page = await signedIn("approver", viewport);
    for (const [name, path] of views) {
      await page.goto(BASE + path);
      await ready(page);
      if (name === "graph") await page.waitForSelector("#briefing h2");
      await page.screenshot({ path: join(SHOTS, `${name}-${viewport.name}.png`), fullPage: name !== "graph" });
      assert.deepEqual(await page.evaluate(overflowing), [], `${name} at ${viewport.width}×${viewport.height}`);
    }
    assert.deepEqual(page.outside, [], "nothing is loaded from outside the server");
    await page.context().close();
  }
});
