// Browser checks over a built site, run by tests/slow/a11y.rs and
// tests/slow/browser.rs (see ARCHITECTURE.md, "Testing"):
//
//   node check.mjs axe SITE          axe-core on every page kind, light and dark
//   node check.mjs layout SITE SHOTS the opportunity solution trees fit at
//                                    390 px and 1366 px; screenshots into SHOTS;
//                                    each status pill looks its own; legends
//                                    beside the portfolio chart and status bar
//   node check.mjs search SITE QUERY search works: `/` focuses it, nothing
//                                    loads before it is used, results come
//                                    with highlighted hits and spaced
//                                    snippets, the kind filter filters; prints
//                                    the time to first results and the bytes
//                                    (gzipped) the index cost; the time is
//                                    held to 1 s only when SEARCH_TIME_BUDGET
//                                    is set (scripts/bench.sh --search): a
//                                    test never fails on the machine's speed
//   node check.mjs trace SITE KIND   the trace page's filters: choosing KIND
//                                    shows its documents and their chains,
//                                    the chains marked as context, the count
//                                    updated and the state kept in the URL;
//                                    the form shown from the first paint (no
//                                    layout shift) and not at all without script
//   node check.mjs forest SITE STANDING  on a trace split over pages: the
//                                    standing filter lists the matches on
//                                    other pages (from trace/forest.js),
//                                    each linked to the trace page that
//                                    shows it, where it is shown as a match
//   node check.mjs phone SITE BET    at 390 px: the dashboard's worst item
//                                    needing attention, BET's owner and next
//                                    review, and the trace's first row are
//                                    in the first screen (844 px); the
//                                    trace's filters are folded
//
// SITE is a `throughline build` output folder. The site is served from a
// loopback server in this process, so search and the 404 page load as they
// would on a host. Chromium is Debian's (`CHROMIUM`, default
// /usr/bin/chromium); puppeteer-core never downloads one. Exit code 0: all
// checks hold; 1: a check failed (each failure printed); 2: the run could not
// proceed.

import { createRequire } from "node:module";
import { createServer } from "node:http";
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, mkdirSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { gzipSync } from "node:zlib";
import { extname, join, normalize, resolve } from "node:path";

const require = createRequire(import.meta.url);
const puppeteer = require("puppeteer-core");
const axeSource = require("axe-core").source;

const [mode, siteArg, shotsArg] = process.argv.slice(2);
if (!["axe", "layout", "search", "trace", "forest", "phone"].includes(mode) || !siteArg || (mode !== "axe" && !shotsArg)) {
  console.error("usage: node check.mjs axe SITE [PAGE,...] | layout SITE SHOTS | search SITE QUERY | trace SITE KIND | forest SITE STANDING | phone SITE BET");
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
    ["decisions", "decisions/index.html"],
    ["search", "search/index.html?q=merchant"],
    ["404", "no-such-page/"],
  ];
  // People and dependencies: the example has both.
  if (existsSync(join(site, "people"))) {
    pages.push(["people", "people/index.html"]);
    const people = readdirSync(join(site, "people"), { withFileTypes: true }).filter((e) => e.isDirectory());
    for (const p of people) pages.push(["person", `people/${encodeURIComponent(p.name)}/index.html`]);
  }
  if (existsSync(join(site, "dependencies"))) pages.push(["dependencies", "dependencies/index.html"]);
  // A rule's own page of findings: the first one the build wrote.
  const rules = readdirSync(join(site, "health"), { withFileTypes: true }).filter((e) => e.isDirectory());
  if (rules.length > 0) pages.push(["health-rule", `health/${rules[0].name}/index.html`]);
  const largest = new Map();
  // A tracker's item has no page of its own: it links to the tracker.
  for (const n of graph.nodes.filter((n) => !n.tracker_key)) {
    // A person's own address only redirects to people/<id>/, checked above.
    if (n.kind === "person") continue;
    const path = `${encodeURIComponent(n.id)}/index.html`;
    const size = statSync(join(site, n.id, "index.html")).size;
    if (scheme === "light") pages.push([n.kind, path]);
    else if (!largest.has(n.kind) || largest.get(n.kind)[1] < size) largest.set(n.kind, [path, size]);
  }
  for (const [kind, [path]] of [...largest].sort()) pages.push([kind, path]);
  return pages;
}

