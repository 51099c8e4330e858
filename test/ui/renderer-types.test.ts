import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '../..');
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');

/** The renderer has its own tsconfig (DOM, JSX, no Node types) that neither the build nor the root typecheck covers. */
describe('renderer types', () => {
  it.each(['renderer/tsconfig.json', 'renderer/tsconfig.node.json'])('%s compiles cleanly', async (project) => {
    const result = await promisify(execFile)(process.execPath, [tsc, '-p', project], { cwd: root }).catch((e: { stdout: string }) => e);
    expect(result.stdout).toBe('');
  });
});
