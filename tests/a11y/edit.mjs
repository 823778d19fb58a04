// `throughline serve --edit` in a real browser, run by tests/slow/serve_edit.rs:
//
//   node edit.mjs BASE SHOTS
//
// BASE is a running `serve --edit` on the example site (`--today 2026-11-24`).
// With the keyboard only, it records a check-in of m-same-day-rate (33, the
// default date), marks bet-cash-forecast reviewed, moves its status to
// done and lowers its solution confidence with a note; each save must come
// back as its page, reloaded. It runs axe-core on
// the pages with forms, and on a refused form (its error tied to the
// field). Then pages on other origins try to post the same forms, the
// server's token included (as if it had leaked): a page served from another
// port, and a `file://` page (`Origin: null`); each must get 403. SHOTS gets
// a screenshot of the forms. Exit code 0: all hold; 1: a check failed; 2:
// the run could not proceed.

import { createRequire } from "node:module";
import { createServer } from "node:http";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const axeSource = require("axe-core").source;

const [base, shots] = process.argv.slice(2);
if (!base || !shots) {
  console.error("usage: node edit.mjs BASE SHOTS");
  process.exit(2);
}

/** The reason typed with the confidence change; tests/slow/serve_edit.rs writes the same with the CLI. */
const CONFIDENCE_NOTE = "Pilot: 2 of 9 owners opened it";

const failures = [];
const fail = (message) => failures.push(message);

const profile = mkdtempSync(join(tmpdir(), "throughline-edit-"));
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    `--user-data-dir=${profile}`,
  ],
});

/** Runs axe-core on the open page; each violation is a failure. */
async function axe(page, what) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
  });
  for (const v of result) fail(`axe on ${what}: ${v}`);
}

/** Presses Enter on the focused control and waits for the page the save leads to. */
async function submitWithEnter(page) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: "load" }), page.keyboard.press("Enter")]);
  return response;
}