async function runAxe(browser, base, only) {
  const failures = [];
  const counts = new Map();
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  let checked = 0;
  for (const scheme of ["light", "dark"]) {
    await page.emulateMediaFeatures([{ name: "prefers-color-scheme", value: scheme }]);
    const pages = only ? only.split(",").map((p) => [p, p]) : pagesToCheck(scheme);
    for (const [name, path] of pages) {
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
 * drawn at 10 px or more; and the health page's table of rules fits its box.
 * Screenshots of the first outcome page, and of its diagram alone, into SHOTS.
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
            const texts = [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
            return {
              smallestPx: texts.length ? Math.min(...texts) : 0,
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
          if (width === 390 && f.smallestPx < 11) failures.push(`${fig}: text drawn at ${f.smallestPx.toFixed(1)} px on a phone`);
          for (const o of f.overflow) failures.push(`${fig}: ${o}`);
          if (scheme === "light") {
            console.log(`${fig}: ${f.layout} layout, ${f.left.toFixed(0)}..${f.right.toFixed(0)} of ${m.viewport} px, titles at ${f.titlePx.toFixed(1)} px, all text at ${f.smallestPx.toFixed(1)} px or more`);
          }
        });
        if (name === outcomes[0]) {
          await page.screenshot({ path: join(shots, `ost-${width}-${scheme}.png`), fullPage: true });
          const figure = await page.$(".ost-figure");
          if (figure) await figure.screenshot({ path: join(shots, `ost-figure-${width}-${scheme}.png`) });
        }
      }
      // The dependencies matrix is readable on a phone: every column
      // shows without a sideways scroll.
      if (existsSync(join(site, "dependencies"))) {
        await page.goto(base + "dependencies/index.html", { waitUntil: "load" });
        const matrix = await page.evaluate(() => {
          const box = document.querySelector(".table-scroll");
          const table = box && box.querySelector("table.matrix");
          return table ? { table: table.scrollWidth, box: box.clientWidth } : null;
        });
        const at = `dependencies at ${width} px (${scheme})`;
        if (!matrix) failures.push(`${at}: no matrix`);
        else if (matrix.table > matrix.box) {
          failures.push(`${at}: the matrix is ${matrix.table} px wide in a ${matrix.box} px box`);
        } else if (scheme === "light") {
          console.log(`${at}: the matrix fits (${matrix.table} of ${matrix.box} px)`);
        }
      }
      // The health page's table of rules shows every column without a
      // sideways scroll, on a phone too.
      await page.goto(base + "health/index.html", { waitUntil: "load" });
      const table = await page.evaluate(() => {
        const box = document.querySelector(".table-scroll");
        const rules = box && box.querySelector("table.rules");
        return rules ? { table: rules.scrollWidth, box: box.clientWidth } : null;
      });
      const where = `health at ${width} px (${scheme})`;
      if (!table) failures.push(`${where}: no table of rules`);
      else if (table.table > table.box) {
        failures.push(`${where}: the table of rules is ${table.table} px wide in a ${table.box} px box`);
      } else if (scheme === "light") {
        console.log(`${where}: the table of rules fits (${table.table} of ${table.box} px)`);
      }
      // Each rule's table of findings lies within the page (on a phone its
      // rows stack, each a block), and the owner filter leaves only that
      // owner's rows, counted.
      const findings = await page.evaluate(() => {
        const tables = [...document.querySelectorAll("details[open] table.finding-table")];
        if (!tables.length) return null;
        const view = document.documentElement.clientWidth;
        const right = Math.max(...tables.map((t) => t.getBoundingClientRect().right));
        const row = tables[0].querySelector("tr[data-sev]");
        return { right, view, scroll: document.documentElement.scrollWidth, stacked: getComputedStyle(row).display === "block" };
      });
      if (!findings) failures.push(`${where}: no open table of findings`);
      else {
        if (findings.right > findings.view || findings.scroll > findings.view) {
          failures.push(`${where}: the tables of findings end at ${findings.right} px (the page ${findings.scroll} px) in a ${findings.view} px viewport`);
        }
        if (findings.stacked !== (width === 390)) failures.push(`${where}: rows stacked: ${findings.stacked}`);
      }
      const filtered = await page.evaluate(() => {
        const form = document.getElementById("health-filter");
        const select = form && form.elements["owner"];
        if (!select || form.hidden) return { error: "no owner filter shown" };
        const owner = [...select.options].map((o) => o.value).find((v) => v);
        select.value = owner;
        select.dispatchEvent(new Event("change", { bubbles: true }));
        const rows = [...document.querySelectorAll("tr[data-sev]")];
        const shown = rows.filter((r) => !r.hidden && !r.closest("section").hidden);
        const result = {
          owner,
          shown: shown.length,
          others: shown.filter((r) => r.dataset.owner !== owner).length,
          hidden: rows.length - shown.length,
          said: document.getElementById("health-shown").textContent,
        };
        select.value = "";
        select.dispatchEvent(new Event("change", { bubbles: true }));
        result.restored = rows.filter((r) => r.hidden).length;
        return result;
      });
      if (filtered.error) failures.push(`${where}: ${filtered.error}`);
      else if (!filtered.shown || filtered.others || !filtered.hidden || filtered.restored
        || filtered.said !== `${filtered.shown} shown on this page`) {
        failures.push(`${where}: the owner filter for ${filtered.owner}: ${JSON.stringify(filtered)}`);
      } else if (scheme === "light") {
        console.log(`${where}: the findings fit, rows ${findings.stacked ? "stacked" : "in columns"}; owner ${filtered.owner}: ${filtered.shown} rows shown, ${filtered.hidden} hidden`);
      }
      // The roadmap's portfolio table is wider than a phone: it scrolls in a
      // box of its own that ends inside the page, rather than running past
      // the section's edge where its last columns cannot be reached.
      await page.goto(base + "roadmap/index.html", { waitUntil: "load" });
      const portfolio = await page.evaluate(() => {
        const box = document.querySelector(".portfolio > .table-scroll");
        if (!box || !box.querySelector("table.portfolio-table")) return null;
        return { right: box.getBoundingClientRect().right, view: document.documentElement.clientWidth };
      });
      const at = `roadmap at ${width} px (${scheme})`;
      if (!portfolio) failures.push(`${at}: the portfolio table is in no box that scrolls`);
      else if (portfolio.right > portfolio.view) {
        failures.push(`${at}: the portfolio table's box ends at ${portfolio.right} px in a ${portfolio.view} px viewport`);
      }
      // One colour language (docs/decisions/0024-colour-language.md): every
      // status pill on the roadmap computes to a look of its own, the same
      // for each pill of one status, and none in the hues of good, at risk
      // and bad; so does every status of the vocabulary, drawn for the test.
      const looks = await page.evaluate(() => {
        const look = (el) => {
          const c = getComputedStyle(el);
          const b = getComputedStyle(el, "::before");
          return [c.backgroundColor, c.color, c.borderTopStyle, c.borderTopWidth, c.borderTopColor, c.textDecorationLine, b.content].join(" | ");
        };
        const probe = document.createElement("span");
        document.body.append(probe);
        const hue = (v) => { probe.style.color = `var(${v})`; return getComputedStyle(probe).color; };
        const hues = ["--ok", "--warn", "--err"].map(hue);
        probe.remove();
        const statusOf = (el) => [...el.classList].find((c) => c.startsWith("status-"));
        const onPage = {};
        for (const el of document.querySelectorAll("main .badge[class*='status-']")) {
          (onPage[statusOf(el)] ||= new Set()).add(look(el));
        }
        const all = ["proposed", "discovery", "committed", "in-progress", "done", "dropped", "active", "archived", "accepted", "superseded"];
        const box = document.createElement("p");
        box.innerHTML = all.map((s) => `<span class="badge status-${s}">${s}</span>`).join(" ");
        document.querySelector("main").append(box);
        const drawn = Object.fromEntries([...box.children].map((el) => [statusOf(el), look(el)]));
        box.remove();
        const coloured = Object.entries(drawn).filter(([, l]) => hues.some((h) => l.includes(h))).map(([s]) => s);
        return { onPage: Object.fromEntries(Object.entries(onPage).map(([k, v]) => [k, [...v]])), drawn, coloured };
      });
      const pageStatuses = Object.keys(looks.onPage);
      if (pageStatuses.length < 3) failures.push(`${at}: only ${pageStatuses.length} statuses among the roadmap's pills`);
      for (const [status, seen] of Object.entries(looks.onPage)) {
        if (seen.length !== 1) failures.push(`${at}: the pills of ${status} look ${seen.length} ways: ${seen.join(" / ")}`);
      }
      const firstLooks = pageStatuses.map((s) => looks.onPage[s][0]);
      if (new Set(firstLooks).size !== firstLooks.length) failures.push(`${at}: two statuses on the roadmap look alike: ${pageStatuses.map((s, i) => `${s}: ${firstLooks[i]}`).join("; ")}`);
      const every = Object.values(looks.drawn);
      if (new Set(every).size !== every.length) failures.push(`${at}: two statuses look alike: ${JSON.stringify(looks.drawn)}`);
      if (looks.coloured.length) failures.push(`${at}: statuses drawn in green, amber or red: ${looks.coloured.join(", ")}`);
      if (scheme === "light") console.log(`${at}: ${pageStatuses.length} statuses on the page and all ${every.length} of the vocabulary look distinct (${pageStatuses.join(", ")})`);
      // A legend stands beside the portfolio chart, and beside the
      // dashboard's status bar, naming what each mark means, in view.
      const chartLegend = await page.evaluate(() => {
        const svg = document.querySelector("figure.portfolio-chart svg.portfolio");
        const legend = document.querySelector("figure.portfolio-chart ul.legend");
        if (!svg || !legend) return null;
        const [s, l] = [svg.getBoundingClientRect(), legend.getBoundingClientRect()];
        return { gap: l.top - s.bottom, height: l.height, keys: [...legend.querySelectorAll("li")].map((li) => li.textContent.trim()) };
      });
      if (!chartLegend) failures.push(`${at}: no legend beside the portfolio chart`);
      else if (chartLegend.height <= 0 || chartLegend.gap < -1 || chartLegend.gap > 40 || chartLegend.keys.join(",") !== "small,medium,big") {
        failures.push(`${at}: the portfolio chart's legend is not beside it: ${JSON.stringify(chartLegend)}`);
      } else if (scheme === "light") console.log(`${at}: the portfolio chart's legend names ${chartLegend.keys.join(", ")}`);
      await page.goto(base + "index.html", { waitUntil: "load" });
      const barLegend = await page.evaluate(() => {
        const bar = document.querySelector(".standing-bar");
        const legend = bar && bar.nextElementSibling;
        if (!legend || !legend.matches("ul.legend")) return null;
        const segments = [...bar.children].map((s) => s.className);
        const keys = [...legend.querySelectorAll(".key")].map((k) => [...k.classList].find((c) => c.startsWith("standing-")));
        const colour = (el) => getComputedStyle(el).backgroundColor + getComputedStyle(el).backgroundImage;
        const same = [...bar.children].every((s, i) => legend.querySelectorAll(".key")[i] && colour(s) === colour(legend.querySelectorAll(".key")[i]));
        return { segments, keys, same, height: legend.getBoundingClientRect().height, words: legend.textContent.trim() };
      });
      const home = `dashboard at ${width} px (${scheme})`;
      if (!barLegend) failures.push(`${home}: no legend right after the status bar`);
      else if (barLegend.height <= 0 || !barLegend.same || barLegend.keys.join() !== barLegend.segments.join()) {
        failures.push(`${home}: the status bar's legend does not match its segments: ${JSON.stringify(barLegend)}`);
      } else if (scheme === "light") console.log(`${home}: the status bar's legend: ${barLegend.words.replace(/\s+/g, " ")}`);
      // The quarter review's counts, as a reader sees them: the numbers
      // written in the counts line add up to the total it states, and to
      // each group's roll-up; the bets and objectives are those it names.
      if (scheme === "light") {
        await page.goto(base + "quarters/2026-Q4/index.html", { waitUntil: "load" });
        const q = await page.evaluate(() => {
          const num = (t) => parseInt(t.replace(/,/g, ""), 10);
          const line = document.querySelector(".review-counts");
          const stated = line.querySelector("strong").textContent.match(/[\d,]+/)[0];
          const items = line.textContent.match(/of ([\d,]+) bet/)[1];
          const parts = [...line.querySelectorAll(".badge")].map((b) => num(b.textContent));
          const groups = [...document.querySelectorAll(".review-group > summary .rollup-line")].map((r) => ({
            stated: num(r.textContent),
            parts: [...r.querySelectorAll(".badge")].map((b) => num(b.textContent)),
          }));
          const visible = (el) => el.getBoundingClientRect().height > 0;
          return {
            stated: num(stated),
            items: num(items),
            parts,
            groups,
            shown: [...document.querySelectorAll(".review-item")].filter(visible).length,
          };
        });
        const at = `quarter review at ${width} px`;
        const sum = (a) => a.reduce((x, y) => x + y, 0);
        if (sum(q.parts) !== q.stated) failures.push(`${at}: the counts ${q.parts.join(" + ")} do not add up to ${q.stated}`);
        else if (sum(q.groups.map((g) => g.stated)) !== q.stated) failures.push(`${at}: the groups do not add up to ${q.stated}`);
        else if (q.groups.some((g) => sum(g.parts) !== g.stated)) failures.push(`${at}: a group's roll-up does not add up`);
        else if (q.shown !== q.items) failures.push(`${at}: ${q.shown} items shown of ${q.items} stated`);
        else console.log(`${at}: ${q.stated} results add up, ${q.items} items shown`);
        // As a board pack: printed without the site's navigation, each product strategy on a page of its own.
        await page.emulateMediaType("print");
        const printed = await page.evaluate(() => ({
          nav: getComputedStyle(document.querySelector("header.site")).display,
          breaks: [...document.querySelectorAll(".review-group")].map((g) => getComputedStyle(g).breakBefore),
        }));
        await page.emulateMediaType(null);
        if (printed.nav !== "none") failures.push(`${at}, printed: the navigation prints`);
        else if (printed.breaks.slice(1).some((b) => b !== "page")) failures.push(`${at}, printed: groups share a page (${printed.breaks})`);
        else console.log(`${at}, printed: no navigation, ${printed.breaks.length} groups on pages of their own`);
      }
      // Chart text (metric charts, the portfolio chart) as drawn: at least
      // 11 px on a phone, the viewBox's scale applied.
      if (scheme !== "light") continue;
      const metrics = graph.nodes.filter((n) => n.kind === "metric").map((n) => `${encodeURIComponent(n.id)}/index.html`);
      for (const path of [...metrics, "roadmap/index.html"]) {
        await page.goto(base + path, { waitUntil: "load" });
        const sizes = await page.evaluate(() =>
          [...document.querySelectorAll("svg.chart, svg.portfolio")].flatMap((svg) => {
            const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
            return [...svg.querySelectorAll("text")].map((t) => parseFloat(getComputedStyle(t).fontSize) * scale);
          }),
        );
        if (!sizes.length) continue;
        const smallest = Math.min(...sizes);
        const where = `${path} at ${width} px`;
        if (smallest < 11) failures.push(`${where}: chart text drawn at ${smallest.toFixed(1)} px`);
        else console.log(`${where}: chart text at ${smallest.toFixed(1)} px or more`);
      }
    }
  }
  await page.close();
  return failures;
}

