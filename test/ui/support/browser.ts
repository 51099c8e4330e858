import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const RENDERER_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../renderer/dist');
/** Screenshots are test artifacts, never committed: they go to the system's temp folder. */
export const SCREENSHOT_DIR = process.env.LONGREAD_SCREENSHOTS ?? path.join(os.tmpdir(), 'longread-ui-screenshots');

export function chromiumAvailable(what: string): boolean {
  const ok = fs.existsSync(CHROMIUM);
  if (!ok) console.warn(`SKIPPED: ${what} needs Debian's chromium at ${CHROMIUM} (apt-get install chromium)`);
  return ok;
}

export function rendererBuilt(): void {
  if (!fs.existsSync(path.join(RENDERER_DIST, 'index.html'))) throw new Error(`${RENDERER_DIST}/index.html is missing: run \`npm run build\` first`);
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'],
  });
}

/** Script errors, CSP violations and failed requests in the page: each test expects none. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

const require = createRequire(import.meta.url);

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/** Runs axe-core in the page (injected like a test tool, outside the page's CSP) and returns serious and critical violations. */
export async function seriousAxeViolations(page: Page): Promise<AxeViolation[]> {
  const source = (require('axe-core') as { source: string }).source;
  await page.evaluate(source);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
    const result = await axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
