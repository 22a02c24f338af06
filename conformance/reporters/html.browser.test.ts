// report.html in a real browser (headless Chromium through playwright-core):
// it renders, fetches nothing, logs no error, runs no injected script, and the
// filters work with JS while everything stays readable without it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { HtmlReporter } from './html.js';
import { drive, fixtureResults, HOSTILE, tempReportDir } from './test-util.js';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

let dir = '';
let url = '';
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is needed to test report.html and was not found at ${CHROMIUM}: ` +
        'apt-get install -y --no-install-recommends chromium (CI installs it), or set CHROMIUM to its path',
    );
  }
  dir = tempReportDir();
  await drive(new HtmlReporter(dir), fixtureResults());
  url = pathToFileURL(join(dir, 'report.html')).href;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Watched {
  page: Page;
  requests: string[];
  errors: string[];
  dialogs: string[];
}

async function open(javaScriptEnabled = true): Promise<Watched> {
  const context = await browser!.newContext({ javaScriptEnabled });
  const page = await context.newPage();
  const w: Watched = { page, requests: [], errors: [], dialogs: [] };
  page.on('request', (r) => w.requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => w.errors.push(`page: ${e.message}`));
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(url, { waitUntil: 'load' });
  return w;
}

describe('report.html in Chromium', () => {
  it('renders the readiness verdict and the summary tables, fetching nothing and logging no error', async () => {
    const w = await open();
    const { page } = w;
    const verdict = page.locator('#verdict');
    await expect(verdict.isVisible()).resolves.toBe(true);
    const text = await verdict.innerText();
    expect(text).toContain('NOT READY');
    expect(text).toContain('NOT ready: 2 MUST requirements failed (LOWPAN-25, ND-06), 1 errored (ICMPV6-03), 1 inconclusive (IPV6-09)');
    const bySuite = page.locator('#by-suite');
    await expect(bySuite.isVisible()).resolves.toBe(true);
    const rows = await bySuite.locator('tbody tr').allInnerTexts();
    expect(rows.map((r) => r.split('\t').map((c) => c.trim()))).toContainEqual(['icmpv6', '0', '1', '0', '0', '1', '2']);
    const byLevel = await page.locator('#by-level tbody tr').allInnerTexts();
    expect(byLevel.map((r) => r.split('\t').map((c) => c.trim()))).toContainEqual(['MUST', '2', '2', '1', '1', '1', '7']);
    expect(await page.locator('#warnings').innerText()).toContain('ICMPV6-11');
    // the hostile frame summary is shown as text, and ran nothing
    expect(await page.locator('#f4 summary').innerText()).toContain(HOSTILE);
    expect(w.dialogs).toEqual([]);
    expect(w.requests).toEqual([url]);
    expect(w.errors).toEqual([]);
    await page.context().close();
  });

  it('filters by verdict and suite with JS; a frame link opens the frame', async () => {
    const w = await open();
    const { page } = w;
    await expect(page.locator('#filters').isVisible()).resolves.toBe(true);
    await expect(page.locator('article.test:visible').count()).resolves.toBe(12);
    await page.locator('#filters input[value="pass"]').uncheck();
    await expect(page.locator('article.test:visible').count()).resolves.toBe(8);
    await expect(page.locator('#index tbody tr:visible').count()).resolves.toBe(8);
    await page.locator('#filters select').selectOption('nd');
    await expect(page.locator('article.test:visible').count()).resolves.toBe(2);
    await page.locator('#filters select').selectOption('');
    await page.locator('#filters input[value="pass"]').check();
    // frame details are collapsed by default; following the finding's link opens the cited frame
    await expect(page.locator('#f4 pre').isVisible()).resolves.toBe(false);
    await page.locator('#t-LOWPAN-25 .finding a[href="#f4"]').click();
    await page.locator('#f4 pre').waitFor({ state: 'visible', timeout: 5000 });
    expect(page.url()).toBe(`${url}#f4`);
    expect(await page.locator('#f4 pre').innerText()).toContain(`<b>${HOSTILE}</b>`);
    expect(w.requests).toEqual([url]);
    expect(w.errors).toEqual([]);
    expect(w.dialogs).toEqual([]);
    await page.context().close();
  });

  it('is fully readable without JS: every test and its reason visible, filters hidden', async () => {
    const w = await open(false);
    const { page } = w;
    await expect(page.locator('#filters').isVisible()).resolves.toBe(false);
    await expect(page.locator('article.test:visible').count()).resolves.toBe(12);
    expect(await page.locator('#verdict').innerText()).toContain('NOT READY');
    expect(await page.locator('#t-ICMPV6-03').innerText()).toContain('device said <img src=x onerror=alert(2)>');
    expect(await page.locator('#t-ND-06 .finding').innerText()).toContain('a solicited NA');
    // frame summaries are visible; their details open on click
    await expect(page.locator('#f9 summary').isVisible()).resolves.toBe(true);
    await page.locator('#f9 summary').click();
    await expect(page.locator('#f9 code.hex').isVisible()).resolves.toBe(true);
    expect(w.requests).toEqual([url]);
    expect(w.errors).toEqual([]);
    await page.context().close();
  });
});