/**
 * Search on the search page, as a reader uses it: from another page `/`
 * focuses the header's search box; on the search page nothing of the index
 * loads until the box is focused; typing QUERY shows results within a
 * second (held to it when SEARCH_TIME_BUDGET is set), with each query word marked in the results and no words run
 * together in the snippets; choosing a kind leaves only that kind.
 */
async function runSearch(browser, base, query) {
  // Milliseconds, or 0: speed is a benchmark's to judge, not a test's.
  const timeBudget = Number(process.env.SEARCH_TIME_BUDGET || 0);
  const failures = [];
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  const fetched = [];
  page.on("response", (r) => {
    const url = r.url();
    if (!url.includes("/search/") || url.endsWith(".html") || url.includes(".html?")) return;
    fetched.push([url.slice(base.length), r.buffer().then((b) => gzipSync(b).length, () => 0)]);
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });

  await page.goto(base + "index.html", { waitUntil: "load" });
  await page.keyboard.press("/");
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (focused !== "site-search") failures.push(`\`/\` on the dashboard focuses ${focused || "nothing"}, not the search box`);

  await page.goto(base + "search/index.html", { waitUntil: "load" });
  if (fetched.length) failures.push(`the search page loaded ${fetched.map((f) => f[0]).join(", ")} before search was used`);
  await page.keyboard.press("/");
  const onSearch = await page.evaluate(() => document.activeElement && document.activeElement.id);
  if (onSearch !== "search-input") failures.push(`\`/\` on the search page focuses ${onSearch || "nothing"}`);
  const started = Date.now();
  await page.keyboard.type(query);
  await page.waitForFunction(() => document.querySelectorAll("#search-results li").length > 0, { timeout: 10000 }).catch(() => {});
  const firstResults = Date.now() - started;
  const firstFetched = fetched.slice();
  const result = await page.evaluate(() => ({
    count: document.querySelectorAll("#search-results li").length,
    status: document.getElementById("search-status").textContent,
    marks: [...document.querySelectorAll("#search-results mark")].map((m) => m.textContent.toLowerCase()),
    snippets: [...document.querySelectorAll("#search-results p")].map((p) => p.textContent),
    facts: [...document.querySelectorAll("#search-results li")].map((li) => [li.querySelector("[class^='badge status-']"), li.querySelector(".result-facts")].filter(Boolean).map((e) => e.textContent).join(" · ")),
    url: location.search,
  }));
  console.log(`search "${query}": results' facts: ${result.facts.filter(Boolean).slice(0, 5).join(" | ") || "none"}`);
  if (!result.count) failures.push(`no results for "${query}" (${result.status})`);
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.every((w) => result.marks.some((m) => m.startsWith(w)))) failures.push(`the hits of "${query}" are not all highlighted: ${result.marks.slice(0, 10).join(", ")}`);
  // A run-together word: a lowercase letter directly followed by a capital, or two known words glued.
  const glued = result.snippets.filter((s) => /[a-z][A-Z]/.test(s) || /\b(see|the|and)(which|the|spring)/i.test(s));
  if (glued.length) failures.push(`snippets run words together: ${glued[0]}`);
  if (!result.url.includes("q=")) failures.push(`the query is not kept in the URL (${result.url})`);
  const bytes = (await Promise.all(firstFetched.map((f) => f[1]))).reduce((sum, n) => sum + n, 0);
  console.log(`search "${query}": ${result.status}, first results after ${firstResults} ms (typing included), ${firstFetched.length} index files, ${(bytes / 1024).toFixed(1)} KB gzipped`);
  if (timeBudget && firstResults > timeBudget) failures.push(`first results took ${firstResults} ms (target: ${timeBudget} ms)`);
  if (bytes > 500 * 1024) failures.push(`the first search loaded ${(bytes / 1024).toFixed(0)} KB gzipped (target: 500 KB)`);

  // The kind filter: pick the kind with results that is not the first result's kind, if any.
  const kinds = await page.evaluate(() => [...document.querySelectorAll("#search-kind option")].filter((o) => o.value && !/\(0\)$/.test(o.textContent)).map((o) => [o.value, o.getAttribute("data-label")]));
  if (!kinds.length) failures.push("the kind filter offers no kind with results");
  else {
    const [value, label] = kinds[kinds.length - 1];
    await page.select("#search-kind", value);
    await page.waitForFunction((l) => {
      const badges = [...document.querySelectorAll("#search-results .kind")];
      return badges.length > 0 && badges.every((b) => b.textContent === l);
    }, { timeout: 5000 }, label).catch(() => failures.push(`choosing the kind ${label} leaves other kinds in the results`));
    const url = await page.evaluate(() => location.search);
    if (!url.includes(`kind=${value}`)) failures.push(`the kind is not kept in the URL (${url})`);
  }
  // Cold: a fresh page opened on a query, timed from navigation to results
  // (the page, the manifest, the shards and the documents shown): the
  // figure for "first results" and "first load".
  // A context of its own: nothing cached from the search above.
  const context = await browser.createBrowserContext();
  const cold = await context.newPage();
  const coldSizes = [];
  cold.on("response", (r) => {
    if (!r.url().includes("/search/") || r.url().includes(".html")) return;
    coldSizes.push(r.buffer().then((b) => gzipSync(b).length, () => 0));
  });
  await cold.goto(base + "search/index.html?q=" + encodeURIComponent(query), { waitUntil: "domcontentloaded" });
  const coldMs = await cold
    .waitForFunction(() => document.querySelectorAll("#search-results li").length > 0 && performance.now(), { timeout: 10000 })
    .then((h) => h.jsonValue())
    .catch(() => null);
  const coldBytes = (await Promise.all(coldSizes)).reduce((sum, n) => sum + n, 0);
  // The first few results come first; the rest of the first page follows
  // below them, and the space kept for the results (the `searching` class)
  // goes once all are in.
  const full = await cold
    .waitForFunction(() => !document.documentElement.classList.contains("searching"), { timeout: 10000 })
    .then(() => cold.evaluate(() => ({
      shown: document.querySelectorAll("#search-results li").length,
      distinct: new Set([...document.querySelectorAll("#search-results li > a")].map((a) => a.getAttribute("href"))).size,
      total: parseInt(document.getElementById("search-status").textContent, 10),
      more: !document.getElementById("search-more").hidden,
    })))
    .catch(() => null);
  await context.close();
  if (!full) failures.push(`a search page opened on "${query}" keeps the space for its results`);
  else if (full.shown !== Math.min(20, full.total) || full.distinct !== full.shown || full.more !== full.total > 20) {
    failures.push(`a search page opened on "${query}" shows ${full.shown} results (${full.distinct} distinct) of ${full.total}, "more" ${full.more ? "shown" : "hidden"}`);
  }
  if (coldMs === null) failures.push(`a search page opened on "${query}" shows no results`);
  else {
    console.log(`search "${query}" opened cold: first results ${coldMs.toFixed(0)} ms after navigation, ${(coldBytes / 1024).toFixed(1)} KB of index gzipped`);
    if (timeBudget && coldMs > timeBudget) failures.push(`first results of a cold page took ${coldMs.toFixed(0)} ms (target: ${timeBudget} ms)`);
    if (coldBytes > 500 * 1024) failures.push(`a cold search loaded ${(coldBytes / 1024).toFixed(0)} KB gzipped (target: 500 KB)`);
  }
  if (errors.length) failures.push(`errors in the page: ${errors.join("; ")}`);
  await page.close();
  return failures;
}

