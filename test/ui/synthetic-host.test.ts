import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chromiumAvailable, collectPageErrors, launchChromium, RENDERER_DIST, rendererBuilt, screenshot, seriousAxeViolations } from './support/browser.js';
import { serveRenderer } from './support/static-server.js';

const FAKE_HOST = path.join(import.meta.dirname, 'support/page-fake-host.js');

/**
 * States the demo model is too small or too fast to show, driven by a synthetic host inside the page: reading with
 * rate and ETA, cancelling, stopping a slow answer with Escape, hostile Markdown, the head grid under the mouse.
 */
describe.skipIf(!chromiumAvailable('the synthetic-host UI tests'))('the UI with a synthetic host in Chromium', () => {
  let server: Awaited<ReturnType<typeof serveRenderer>>;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    rendererBuilt();
    server = await serveRenderer(RENDERER_DIST);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function openApp(config: Record<string, unknown>): Promise<void> {
    await page.addInitScript((c) => Object.assign(window, { __longreadFakeConfig: c }), config);
    await page.addInitScript({ path: FAKE_HOST });
    await page.goto(server.url);
    await page.getByTestId('model-name').waitFor();
  }

  async function openDocument(name = 'annual-report.pdf'): Promise<void> {
    await page.getByLabel('Choose document file').setInputFiles({ name, mimeType: 'application/pdf', buffer: Buffer.from('%PDF synthetic') });
    await page.getByTestId('document-card').waitFor();
  }

  async function readIt(): Promise<void> {
    await page.getByRole('button', { name: 'Read the document' }).click();
    await page.getByTestId('document-text').waitFor({ timeout: 30_000 });
  }

  beforeEach(async () => {
    await page?.close();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = collectPageErrors(page);
  });

  it('shows reading progress with the stage, tokens/s and time left, and cancels', async () => {
    await openApp({ tokens: 60_000, readMs: 8000, modelName: 'Qwen2.5 1.5B Instruct', numLayers: 28, numKvHeads: 2 });
    await openDocument();
    await page.getByRole('button', { name: 'Read the document' }).click();
    const progress = page.getByTestId('reading-progress');
    await expect.poll(() => progress.textContent(), { timeout: 10_000 }).toMatch(/Reading · [\d,]+ tokens of 60,000 tokens · 850 tok\/s · about \d+ s left/);
    console.log(`screenshot: ${await screenshot(page, 'synthetic-reading-progress')}`);
    await page.getByRole('button', { name: 'Cancel reading' }).click();
    await page.getByTestId('document-card').waitFor();
    expect(await page.getByTestId('document-error').count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it('stops a slow answer with Escape and keeps what was written', async () => {
    await openApp({ tokens: 3000, readMs: 300, tokenMs: 150 });
    await openDocument();
    await readIt();
    await page.getByLabel('Message', { exact: true }).fill('What is it about?');
    await page.keyboard.press('Enter');
    const answer = page.getByTestId('answer').last();
    await expect.poll(() => answer.locator('.markdown').textContent()).toMatch(/\w+ \w+/);
    await page.keyboard.press('Escape');
    await expect.poll(() => answer.textContent()).toContain('Stopped.');
    expect(await page.getByRole('button', { name: 'Send' }).count()).toBe(1);
    expect(errors).toEqual([]);
  });

  it('renders hostile Markdown inert: no images, no remote requests, no handlers, no inline styles', async () => {
    const remote: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.url)) remote.push(r.url());
    });
    await openApp({ tokens: 3000, readMs: 300, answer: 'xss', tokenMs: 5 });
    await openDocument();
    await readIt();
    await page.getByLabel('Message', { exact: true }).fill('Show me formatting');
    await page.getByRole('button', { name: 'Send' }).click();
    const markdown = page.getByTestId('answer').last().locator('.markdown');
    await page.getByTestId('answer').last().getByTestId('answer-stats').waitFor();
    expect(await markdown.locator('strong').textContent()).toBe('bold');
    expect(await markdown.locator('code').textContent()).toBe('code');
    expect(await markdown.locator('img, [style], [onerror], a[href]').count()).toBe(0);
    // Raw HTML from the model is shown as text.
    expect(await markdown.textContent()).toContain('<span style="color:red">styled</span>');
    expect(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned)).toBeUndefined();
    expect(remote).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('chooses a head on the canvas grid, shows its kept tokens, and describes cells under the mouse', async () => {
    await openApp({ tokens: 20_000, readMs: 300, numLayers: 12, numKvHeads: 4, modelName: 'Synthetic 12-layer model' });
    await openDocument('field-notes.txt');
    await readIt();
    const grid = page.getByTestId('head-grid');
    await grid.scrollIntoViewIfNeeded();
    const box = (await grid.boundingBox())!;
    // Layer 2, head 1: labels take 34 px on the left and 16 px on top; cells are square with a 2 px gap.
    const cell = (box.width - 34) / 4;
    const at = { x: 34 + cell * 1.5, y: 16 + cell * 2.5 };
    await grid.hover({ position: at });
    await expect.poll(() => page.getByRole('tooltip').textContent()).toMatch(/^Layer 2, head 1: kept [\d,]+ of 20,000 tokens/);
    await grid.click({ position: at });
    await expect.poll(() => page.getByTestId('shade-legend').textContent()).toContain('layer 2, head 1');
    await expect.poll(() => page.getByLabel('Head', { exact: true }).inputValue()).toBe('1');
    await expect.poll(async () => (await page.getByTestId('document-text').locator('.t.shade-8').count()) > 0).toBe(true);
    const levels = await page.getByTestId('document-text').evaluate((el) => [...new Set([...el.querySelectorAll('.t')].map((s) => /shade-(\d)/.exec(s.className)?.[1]))]);
    expect(levels.sort()).toEqual(['0', '8']);
    await page.getByTestId('document-text').locator('.t.shade-8').first().hover();
    await expect.poll(() => page.getByTestId('token-inspector').textContent()).toMatch(/β [-\d.]+ in the chosen head/);
    console.log(`screenshot: ${await screenshot(page, 'synthetic-head-grid')}`);
    expect(await seriousAxeViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('downloads a catalog model with progress, speed and time left; cancels and resumes', async () => {
    await openApp({ tokens: 1000 });
    await page.getByRole('button', { name: 'Models…' }).click();
    await page.getByRole('button', { name: 'Download Qwen2.5 0.5B Instruct' }).click();
    const progress = page.getByLabel('Downloading Qwen2.5 0.5B Instruct');
    await progress.waitFor();
    await expect.poll(() => page.getByTestId('catalog').textContent()).toMatch(/Downloading · [\d.]+ MiB of 990 MiB · 12\.0 MiB\/s · about [\w ]+ left/);
    console.log(`screenshot: ${await screenshot(page, 'synthetic-download')}`);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('button', { name: 'Resume downloading Qwen2.5 0.5B Instruct' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Use' }).count(), { timeout: 15_000 }).toBe(1);
    expect(errors).toEqual([]);
  });

  it('shows an engine restart and lets the person reopen from the library', async () => {
    await openApp({ tokens: 3000, readMs: 300 });
    await openDocument('notes.txt');
    await readIt();
    await page.evaluate(() => {
      const fake = (window as unknown as { __longreadFake: { emit(e: object): void } }).__longreadFake;
      fake.emit({ type: 'crash', message: 'the engine process exited with code 134' });
      fake.emit({ type: 'engineRestarted', modelReloaded: true });
    });
    await expect.poll(() => page.getByTestId('notice').textContent()).toContain('Reopen your document from the library');
    await page.getByTestId('drop-zone').waitFor();
    await page.getByTestId('library-item').first().click();
    await page.getByTestId('document-text').waitFor();
    console.log(`screenshot: ${await screenshot(page, 'synthetic-restart-reopened')}`);
    expect(errors).toEqual([]);
  });
});
