// A scenario's report.html in a real browser (headless Chromium through
// playwright-core, as conformance/reporters/html.browser.test.ts does): it
// renders its verdict and three kinds of plot as inline SVG, fetches nothing,
// logs no error (its CSP lets its own style in), and runs no injected text.
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAssertions, histogram, latencyStats, type FlowMetrics, type RegistrationMetrics } from './metrics.js';
import { renderReport, type ScenarioMetrics } from './report.js';

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

function flow(latencies: number[], sent: number, seconds: number): FlowMetrics {
  return {
    sent, delivered: latencies.length, deliveryRatio: latencies.length / sent, duplicates: 0, latencyMs: latencyStats(latencies), histogram: histogram(latencies),
    perSecond: Array.from({ length: seconds }, (_, t) => ({ t, sent: Math.round(sent / seconds), delivered: Math.round(latencies.length / seconds) })),
  };
}

function fixtureMetrics(): ScenarioMetrics {
  const tel = flow(Array.from({ length: 500 }, (_, i) => 2 + (i % 17) * 0.7 + (i % 97 === 0 ? 20 : 0)), 500, 10);
  const cmd = flow(Array.from({ length: 98 }, (_, i) => 5 + (i % 9)), 100, 10);
  const times = Array.from({ length: 50 }, (_, i) => 300 + i * 15);
  const registration: RegistrationMetrics = { devices: 50, registered: 50, latencyMs: latencyStats(times), times };
  const assertions = checkAssertions({ minDeliveryRatio: 0.99, maxP99LatencyMs: 50, noDuplicates: true, maxRegistrationS: 30 }, { telemetry: tel, commands: cmd }, registration);
  return {
    scenario: { name: 'fixture', file: `scenarios/${HOSTILE}.yaml`, description: `a line ${HOSTILE}` },
    sixlabVersion: '0.1.0', startedAt: '2026-01-02T03:04:05.000Z', wallMs: 25_000,
    run: { fleetDevices: 100, devices: 50, cells: 2, shard: '1/2', broker: 'external at mqtt://[::1]:1883', workers: 2, clock: 'real time', durationS: 10, drainS: 5, powerOnS: 1 },
    phases: { joinMs: 1200, trafficMs: 10_000, drainMs: 400 },
    registration, telemetry: tel, commands: cmd,
    fleet: {
      lagMaxMs: 4.2, lagMeanMs: 0.8, events: 12_000, transmissions: 3000, deliveries: 70_000, drops: { MacNotForUs: 60_000 }, memoryPerDeviceBytes: 200_000,
      published: 550, stale: 0, observeFailures: 0, unmatchedMessages: 50,
    },
    assertions, verdict: assertions.every((a) => a.ok) ? 'pass' : 'fail',
  };
}

let dir = '';
let browser: Browser | undefined;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is needed to test report.html and was not found at ${CHROMIUM}: apt-get install -y --no-install-recommends chromium (CI installs it), or set CHROMIUM to its path`);
  }
  dir = mkdtempSync(join(tmpdir(), 'sixlab-scenario-report-'));
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a scenario\'s report.html in Chromium', () => {
  it('shows the verdict, each assertion and the plots, fetching nothing and logging no error', async () => {
    const m = fixtureMetrics();
    const file = join(dir, 'report.html');
    writeFileSync(file, renderReport(m));
    const context = await browser!.newContext();
    const page = await context.newPage();
    const requests: string[] = [];
    const errors: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('console', (c) => {
      if (c.type() === 'error' || c.type() === 'warning') errors.push(c.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });

    expect(await page.locator('#verdict .verdict').innerText()).toBe('FAIL: 1 of 7 assertions failed (minDeliveryRatio)');
    const items = await page.locator('#assertions li').allInnerTexts();
    expect(items).toHaveLength(7);
    expect(await page.locator('#assertions li.ko').allInnerTexts()).toEqual(['minDeliveryRatio: delivery ratio 0.9800 (98 of 100) < 0.99 (commands)']);
    // The mark before each (a pseudo-element of the page's own style).
    expect(await page.locator('#assertions li.ko').evaluate((e) => getComputedStyle(e, '::before').content)).toBe('"✘ "');
    // The style applied (the CSP let it in by its hash): a failing verdict is red on pink.
    expect(await page.locator('#verdict .verdict').evaluate((e) => getComputedStyle(e).backgroundColor)).toBe('rgb(255, 235, 233)');

    for (const id of ['histogram-telemetry', 'histogram-commands', 'rate', 'registrations']) {
      const svg = page.locator(`svg#${id}`);
      expect(await svg.isVisible(), id).toBe(true);
      const box = (await svg.boundingBox())!;
      expect(box.width).toBeGreaterThan(300);
      expect(box.height).toBeGreaterThan(100);
    }
    expect(await page.locator('#histogram-telemetry rect.bar').count()).toBe(m.telemetry!.histogram.counts.length);
    const tallest = await page.locator('#histogram-telemetry rect.bar').evaluateAll((bars) => Math.max(...bars.map((b) => Number(b.getAttribute('height')))));
    expect(tallest).toBeGreaterThan(50);
    expect(await page.locator('#rate polyline.series').count()).toBe(4);
    expect(await page.locator('#registrations polyline.series').getAttribute('data-name')).toBe('registered (50 of 50)');
    expect(await page.locator('#run').innerText()).toContain('50 of 100 (shard 1/2)');
    expect(await page.locator('#latency').innerText()).toMatch(/telemetry: sample time → MQTT delivery\s+500/);

    // Hostile text shows as text, and ran nothing.
    expect(await page.locator('#run').innerText()).toContain(`scenarios/${HOSTILE}.yaml`);
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    await context.close();
  });
});
