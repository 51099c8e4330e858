import fs from 'node:fs';
import path from 'node:path';
import { PDFDocument } from '@cantoo/pdf-lib';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ProgressEvent, TokenEvent } from '../../common/contract.js';
import { positionFromRatio, ratioFromPosition } from '../../renderer/lib/log-scale.js';
import { shadeLevel } from '../../renderer/lib/retention-shading.js';
import { chromiumAvailable, collectPageErrors, launchChromium, rendererBuilt, screenshot, seriousAxeViolations } from './support/browser.js';
import { listenToEvents, startServe, type Served } from '../helpers/serve-process.js';

const SAMPLES = path.resolve(import.meta.dirname, '../../assets/documents/samples');
const STORY = 'tom-and-the-kite.txt';

/**
 * The whole product in Chromium against `longread serve` on the demo model: drop a document, watch it read, ask
 * and get a streamed answer with sources, move the slider and see the meter and the visualizer follow the engine,
 * switch method, choose a head, summarize, reopen from the library without reading again, and a bad file's error.
 * The steps share one page and run in order; each saves a screenshot (see SCREENSHOT_DIR in support/browser.ts).
 */
describe.skipIf(!chromiumAvailable('the end-to-end UI suite'))('Longread in Chromium against longread serve (demo model)', () => {
  let served: Served;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let events: ReturnType<typeof listenToEvents>;
  const apiCalls: string[] = [];

  beforeAll(async () => {
    rendererBuilt();
    served = await startServe();
    events = listenToEvents(served);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    errors = collectPageErrors(page);
    page.on('request', (r) => {
      const match = /\/api\/(\w+)/.exec(r.url());
      if (match) apiCalls.push(match[1]);
    });
  });

  // A failure leaves what the person saw and what the engine said, for the run's log.
  beforeEach(({ task, onTestFailed }) => {
    onTestFailed(async () => {
      const said = events.events.filter((e) => e.type !== 'progress' && e.type !== 'token' && e.type !== 'status');
      console.log(`${task.name} failed; engine events besides progress and status: ${JSON.stringify(said)}`);
      console.log(`page errors: ${JSON.stringify(errors)}; screenshot: ${await screenshot(page, `failed-${task.name.slice(0, 40).replace(/\W+/g, '-')}`)}`);
    });
  });

  afterAll(async () => {
    await events?.stop();
    await browser?.close();
    await served?.stop();
  });

  const answers = () => page.getByTestId('answer');
  const visibleShades = () =>
    page.getByTestId('document-text').evaluate((el) => [...el.querySelectorAll<HTMLElement>('.t')].map((s) => [Number(s.dataset.t), Number(/shade-(\d)/.exec(s.className)?.[1] ?? -1)]));
  const documentId = async () => {
    const status = await served.request('status', {});
    if (!status.ok || !status.value.documentId) throw new Error('the engine has no open document');
    return status.value.documentId;
  };
  const expectAccessible = async (state: string) => {
    const violations = await seriousAxeViolations(page);
    expect(violations, `${state}: ${JSON.stringify(violations, null, 1)}`).toEqual([]);
  };

  it('refuses an API call without the launch token', async () => {
    const res = await fetch(`${served.base}/api/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(401);
  });

  it('first run: the demo model is ready, the drop zone and the model catalog are there', async () => {
    await page.goto(served.url);
    // The token leaves the address bar once the page has it.
    await expect.poll(() => page.url()).toBe(`${served.base}/`);
    await expect.poll(() => page.getByTestId('model-name').textContent(), { timeout: 120_000 }).toContain('stories260K');
    await page.getByTestId('drop-zone').waitFor();
    await page.getByTestId('demo-hint').waitFor();
    console.log(`screenshot: ${await screenshot(page, '01-first-run')}`);
    await expectAccessible('first run');

    await page.getByRole('button', { name: 'Models…' }).click();
    const catalog = page.getByTestId('catalog');
    await catalog.getByRole('row', { name: /Qwen2\.5 0\.5B/ }).waitFor();
    expect(await catalog.getByRole('button', { name: /^Download / }).count()).toBeGreaterThan(3);
    console.log(`screenshot: ${await screenshot(page, '01b-model-catalog')}`);
    await expectAccessible('model catalog');
    await page.keyboard.press('Escape');
    await catalog.waitFor({ state: 'hidden' });
  });

  it('a dropped document shows its size, time and memory, then reads with progress', async () => {
    const bytes = [...fs.readFileSync(path.join(SAMPLES, STORY))];
    await page.getByTestId('drop-zone').evaluate(
      (zone, { data, name }) => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([new Uint8Array(data)], name, { type: 'text/plain' }));
        for (const type of ['dragenter', 'dragover', 'drop']) zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
      },
      { data: bytes, name: STORY },
    );
    const card = page.getByTestId('document-card');
    await card.waitFor({ timeout: 60_000 });
    expect(Number((await page.getByTestId('document-tokens').textContent())!.replace(/,/g, ''))).toBeGreaterThan(100);
    expect(await page.getByTestId('document-kv-at-ratio').textContent()).toMatch(/\d+(\.\d+)? (B|KiB|MiB)/);
    console.log(`screenshot: ${await screenshot(page, '02-document-opened')}`);

    await page.getByRole('button', { name: 'Read the document' }).click();
    await page.getByTestId('reading-progress').waitFor();
    console.log(`screenshot: ${await screenshot(page, '03-reading-progress')}`);
    await page.getByTestId('document-title').waitFor({ timeout: 120_000 });
    await page.getByTestId('document-text').waitFor();
    await page.getByTestId('head-grid').waitFor();
    const reading = events.events.filter((e): e is ProgressEvent => e.type === 'progress' && e.operationId.startsWith('read-'));
    expect(new Set(reading.map((e) => e.stage)).size).toBeGreaterThan(1);
  });

  it('asks, and the answer streams in with sources that scroll the document to the passage', async () => {
    // The demo model has 512 positions: short answers leave room for the summary in the same conversation.
    await page.getByText('Options', { exact: true }).click();
    await page.getByLabel('Max tokens', { exact: true }).fill('40');
    await page.getByText('Options', { exact: true }).click();
    await page.getByLabel('Message', { exact: true }).fill('What did Tom do with the kite?');
    await page.getByRole('button', { name: 'Send' }).click();
    const answer = answers().last();
    await answer.getByTestId('answer-stats').waitFor({ timeout: 120_000 });

    const operation = events.events.find((e): e is TokenEvent => e.type === 'token' && e.operationId.startsWith('ask-'))!.operationId;
    await expect.poll(() => events.events.filter((e) => e.type === 'token' && e.operationId === operation).length).toBeGreaterThan(5);
    const streamed = events.events.filter((e): e is TokenEvent => e.type === 'token' && e.operationId === operation);
    const lettersOnly = (s: string) => s.replace(/[^A-Za-z0-9]/g, '');
    expect(lettersOnly((await answer.locator('.markdown').textContent()) ?? '')).toBe(lettersOnly(streamed.map((e) => e.text).join('')));
    expect(streamed.some((e) => e.sources && e.sources.length > 0)).toBe(true);

    const sources = answer.getByTestId('source');
    expect(await sources.count()).toBeGreaterThan(0);
    await sources.first().click();
    const mark = page.getByTestId('document-text').locator('.mark').first();
    await mark.waitFor();
    expect(await mark.isVisible()).toBe(true);
    console.log(`screenshot: ${await screenshot(page, '04-answer-with-sources')}`);
    await expectAccessible('answer with sources');
  });

  it('moving the slider re-compacts: the meter and the visualizer change and match the engine', async () => {
    const shadesBefore = JSON.stringify(await visibleShades());
    const slotsBefore = await page.getByTestId('meter-slots').getAttribute('data-value');
    await page.keyboard.press('Alt+K');
    const slider = page.getByLabel('Keep', { exact: true });
    expect(await slider.evaluate((el) => el === document.activeElement)).toBe(true);
    const steps = 25;
    for (let i = 0; i < steps; i++) await slider.press('ArrowLeft');
    const target = ratioFromPosition(positionFromRatio(0.2) - steps);
    await expect.poll(() => page.getByTestId('view-summary').getAttribute('data-ratio'), { timeout: 60_000 }).toBe(String(target));

    // The meter shows what the engine reports.
    await expect
      .poll(async () => {
        const status = await served.request('status', {});
        return status.ok && status.value.cache ? (await page.getByTestId('meter-slots').getAttribute('data-value')) === String(status.value.cache.slots) : false;
      })
      .toBe(true);
    expect(await page.getByTestId('meter-slots').getAttribute('data-value')).not.toBe(slotsBefore);

    // The visualizer shades every token in sight by how many heads the engine says kept it.
    await expect.poll(async () => JSON.stringify(await visibleShades())).not.toBe(shadesBefore);
    const retention = await served.request('retention', { documentId: await documentId() });
    if (!retention.ok) throw new Error(retention.error.message);
    const heads = retention.value.numLayers * retention.value.numKvHeads;
    await expect.poll(async () => (await visibleShades()).every(([t, level]) => level === shadeLevel(retention.value.counts[t], heads))).toBe(true);
    console.log(`screenshot: ${await screenshot(page, '05-recompacted')}`);
  });

  it('switching the method re-compacts with it and redraws the fidelity curve', async () => {
    await page.getByLabel('Method', { exact: true }).selectOption('snapkv');
    await expect.poll(() => page.getByTestId('view-summary').getAttribute('data-method'), { timeout: 60_000 }).toBe('snapkv');
    await page.getByTestId('fidelity-current').waitFor();
    expect(await page.getByTestId('fidelity-plot').locator('.point').count()).toBeGreaterThan(3);
  });

  it("choosing a head shows exactly the tokens it kept; hovering a token lists the heads", async () => {
    await page.getByLabel('Layer', { exact: true }).selectOption('1');
    await page.getByLabel('Head', { exact: true }).selectOption('2');
    await expect.poll(() => page.getByTestId('shade-legend').textContent()).toContain('layer 1, head 2');
    const retention = await served.request('retention', { documentId: await documentId(), layer: 1, head: 2 });
    if (!retention.ok || !retention.value.head) throw new Error('no head in the retention reply');
    const kept = new Set(retention.value.head.tokens);
    await expect.poll(async () => (await visibleShades()).every(([t, level]) => level === (kept.has(t) ? 8 : 0))).toBe(true);

    await page.getByTestId('document-text').locator('.t').nth(3).hover();
    await expect.poll(() => page.getByTestId('token-inspector').textContent()).toMatch(/kept by \d+ of \d+ heads/);
    await expect.poll(() => page.getByTestId('token-inspector').textContent()).not.toContain('loading');
    await page.getByTestId('head-grid').scrollIntoViewIfNeeded();
    console.log(`screenshot: ${await screenshot(page, '06-head-chosen')}`);
    await page.getByLabel('Layer', { exact: true }).selectOption('');
  });

  it('summarizes into the same conversation', async () => {
    const before = await answers().count();
    await page.getByRole('button', { name: 'Summarize', exact: true }).first().click();
    await expect.poll(() => answers().count()).toBe(before + 1);
    const summary = answers().last();
    await summary.locator('[data-testid="answer-stats"], .error-note').first().waitFor({ timeout: 60_000 });
    expect(await summary.locator('.error-note').count(), (await summary.textContent()) ?? '').toBe(0);
    expect(((await summary.locator('.markdown').textContent()) ?? '').trim().length).toBeGreaterThan(0);
  });

  it('reopens the document from the library without reading it again', async () => {
    await page.getByRole('button', { name: 'Close document' }).click();
    await page.getByTestId('drop-zone').waitFor();
    const readsBefore = apiCalls.filter((c) => c === 'readDocument').length;
    await page.getByTestId('library-item').first().click();
    await page.getByTestId('document-title').waitFor({ timeout: 60_000 });
    await page.getByTestId('document-text').waitFor();
    expect(apiCalls.filter((c) => c === 'readDocument').length).toBe(readsBefore);
    expect(apiCalls).toContain('libraryOpen');
    // The saved conversation comes back with it.
    await expect.poll(() => answers().count()).toBeGreaterThan(0);
    await expect.poll(() => page.getByTestId('fidelity-plot').locator('.point').count()).toBeGreaterThan(3);
    console.log(`screenshot: ${await screenshot(page, '07-library-reopen')}`);

    await page.getByRole('button', { name: 'Settings' }).click();
    await expectAccessible('settings');
    await page.getByLabel('Dark').check();
    await page.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    console.log(`screenshot: ${await screenshot(page, '08-dark-theme')}`);
  });

  it('a bad file shows its error in place, saying what to do', async () => {
    await page.getByRole('button', { name: 'Close document' }).click();
    const pdf = await PDFDocument.create();
    pdf.addPage();
    await page.getByLabel('Choose document file').setInputFiles({ name: 'scanned-contract.pdf', mimeType: 'application/pdf', buffer: Buffer.from(await pdf.save()) });
    const error = page.getByTestId('document-error');
    await error.waitFor({ timeout: 60_000 });
    expect(await error.getAttribute('data-code')).toMatch(/^(PDF_NO_TEXT|DOCUMENT_EMPTY)$/);
    console.log(`engine error for a text-less PDF: ${await error.textContent()}`);
    console.log(`screenshot: ${await screenshot(page, '09-error')}`);

    await page.getByLabel('Choose document file').setInputFiles({ name: 'photo.png', mimeType: 'image/png', buffer: Buffer.from([137, 80, 78, 71]) });
    await expect.poll(() => error.getAttribute('data-code')).toBe('UNSUPPORTED_DOCUMENT');
    expect(errors).toEqual([]);
  });
});
