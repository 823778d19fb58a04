// Browser checks over a built site, run by tests/testsuite/a11y.rs and
// tests/testsuite/browser.rs (see ARCHITECTURE.md, "Testing"):
//
//   node check.mjs axe SITE          axe-core on every page kind, light and dark
//   node check.mjs layout SITE SHOTS the opportunity solution trees fit at
//                                    390 px and 1366 px; screenshots into SHOTS
//
// SITE is a `throughline build` output folder. The site is served from a
// loopback server in this process, so search and the 404 page load as they
// would on a host. Chromium is Debian's (`CHROMIUM`, default
// /usr/bin/chromium); puppeteer-core never downloads one. Exit code 0: all
// checks hold; 1: a check failed (each failure printed); 2: the run could not
// proceed.

import { createRequire } from "node:module";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const axeSource = require("axe-core").source;

const [mode, siteArg, shotsArg] = process.argv.slice(2);
if (!["axe", "layout"].includes(mode) || !siteArg || (mode === "layout" && !shotsArg)) {
  console.error("usage: node check.mjs axe SITE | layout SITE SHOTS");
  process.exit(2);
}
const site = resolve(siteArg);

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css",
  ".js": "text/javascript",
  ".json": "application/json",
  ".svg": "image/svg+xml",
};

/** Serves `site` on 127.0.0.1 with a 404.html fallback, like a static host. */
function serve() {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    let file = normalize(join(site, path));
    let status = 200;
    try {
      if (!file.startsWith(site)) throw new Error("outside");
      if (statSync(file).isDirectory()) file = join(file, "index.html");
      statSync(file);
    } catch {
      file = join(site, "404.html");
      status = 404;
    }
    res.writeHead(status, { "Content-Type": TYPES[extname(file)] || "application/octet-stream" });
    res.end(readFileSync(file));
  });
  return new Promise((ok) => server.listen(0, "127.0.0.1", () => ok(server)));
}

async function launch() {
  // A fresh profile each run; the flags keep Chromium off the network, which
  // this machine's sandbox refuses (and CI should not depend on).
  const profile = mkdtempSync(join(tmpdir(), "throughline-a11y-"));
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
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * The pages to check: in light mode every page of the site; in dark mode,
 * where only colours change, the overview pages and, of each kind of
 * document, the page with the most HTML (the most features on one page).
 */
function pagesToCheck(scheme) {
  const graph = JSON.parse(readFileSync(join(site, "graph.json"), "utf8"));
  const pages = [
    ["dashboard", "index.html"],
    ["trace", "trace/index.html"],
    ["health", "health/index.html"],
    ["roadmap", "roadmap/index.html"],
    ["teams", "teams/index.html"],
    ["metrics", "metrics/index.html"],
    ["quarter review", "quarters/2026-Q4/index.html"],
    ["changes", "changes/index.html"],
    ["search", "search/index.html?q=merchant"],
    ["404", "no-such-page/"],
  ];
  // A rule's own page of findings: the first one the build wrote.
  const rules = readdirSync(join(site, "health"), { withFileTypes: true }).filter((e) => e.isDirectory());
  if (rules.length > 0) pages.push(["health-rule", `health/${rules[0].name}/index.html`]);
  const largest = new Map();
  for (const n of graph.nodes) {
    const path = `${encodeURIComponent(n.id)}/index.html`;
    const size = statSync(join(site, n.id, "index.html")).size;
    if (scheme === "light") pages.push([n.kind, path]);
    else if (!largest.has(n.kind) || largest.get(n.kind)[1] < size) largest.set(n.kind, [path, size]);
  }
  for (const [kind, [path]] of [...largest].sort()) pages.push([kind, path]);
  return pages;
}

async function runAxe(browser, base) {
  const failures = [];
  const counts = new Map();
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  let checked = 0;
  for (const scheme of ["light", "dark"]) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    for (const [name, path] of pagesToCheck(scheme)) {
      checked++;
      await page.goto(base + path, { waitUntil: "load" });
      // Closed branches hide their content from axe's visual rules (contrast):
      // open every one so all of the page is checked.
      await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
      await page.addScriptTag({ content: axeSource });
      const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
      for (const v of result.violations) {
        counts.set(v.id, (counts.get(v.id) || 0) + v.nodes.length);
        const nodes = v.nodes
          .slice(0, 5)
          .map((n) => `      ${n.target.join(" ")}\n        ${n.failureSummary.replace(/\n/g, "\n        ")}`)
          .join("\n");
        const more = v.nodes.length > 5 ? `\n      ... and ${v.nodes.length - 5} more` : "";
        failures.push(`${name} (${scheme}, /${path}): ${v.id} (${v.impact}), ${v.nodes.length} node(s): ${v.help}\n${nodes}${more}`);
      }
    }
  }
  await page.close();
  const summary = [...counts].map(([id, n]) => `${id}: ${n}`).join(", ");
  console.log(`axe ${require("axe-core/package.json").version}: ${checked} page loads (light and dark), ${failures.length} violation(s)${summary ? ` (nodes per rule: ${summary})` : ""}`);
  return failures;
}

