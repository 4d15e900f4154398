/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
// Opens a report page in Debian's chromium, driven by playwright-core: collects console
// errors and any request that leaves the file, and checks that every chart drew.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/** Under CI a missing chromium fails the browser tests; elsewhere they are skipped, saying so. */
export const browserTestsRun = existsSync(CHROMIUM) || Boolean(process.env.CI);
if (!browserTestsRun) console.warn(`browser tests skipped: no ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface PageCheck {
  /** Console errors, page errors and failed requests. */
  errors: string[];
  /** Requests for anything but the file itself and data: URLs (the page must be self-contained). */
  outside: string[];
  /** .chart elements, and how many the page's script reports drawn. */
  charts: number;
  drawn: number;
  /** Per chart: its id and the canvas pixels in the first series' color (its line). */
  lines: { id: string; pixels: number }[];
  /** Per chart: the labels in its legend. */
  legends: string[][];
  /** Share of the viewport screenshot's pixels that are not background white. */
  screenshotInk: number;
}

export async function checkPage(file: string): Promise<PageCheck> {
  if (!existsSync(CHROMIUM)) throw new Error(`no ${CHROMIUM}: install Debian's chromium (.ci/run does)`);
  const profile = mkdtempSync(join(tmpdir(), 'zss-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
  try {
    const page = await context.newPage();
    const errors: string[] = [];
    const outside: string[] = [];
    const url = pathToFileURL(file).href;
    page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
    page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    page.on('request', (r) => r.url() !== url && !r.url().startsWith('data:') && outside.push(r.url()));
    await page.setViewportSize({ width: 1300, height: 1000 });
    await page.goto(url);
    await page.waitForSelector('body[data-charts-drawn]', { timeout: 15_000 }).catch(() => errors.push('charts never reported drawn'));
    const inPage = await page.evaluate(() => {
      // The first series' stroke in assets/charts.js: #1f77b4.
      const isLine = (d: Uint8ClampedArray, i: number) => Math.abs(d[i]! - 31) < 24 && Math.abs(d[i + 1]! - 119) < 24 && Math.abs(d[i + 2]! - 180) < 24;
      const charts = [...document.querySelectorAll<HTMLElement>('.chart')];
      return {
        charts: charts.length,
        drawn: Number(document.body.getAttribute('data-charts-drawn') ?? 0),
        lines: charts.map((c) => {
          const canvas = c.querySelector('canvas');
          const d = canvas?.getContext('2d')?.getImageData(0, 0, canvas.width, canvas.height).data;
          let pixels = 0;
          for (let i = 0; d && i < d.length; i += 4) if (isLine(d, i)) pixels++;
          return { id: c.id, pixels };
        }),
        legends: charts.map((c) => [...c.querySelectorAll('.u-legend .u-label')].map((l) => l.textContent ?? '')),
      };
    });
    const png = (await page.screenshot()).toString('base64');
    const screenshotInk = await page.evaluate(async (b64) => {
      const img = new Image();
      img.src = `data:image/png;base64,${b64}`;
      await img.decode();
      const canvas = document.createElement('canvas');
      canvas.width = img.width;
      canvas.height = img.height;
      const ctx = canvas.getContext('2d')!;
      ctx.drawImage(img, 0, 0);
      const d = ctx.getImageData(0, 0, img.width, img.height).data;
      let ink = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 235 || d[i + 1]! < 235 || d[i + 2]! < 235) ink++;
      return ink / (d.length / 4);
    }, png);
    return { errors, outside, ...inPage, screenshotInk };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}
