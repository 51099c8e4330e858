import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT, scanElectronCode, type ScanResult } from '../../scripts/security/electronegativity-scan.js';
import { loadReviewList, staleReviews, unreviewedFindings, type ReviewList } from '../../scripts/security/reviewed-findings.js';

/**
 * electronegativity on main/ (the preload included) and renderer/index.html: no HIGH or MEDIUM finding that is not
 * reviewed, with its reason, in scripts/security/electronegativity-reviewed.json.
 */

let list: ReviewList;
let scan: ScanResult;

beforeAll(async () => {
  list = loadReviewList();
  scan = await scanElectronCode({ excludeChecks: list.excludedChecks.map((c) => c.check) });
});

describe('electronegativity', () => {
  it("scans every file of the Electron code, knowing the app's Electron version", () => {
    const mainFiles = fs.readdirSync(path.join(PROJECT_ROOT, 'main')).filter((f) => /\.c?ts$/.test(f)).map((f) => `main/${f}`);
    expect(scan.scannedFiles).toEqual(expect.arrayContaining([...mainFiles, 'main/preload.cts', 'renderer/index.html', 'package.json']));
    expect(scan.errors).toEqual([]);
    expect(scan.findings.some((f) => f.check === 'ELECTRON_VERSION_JSON_CHECK')).toBe(true);
  });

  it('finds no HIGH or MEDIUM issue that is not reviewed', () => {
    expect(unreviewedFindings(scan.findings, list)).toEqual([]);
  });

  it('keeps no review of a finding that is gone', () => {
    expect(staleReviews(scan.findings, list)).toEqual([]);
  });

  it('gives a reason for every review and every check left out', () => {
    for (const entry of [...list.reviewed, ...list.excludedChecks]) expect(entry.reason.length, entry.check).toBeGreaterThan(40);
  });

  it('does flag an insecure window (the scan is live)', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-insecure-'));
    try {
      fs.mkdirSync(path.join(root, 'main'));
      fs.mkdirSync(path.join(root, 'renderer'));
      fs.copyFileSync(path.join(PROJECT_ROOT, 'package.json'), path.join(root, 'package.json'));
      fs.writeFileSync(path.join(root, 'renderer', 'index.html'), '<!doctype html><title>x</title>');
      fs.writeFileSync(
        path.join(root, 'main', 'window.ts'),
        "import { BrowserWindow } from 'electron';\nexport const w = new BrowserWindow({ webPreferences: { nodeIntegration: true, contextIsolation: false, webSecurity: false } });\n",
      );
      const insecure = await scanElectronCode({ root, excludeChecks: list.excludedChecks.map((c) => c.check) });
      const high = insecure.findings.filter((f) => f.severity === 'HIGH').map((f) => f.check);
      expect(high).toEqual(expect.arrayContaining(['CONTEXT_ISOLATION_JS_CHECK', 'LIMIT_NAVIGATION_GLOBAL_CHECK']));
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});
