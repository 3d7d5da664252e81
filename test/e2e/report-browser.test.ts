/**
 * The HTML report in a real browser: Debian's chromium driven by playwright-core opens the report of a passing and of
 * a failing take from file:// and checks what a reader would see. Screenshots go to test-output/report-browser/ (not
 * committed). The audit runs in-process; its file reads go through the built worker, so `npm test` builds first.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { audit, DEFAULT_THRESHOLDS, type TakeAudit } from '../../src/audit/index.js';
import { renderTakeReport } from '../../src/report/index.js';
import { SDK_WRITTEN } from '../fixtures.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const OUT = join(ROOT, 'test-output/report-browser');
const CHROMIUM = '/usr/bin/chromium';
const VIEWPORT = { width: 1280, height: 800 };

/** A real browser is part of the test: .ci/run installs Debian's chromium; elsewhere `apt-get install chromium`. */
if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install chromium) to run the report's browser test.`);

async function auditOne(path: string): Promise<TakeAudit> {
  const report = await audit({ paths: [path], thresholds: DEFAULT_THRESHOLDS });
  const take = report.takes[0];
  if (!take || report.takes.length !== 1) throw new Error(`expected one take in ${path}`);
  return take;
}

interface Opened {
  page: Page;
  url: string;
  requests: string[];
  errors: string[];
}

describe('HTML report in chromium', () => {
  let browser: Browser;
  const opened: Opened[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  });

  afterAll(async () => {
    for (const o of opened) await o.page.close();
    await browser?.close();
  });

  /** Writes the take's report, opens it, waits until every chart has drawn (or failed), and screenshots it. */
  async function open(name: string, take: TakeAudit): Promise<Opened> {
    const file = join(OUT, `${name}.html`);
    writeFileSync(file, renderTakeReport(take));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage({ viewport: VIEWPORT });
    const requests: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(url, { waitUntil: 'load' });
    // Each chart container is marked drawn (or broken) by the page's bootstrap once vega has rendered it.
    await page.waitForFunction("[...document.querySelectorAll('[data-chart]')].every((el) => el.matches('.is-drawn, .is-broken'))", undefined, { timeout: 20_000 });
    await page.screenshot({ path: join(OUT, `${name}-first-screen.png`) });
    await page.screenshot({ path: join(OUT, `${name}-full.png`), fullPage: true });
    const o = { page, url, requests, errors };
    opened.push(o);
    return o;
  }

  async function expectCleanPage(o: Opened, verdict: string) {
    expect(o.errors).toEqual([]);
    // The only request is the report itself: no script, style, font, image or data of any kind is fetched.
    expect(o.requests).toEqual([o.url]);
    expect((await o.page.locator('.verdict-word').innerText()).trim()).toBe(verdict);
    const charts = await o.page.$$eval('[data-chart]', (els) =>
      els.map((el) => ({
        id: el.getAttribute('data-chart'),
        drawn: el.classList.contains('is-drawn'),
        svg: el.querySelectorAll('svg').length,
        // Data marks: vega draws lines, rects, rules and symbols as path/line elements inside "mark-*" groups.
        marks: el.querySelectorAll('svg g[class*="mark-line"] path, svg g[class*="mark-rect"] path, svg g[class*="mark-symbol"] path, svg g[class*="mark-rule"] line').length,
      })),
    );
    expect(charts.map((c) => c.id).sort()).toEqual(['intervals', 'offsets', 'rates', 'timeline']);
    for (const c of charts) {
      expect(c, `chart ${c.id}`).toMatchObject({ drawn: true, svg: 1 });
      expect(c.marks, `marks in chart ${c.id}`).toBeGreaterThan(0);
    }
    // Each chart type's own marks: the interval curves, the timeline bars, the rate dots.
    expect(await o.page.locator('[data-chart="intervals"] g[class*="mark-line"] path').count()).toBeGreaterThan(0);
    expect(await o.page.locator('[data-chart="timeline"] g[class*="mark-rect"] path').count()).toBeGreaterThan(0);
    expect(await o.page.locator('[data-chart="rates"] g[class*="mark-symbol"] path').count()).toBeGreaterThan(0);
    // The rig is server-side SVG.
    expect(await o.page.locator('svg.rig .rig-box').count()).toBeGreaterThan(1);
  }

  it('a passing take (SDK-written daisy chain) renders clean: PASS, every chart drawn, nothing fetched', async () => {
    const take = await auditOne(join(SDK_WRITTEN, 'daisy-clean'));
    expect(take.verdict).toBe('PASS');
    await expectCleanPage(await open('pass-daisy-clean', take), 'PASS');
  });

  it('a failing take (a sensor loses sync) shows the sensor and what to do on the first screen', async () => {
    const take = await auditOne(join(ROOT, 'samples/generator-sync-lost'));
    expect(take.verdict).toBe('FAIL');
    const failing = take.checks.find((c) => c.status === 'FAIL' && c.sensor !== null && c.remedy !== null);
    expect(failing).toBeDefined();
    const o = await open('fail-generator-sync-lost', take);
    await expectCleanPage(o, 'FAIL');

    const scrollY = await o.page.evaluate('window.scrollY');
    expect(scrollY).toBe(0);
    const card = o.page.locator('.issue-fail').first();
    const serial = card.locator('.issue-sensor');
    const remedy = card.locator('.remedy');
    expect((await serial.innerText()).trim()).toBe(failing!.sensor);
    expect(await remedy.innerText()).toContain(failing!.remedy!);
    for (const [what, el] of [['serial', serial], ['remedy', remedy]] as const) {
      const box = await el.boundingBox();
      expect(box, what).not.toBeNull();
      expect(box!.y, what).toBeGreaterThanOrEqual(0);
      expect(box!.y + box!.height, `${what} ends inside the first ${VIEWPORT.height} px`).toBeLessThanOrEqual(VIEWPORT.height);
    }
  });
});