/**
 * The opportunity solution trees on each outcome page and on the trace page,
 * at a phone and a laptop width, light and dark: in each figure exactly one
 * layout shows, it lies within the viewport's width, the page does not
 * scroll sideways, every node's text lies inside its box, and a title is
 * drawn at 10 px or more. Screenshots of the first outcome page, and of its
 * diagram alone, into SHOTS.
 */
async function runLayout(browser, base, shots) {
  mkdirSync(shots, { recursive: true });
  const graph = JSON.parse(readFileSync(join(site, "graph.json"), "utf8"));
  const outcomes = graph.nodes.filter((n) => n.kind === "outcome").map((n) => n.id);
  if (!outcomes.length) return ["the site has no outcome, so no opportunity solution tree to measure"];
  const pages = [...outcomes.map((id) => [id, `${encodeURIComponent(id)}/index.html`]), ["trace", "trace/index.html"]];
  const failures = [];
  const page = await browser.newPage();
  for (const width of [390, 1366]) {
    await page.setViewport({ width, height: 900 });
    for (const scheme of ["light", "dark"]) {
      await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
      for (const [name, path] of pages) {
        await page.goto(base + path, { waitUntil: "load" });
        const m = await page.evaluate(() => {
          const figures = [...document.querySelectorAll(".ost-figure")].map((fig) => {
            const shown = [...fig.querySelectorAll("svg.ost")].filter((s) => s.getBoundingClientRect().width > 0);
            if (shown.length !== 1) return { error: `${shown.length} layouts show` };
            const svg = shown[0];
            const box = svg.getBoundingClientRect();
            const scale = box.width / svg.viewBox.baseVal.width;
            const overflow = [];
            for (const node of svg.querySelectorAll("g.node")) {
              const rect = node.querySelector("rect").getBoundingClientRect();
              for (const t of node.querySelectorAll("text")) {
                const r = t.getBoundingClientRect();
                // Half a pixel of tolerance for anti-aliased edges.
                const over = Math.max(rect.left - r.left, r.right - rect.right, rect.top - r.top, r.bottom - rect.bottom);
                if (over > 0.5) overflow.push(`"${t.textContent}" overflows its box by ${over.toFixed(1)} px`);
              }
            }
            const title = svg.querySelector(".node-title");
            return {
              layout: svg.classList.contains("ost-wide") ? "wide" : "narrow",
              left: box.left,
              right: box.right,
              overflow,
              titlePx: title ? parseFloat(getComputedStyle(title).fontSize) * scale : 0,
            };
          });
          return {
            figures,
            viewport: document.documentElement.clientWidth,
            scrollWidth: document.documentElement.scrollWidth,
          };
        });
        const where = `${name} at ${width} px (${scheme})`;
        if (!m.figures.length) failures.push(`${where}: no opportunity solution tree on the page`);
        if (m.scrollWidth > m.viewport) {
          failures.push(`${where}: the page scrolls sideways (${m.scrollWidth} px wide in a ${m.viewport} px viewport)`);
        }
        m.figures.forEach((f, i) => {
          const fig = `${where}, diagram ${i + 1}`;
          if (f.error) return failures.push(`${fig}: ${f.error}`);
          if (f.left < 0 || f.right > m.viewport) {
            failures.push(`${fig}: spans ${f.left.toFixed(0)}..${f.right.toFixed(0)} px, the viewport 0..${m.viewport}`);
          }
          if (f.titlePx < 10) failures.push(`${fig}: titles drawn at ${f.titlePx.toFixed(1)} px`);
          for (const o of f.overflow) failures.push(`${fig}: ${o}`);
          if (scheme === "light") {
            console.log(`${fig}: ${f.layout} layout, ${f.left.toFixed(0)}..${f.right.toFixed(0)} of ${m.viewport} px, titles at ${f.titlePx.toFixed(1)} px`);
          }
        });
        if (name === outcomes[0]) {
          await page.screenshot({ path: join(shots, `ost-${width}-${scheme}.png`), fullPage: true });
          const figure = await page.$(".ost-figure");
          if (figure) await figure.screenshot({ path: join(shots, `ost-figure-${width}-${scheme}.png`) });
        }
      }
    }
  }
  await page.close();
  return failures;
}

let server;
let chrome;
let failures = [];
try {
  server = await serve();
  const base = `http://127.0.0.1:${server.address().port}/`;
  chrome = await launch();
  failures = mode === "axe" ? await runAxe(chrome.browser, base) : await runLayout(chrome.browser, base, resolve(shotsArg));
} catch (e) {
  console.error(`check.mjs ${mode}: ${e.stack || e}`);
  process.exitCode = 2;
} finally {
  if (chrome) await chrome.close();
  if (server) server.close();
}
if (failures.length) {
  console.log(failures.join("\n\n"));
  process.exitCode = 1;
}
