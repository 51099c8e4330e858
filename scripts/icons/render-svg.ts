import { chromium } from 'playwright-core';

/** Debian's Chromium, as the browser tests use it. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Renders an SVG to a square PNG of `size` pixels with transparent corners, in Chromium, so the PNG is the SVG's
 * exact picture. The SVG's own width and height are its CSS size; the device scale makes up the rest.
 */
export async function renderSvgToPng(svg: string, size: number): Promise<Buffer> {
  const cssSize = Number(/<svg[^>]*\swidth="(\d+)"/.exec(svg)?.[1]);
  if (!cssSize) throw new Error('the SVG needs a width attribute');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu'] });
  try {
    const page = await browser.newPage({ viewport: { width: cssSize, height: cssSize }, deviceScaleFactor: size / cssSize });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    return await page.locator('svg').screenshot({ omitBackground: true });
  } finally {
    await browser.close();
  }
}