/** The trace page's filters, by kind and then by text (see the usage above). */
async function runTrace(browser, base, kind) {
  const failures = [];
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "trace/index.html", { waitUntil: "load" });
  await page.select("#filter-kind", kind);
  const seen = await page.evaluate(() => {
    const shown = [...document.querySelectorAll(".tree li")].filter((li) => !li.hidden);
    return {
      matches: shown.filter((li) => !li.classList.contains("context")).map((li) => li.getAttribute("data-k")),
      context: shown.filter((li) => li.classList.contains("context")).length,
      count: document.getElementById("filter-count").textContent,
      url: location.search,
    };
  });
  if (!seen.matches.length) failures.push(`no ${kind} shown after choosing it`);
  // The rows shown around a match (its chain above, its tree below) are context.
  if (!seen.matches.includes(kind)) failures.push(`the kind ${kind} matches none: ${seen.matches.slice(0, 5)}`);
  if (!seen.context) failures.push("no row shown for context");
  if (!/^\d+ of \d+ documents? match/.test(seen.count)) failures.push(`the count reads "${seen.count}"`);
  if (!seen.url.includes(`kind=${kind}`)) failures.push(`the filter is not kept in the URL (${seen.url})`);
  // The state comes back from the URL.
  await page.goto(base + `trace/index.html?kind=${kind}&q=zzzz-no-such-title`, { waitUntil: "load" });
  const none = await page.evaluate(() => ({
    shown: [...document.querySelectorAll(".tree li")].filter((li) => !li.hidden).length,
    kind: document.getElementById("filter-kind").value,
    count: document.getElementById("filter-count").textContent,
  }));
  if (none.shown || none.kind !== kind || !none.count.startsWith("0 of")) failures.push(`a filter from the URL is not applied: ${JSON.stringify(none)}`);
  // The form has its place before trace.js runs, so the tree below does not
  // move when it does (on a large page the browser paints before the script
  // at the end has run): with the script held back, the form is laid out.
  const early = await browser.newPage();
  await early.setRequestInterception(true);
  early.on("request", (r) => (r.url().endsWith("/trace.js") ? r.abort() : r.continue()));
  await early.goto(base + "trace/index.html", { waitUntil: "load" });
  if (!(await early.$eval("#trace-filters", (f) => f.getBoundingClientRect().height > 0))) {
    failures.push("the filters are not laid out until the script runs");
  }
  await early.close();
  // Without script the filters would do nothing: they are not shown.
  const plain = await browser.newPage();
  await plain.setJavaScriptEnabled(false);
  await plain.goto(base + "trace/index.html", { waitUntil: "load" });
  if (await plain.$eval("#trace-filters", (f) => f.getBoundingClientRect().height > 0)) {
    failures.push("the filters are shown with script off");
  }
  await plain.close();
  console.log(`trace: ${kind}: ${seen.count}, ${seen.context} row(s) of context`);
  if (errors.length) failures.push(`errors in the page: ${errors.join("; ")}`);
  await page.close();
  return failures;
}

