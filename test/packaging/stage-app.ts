import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PROJECT_ROOT } from './electron-builder-lib.js';

/**
 * Left out of the stage: build outputs (made fresh instead), installers, git, and the other folders .gitignore
 * names (caches, scratch work: large, and never part of a release); node_modules is linked in.
 */
const NOT_COPIED = new Set(['dist', 'renderer/dist', 'out', '.git', 'node_modules', '.cache', 'scratch', '.gl', '.whl']);

/**
 * The project as `npm run dist` packages it, in a temporary folder: a copy of every file of the project (sources,
 * tests, docs and all, so a pattern that lets them through shows), node_modules linked in, and dist/ and
 * renderer/dist/ built fresh from the current sources (outputs of deleted sources, which a long-lived dist/ keeps,
 * cannot hide there). Copies, not links: electron-builder treats a linked folder differently (e.g. it does not unpack
 * from it).
 */
export function stageApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-stage-'));
  fs.cpSync(PROJECT_ROOT, dir, {
    recursive: true,
    filter: (source) => !NOT_COPIED.has(path.relative(PROJECT_ROOT, source).replaceAll(path.sep, '/')),
  });
  fs.symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');

  const bin = (name: string) => path.join(PROJECT_ROOT, 'node_modules', '.bin', name);
  const run = (command: string, args: string[]) => {
    try {
      execFileSync(command, args, { cwd: PROJECT_ROOT, stdio: 'pipe', timeout: 240_000 });
    } catch (e) {
      const out = e as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${out.stdout ?? ''}${out.stderr ?? ''}`);
    }
  };
  run(bin('tsc'), ['-p', 'tsconfig.build.json', '--outDir', path.join(dir, 'dist')]);
  run(bin('vite'), ['build', '--config', 'renderer/vite.config.ts', '--outDir', path.join(dir, 'renderer', 'dist'), '--emptyOutDir', '--logLevel', 'error']);
  return dir;
}