/** Moves the focus with Tab until `selector` has it; fails after 200 presses. */
async function tabTo(page, selector) {
  for (let i = 0; i < 200; i++) {
    await page.keyboard.press("Tab");
    if (await page.evaluate((s) => document.activeElement && document.activeElement.matches(s), selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

try {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));

  // 1. A check-in, by keyboard: type the value, Enter.
  await page.goto(`${base}m-same-day-rate/`, { waitUntil: "load" });
  await axe(page, "a metric page with its check-in form");
  await tabTo(page, "#tl-checkin-0-value");
  await page.keyboard.type("33");
  let response = await submitWithEnter(page);
  if (response.status() !== 200 || !page.url().endsWith("/m-same-day-rate/")) {
    fail(`the check-in did not come back as its page: ${response.status()} ${page.url()}`);
  }
  const shown = await page.evaluate(() => document.querySelector("main").innerText);
  if (!shown.includes("33")) fail("the metric page does not show the new check-in after the save");

  // 2. A refused value: its message tied to the field, and axe clean.
  await page.goto(`${base}m-same-day-rate/`, { waitUntil: "load" });
  await tabTo(page, "#tl-checkin-0-value");
  await page.keyboard.type("lots");
  response = await submitWithEnter(page);
  if (response.status() !== 422) fail(`a value that is no number got ${response.status()}, not 422`);
  const described = await page.evaluate(() => {
    const input = document.querySelector("#tl-checkin-0-value");
    const id = input.getAttribute("aria-describedby");
    const error = id && document.getElementById(id);
    return { invalid: input.getAttribute("aria-invalid"), error: error ? error.textContent : null, url: location.pathname };
  });
  if (described.invalid !== "true" || !described.error || !described.error.includes("lots")) {
    fail(`the refusal is not tied to the value field: ${JSON.stringify(described)}`);
  }
  if (described.url !== "/m-same-day-rate/") fail(`a refused form leaves the address at ${described.url}`);
  await axe(page, "a refused check-in");

  // 3. Mark reviewed, by keyboard.
  await page.goto(`${base}bet-cash-forecast/`, { waitUntil: "load" });
  await axe(page, "a bet page with its forms");
  await tabTo(page, ".tl-edit form input[value=review] ~ fieldset button");
  response = await submitWithEnter(page);
  if (response.status() !== 200 || !page.url().endsWith("/bet-cash-forecast/")) {
    fail(`marking reviewed did not come back as its page: ${response.status()} ${page.url()}`);
  }


  // 4. A confidence change with its reason, by keyboard: the solution's level
  // takes a letter, the note is typed, and the panel is photographed then.
  await tabTo(page, "#tl-confidence-solution");
  await page.keyboard.type("low");
  await tabTo(page, "#tl-confidence-note");
  await page.keyboard.type(CONFIDENCE_NOTE);
  await (await page.$(".tl-edit")).screenshot({ path: join(shots, "serve-edit-forms.png") });
  await tabTo(page, ".tl-edit form input[value=confidence] ~ fieldset button");
  response = await submitWithEnter(page);
  if (response.status() !== 200 || !page.url().endsWith("/bet-cash-forecast/")) {
    fail(`the confidence change did not come back as its page: ${response.status()} ${page.url()}`);
  }
  const history = await page.evaluate(() => {
    const section = document.querySelector("[aria-labelledby=confidence-log-h]");
    return section ? section.innerText : "";
  });
  if (!history.includes(CONFIDENCE_NOTE) || !history.includes("low")) {
    fail(`the page's confidence history does not show the change and its note: ${JSON.stringify(history)}`);
  }
  const solution = await page.$eval("#tl-confidence-solution", (s) => s.value);
  if (solution !== "low") fail(`after the save the solution confidence reads ${solution}, not low`);
  await axe(page, "a bet page after a confidence change");

  // 5. The status, by keyboard: the select takes a letter, Tab to the button, Enter.
  await tabTo(page, "#tl-status-value");
  await page.keyboard.type("done");
  await tabTo(page, ".tl-edit form input[value=status] ~ fieldset button");
  response = await submitWithEnter(page);
  if (response.status() !== 200) fail(`the status change came back with ${response.status()}`);
  const status = await page.$eval("#tl-status-value", (s) => s.value);
  if (status !== "done") fail(`after the save the status reads ${status}, not done`);
  if (errors.length) fail(`script errors: ${errors.join("; ")}`);

  // 6. The same form from elsewhere, token and fingerprint included, must get 403.
  const fields = await page.$$eval(".tl-edit form input[value=status]", (inputs) =>
    [...inputs[0].form.querySelectorAll("input[type=hidden]")].map((i) => [i.name, i.value]),
  );
  const hostile = (action) =>
    "<!doctype html><html lang=en><title>elsewhere</title><form method=post action=\"" +
    action +
    "\">" +
    fields
      .map(([n, v]) => `<input type=hidden name="${n}" value="${v}">`)
      .join("") +
    "<input type=hidden name=status value=dropped></form><script>document.forms[0].submit()</script>";
  const target = `${base}__throughline/edit`;
  const other = createServer((req, res) => {
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(hostile(target));
  });
  await new Promise((ok) => other.listen(0, "127.0.0.1", ok));
  const attacker = await browser.newPage();
  for (const [what, url] of [
    ["a page on another origin", `http://127.0.0.1:${other.address().port}/`],
    ["a file:// page", null],
  ]) {
    let at = url;
    if (!at) {
      const file = join(profile, "hostile.html");
      writeFileSync(file, hostile(target));
      at = `file://${file}`;
    }
    // Registered before the page loads: its script posts the form at once.
    const answered = attacker.waitForResponse((r) => r.url() === target, { timeout: 15000 });
    await attacker.goto(at);
    const answer = await answered.catch(() => null);
    const got = answer ? answer.status() : "no answer";
    if (got !== 403) fail(`${what} posted the form and got ${got}, not 403`);
    else console.log(`${what}: 403`);
  }
  other.close();
} catch (e) {
  console.error(`the run could not proceed: ${e.stack || e}`);
  await browser.close();
  rmSync(profile, { recursive: true, force: true });
  process.exit(2);
}
await browser.close();
rmSync(profile, { recursive: true, force: true });
if (failures.length) {
  console.log(`${failures.length} failures`);
  for (const f of failures) console.log(`- ${f}`);
  process.exit(1);
}
console.log("edit forms: check-in, review, status and confidence with a note saved by keyboard; axe clean; other origins refused");