/** The whole forest's filter (see the usage above). */
async function runForest(browser, base, standing) {
  const failures = [];
  const page = await browser.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(base + "trace/index.html", { waitUntil: "load" });
  // As a keyboard user: focus the standing filter, choose with the arrows.
  await page.focus("#filter-standing");
  await page.select("#filter-standing", standing);
  await page.waitForFunction(() => document.querySelectorAll("#forest-list li").length > 0, { timeout: 10000 }).catch(() => {});
  const found = await page.evaluate(() => ({
    here: [...document.querySelectorAll(".tree li")].filter((li) => !li.hidden && !li.classList.contains("context")).length,
    summary: (document.getElementById("forest-summary") || {}).textContent || "",
    places: [...document.querySelectorAll("#forest-list li")].map((li) => [li.querySelector("a").getAttribute("href"), li.querySelector("a.place").getAttribute("href"), li.querySelector("a").textContent]),
  }));
  console.log(`forest: ${standing}: ${found.summary} ${found.places.map((p) => p[2]).join(", ")}`);
  if (!found.places.length) failures.push(`no match on another page for ${standing}: ${found.summary}`);
  else {
    const [, place, title] = found.places[0];
    if (!place.includes(`standing=${standing}`)) failures.push(`the place of ${title} loses the filter: ${place}`);
    await page.goto(new URL(place, base + "trace/index.html").href, { waitUntil: "load" });
    const there = await page.evaluate((t) => {
      const li = [...document.querySelectorAll(".tree li")].find((l) => l.querySelector(".node-line a").textContent === t);
      return li ? { hidden: li.hidden, context: li.classList.contains("context"), standing: li.getAttribute("data-v"), value: document.getElementById("filter-standing").value } : null;
    }, title);
    if (!there) failures.push(`${title} is not on ${place}`);
    else if (there.hidden || there.context || there.standing !== standing || there.value !== standing) failures.push(`${title} on ${place} is not shown as a match: ${JSON.stringify(there)}`);
  }
  if (errors.length) failures.push(`errors in the page: ${errors.join("; ")}`);
  await page.close();
  return failures;
}

