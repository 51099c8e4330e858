import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs electronegativity (Doyensec's Electron security scanner) on the app's Electron code: main/ (the preload
 * included), renderer/index.html, and package.json for the Electron version. The scanner reads only .js/.ts/.html
 * files, so the code is copied to a temporary folder first, the preload's .cts renamed to .ts.
 */

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export type Severity = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH';

export interface Finding {
  check: string;
  severity: Severity;
  confidence: string;
  /** Relative to the project root, as the file is named there (main/preload.cts, not the scanned copy). */
  file: string;
  line: number;
  /** The source line the finding points at, trimmed. */
  code: string;
  manualReview: boolean;
}

export interface ScanResult {
  findings: Finding[];
  /** Files the scanner could not parse (each would be a blind spot). */
  errors: { file: string; message: string }[];
  scannedFiles: string[];
  checks: number;
}

interface RawIssue {
  id: string;
  file: string;
  location: { line: number; column: number };
  severity: { name: Severity };
  confidence: { name: string };
  manualReview: boolean;
}

type Run = (options: Record<string, unknown>) => Promise<{ globalChecks: number; atomicChecks: number; errors: { file: string; message: string }[]; issues: RawIssue[] }>;

/** Scanned copy name → project file name. */
function stageElectronCode(root: string, into: string): Map<string, string> {
  const names = new Map<string, string>();
  const copy = (from: string, to = from) => {
    fs.mkdirSync(path.dirname(path.join(into, to)), { recursive: true });
    fs.copyFileSync(path.join(root, from), path.join(into, to));
    names.set(to, from);
  };
  for (const name of fs.readdirSync(path.join(root, 'main'))) {
    if (name.endsWith('.ts')) copy(`main/${name}`);
    else if (name.endsWith('.cts')) copy(`main/${name}`, `main/${name.replace(/\.cts$/, '.ts')}`);
  }
  copy('renderer/index.html');
  copy('package.json');
  return names;
}

export async function scanElectronCode(options: { root?: string; excludeChecks?: string[] } = {}): Promise<ScanResult> {
  const root = options.root ?? PROJECT_ROOT;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-electronegativity-'));
  try {
    const names = stageElectronCode(root, dir);
    const run = createRequire(import.meta.url)('@doyensec/electronegativity') as Run;
    // The scanner names checks by class ("CSPGlobalCheck"), its findings by id ("CSP_GLOBAL_CHECK"); lowercased
    // without underscores the two are the same.
    const excludeFromScan = (options.excludeChecks ?? []).map((id) => id.replaceAll('_', '').toLowerCase());
    const result = await run({ input: dir, isRelative: true, excludeFromScan });
    const lineOf = (file: string, line: number) => (fs.readFileSync(path.join(dir, file), 'utf8').split('\n')[line - 1] ?? '').trim();
    return {
      findings: result.issues.map((issue) => ({
        check: issue.id,
        severity: issue.severity.name,
        confidence: issue.confidence.name,
        file: names.get(issue.file) ?? issue.file,
        line: issue.location.line,
        code: names.has(issue.file) ? lineOf(issue.file, issue.location.line) : '',
        manualReview: issue.manualReview,
      })),
      errors: result.errors.map((e) => ({ file: names.get(path.relative(dir, e.file)) ?? e.file, message: e.message })),
      scannedFiles: [...names.values()],
      checks: result.globalChecks + result.atomicChecks,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
