import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineClient } from '../../engine/host/client.js';
import { EngineBridge } from '../../main/engine-bridge.js';
import { rendererDistDir } from '../../main/paths.js';
import { startWebServer, type WebServer } from '../../main/web-server.js';
import { readStoriesGolden, sharedAvailable, STORIES_DIR } from '../helpers/shared.js';

const CHROMIUM = '/usr/bin/chromium';
const SCREENSHOT = path.join(os.tmpdir(), 'longread-web.png');

function chromiumAvailable(): boolean {
  const ok = fs.existsSync(CHROMIUM);
  if (!ok) console.warn(`SKIPPED: the browser UI test needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`);
  return ok;
}

const canRun = sharedAvailable(STORIES_DIR, 'the browser UI test') && chromiumAvailable();

describe.skipIf(!canRun)('web UI in Chromium, real engine, stories260K', () => {
  const cacheRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-ui-'));
  const engine = new EngineClient();
  const pageErrors: string[] = [];
  let server: WebServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const rendererDir = rendererDistDir();
    if (!fs.existsSync(path.join(rendererDir, 'index.html'))) {
      throw new Error(`${rendererDir}/index.html is missing: run \`npm run build\` before this test`);
    }
    server = await startWebServer({
      port: 0,
      rendererDir,
      createBridge: (broadcast) => new EngineBridge(engine, broadcast, { transport: 'http', cacheRoot }),
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
    });
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    // CSP violations and script errors land here: the page must run clean under its own policy.
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && pageErrors.push(m.text()));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await engine.close();
    fs.rmSync(cacheRoot, { recursive: true, force: true });
  });

  it('refuses an API call without the launch token', async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/status`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(401);
  });

  it('loads the model through the UI, streams a continuation of "Zoo", and updates the cache meter', async () => {
    const tokenEvents = collectTokenEvents(server);
    await page.goto(server.url);
    // The token leaves the address bar once the page has it.
    await expect.poll(() => page.url()).toBe(`http://127.0.0.1:${server.port}/`);

    await page.getByLabel('Model folder', { exact: true }).fill(STORIES_DIR);
    await page.getByLabel('Device', { exact: true }).selectOption('cpu');
    await page.getByLabel('Weights', { exact: true }).selectOption('fp32');
    await page.getByRole('button', { name: 'Load model' }).click();
    await page.getByTestId('active-provider').waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('active-provider').textContent()).toBe('cpu');
    expect(await page.getByTestId('cache-tokens').textContent()).toBe('0');

    await page.getByLabel('Mode', { exact: true }).selectOption('prompt');
    await page.getByLabel('Temperature', { exact: true }).fill('0');
    await page.getByLabel('Max tokens', { exact: true }).fill('60');
    await page.getByLabel('Message', { exact: true }).fill('Zoo');
    await page.getByRole('button', { name: 'Send' }).click();

    const reply = page.getByRole('article', { name: 'Assistant' });
    await page.getByTestId('generation-stats').waitFor({ timeout: 60_000 }).catch(async (e: unknown) => {
      await page.screenshot({ path: SCREENSHOT });
      console.log('page errors:', pageErrors);
      throw e;
    });
    const text = await reply.locator('.text').textContent();
    const golden = readStoriesGolden().greedy_after_prompt.text;
    expect(text).toBe(golden.slice('Zoo'.length));
    // The text came as a stream of token events, not only as the final reply.
    const streamed = await tokenEvents.stop();
    expect(streamed.length).toBeGreaterThan(10);
    expect(streamed.join('')).toBe(text);

    const status = await apiStatus(server);
    expect(status.logicalLength).toBeGreaterThan(60);
    await expect.poll(() => page.getByTestId('cache-tokens').textContent()).toBe(String(status.logicalLength));
    expect(await page.getByTestId('cache-memory').textContent()).toMatch(/^\d+(\.\d+)? \/ \d+(\.\d+)? MiB$/);

    await page.screenshot({ path: SCREENSHOT });
    console.log(`screenshot: ${SCREENSHOT}`);
    expect(pageErrors).toEqual([]);
  });
});

async function apiStatus(server: WebServer): Promise<{ logicalLength: number }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/api/status`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${server.token}` },
    body: '{}',
  });
  const reply = (await res.json()) as { ok: true; value: { logicalLength: number } };
  return reply.value;
}

/** Listens to the server's event stream beside the page and keeps the text of every token event. */
function collectTokenEvents(server: WebServer): { stop: () => Promise<string[]> } {
  const controller = new AbortController();
  const texts: string[] = [];
  const done = (async () => {
    const res = await fetch(`http://127.0.0.1:${server.port}/api/events?token=${server.token}`, { signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      const reader = res.body!.getReader();
      while (true) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((l) => l.startsWith('data: '));
          const event = data ? (JSON.parse(data.slice(6)) as { type: string; text?: string }) : null;
          if (event?.type === 'token') texts.push(event.text ?? '');
        }
      }
    } catch (e) {
      if (!controller.signal.aborted) throw e;
    }
  })();
  return {
    stop: async () => {
      // Token events may trail the generate reply by a moment; let them land before closing.
      await new Promise((r) => setTimeout(r, 200));
      controller.abort();
      await done;
      return texts;
    },
  };
}
