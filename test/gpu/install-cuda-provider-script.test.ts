import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/** scripts/install-cuda-provider.sh downloads from the internet, which this machine cannot reach: its arguments and --check. */
const ROOT = path.resolve(import.meta.dirname, '../..');
const SCRIPT = path.join(ROOT, 'scripts/install-cuda-provider.sh');
const installed = fs.existsSync(path.join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_cuda.so'));

async function install(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    return { code: 0, ...(await promisify(execFile)(SCRIPT, args, { timeout: 20_000 })) };
  } catch (e) {
    return e as { code: number; stdout: string; stderr: string };
  }
}

describe('scripts/install-cuda-provider.sh', () => {
  it('prints its usage with --help, naming what it installs and needs', async () => {
    const r = await install(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/CUDA 12 provider/);
    expect(r.stdout).toMatch(/cuDNN 9/);
  });

  it('refuses an unknown option with exit status 2', async () => {
    const r = await install(['--cuda11']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option "--cuda11"/);
  });

  it.skipIf(installed || process.platform !== 'linux' || process.arch !== 'x64')('--check says the provider is not installed and how to install it, downloading nothing', async () => {
    const r = await install(['--check']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/The CUDA provider is not installed .*libonnxruntime_providers_cuda\.so is missing.*run scripts\/install-cuda-provider\.sh/);
  });
});