/** What a phone shows in its first screen (see the usage above). */
async function runPhone(browser, base, bet) {
  const failures = [];
  const page = await browser.newPage();
  await page.setViewport({ width: 390, height: 844 });
  const top = (selector) => page.evaluate((s) => { const e = document.querySelector(s); return e ? e.getBoundingClientRect().top + window.scrollY : null; }, selector);
  await page.goto(base + "index.html", { waitUntil: "load" });
  const worst = await top(".attention li.tone-bad");
  console.log(`phone: the dashboard's worst item at ${worst} px`);
  if (worst === null || worst > 844) failures.push(`the dashboard's worst item is at ${worst} px, below the first screen`);
  await page.goto(base + `${bet}/index.html`, { waitUntil: "load" });
  const facts = await page.evaluate(() => { const e = document.querySelector(".key-facts"); return e && e.offsetParent ? [e.getBoundingClientRect().bottom, e.textContent] : null; });
  console.log(`phone: ${bet}'s key facts end at ${facts && facts[0]} px: ${facts && facts[1]}`);
  if (!facts || facts[0] > 844 || !/Owned by .+ · next review/.test(facts[1])) failures.push(`${bet}'s owner and next review are not in the first screen: ${JSON.stringify(facts)}`);
  await page.goto(base + "trace/index.html", { waitUntil: "load" });
  const trace = await page.evaluate(() => ({ open: document.getElementById("trace-filter-box").open, row: document.querySelector(".tree li").getBoundingClientRect().top }));
  console.log(`phone: the trace's first row at ${trace.row} px, filters ${trace.open ? "open" : "folded"}`);
  if (trace.open) failures.push("the trace's filters are open on a phone");
  if (trace.row > 844) failures.push(`the trace's first row is at ${trace.row} px`);
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
  failures =
    mode === "axe"
      ? await runAxe(chrome.browser, base, shotsArg)
      : mode === "search"
        ? await runSearch(chrome.browser, base, shotsArg)
        : mode === "trace"
        ? await runTrace(chrome.browser, base, shotsArg)
        : mode === "forest"
        ? await runForest(chrome.browser, base, shotsArg)
        : mode === "phone"
        ? await runPhone(chrome.browser, base, shotsArg)
        : await runLayout(chrome.browser, base, resolve(shotsArg));
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
