import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseServeArgs } from '../../main/serve.js';

describe('serve arguments', () => {
  it('defaults to a random port, the demo model, no browser', () => {
    expect(parseServeArgs([])).toEqual({ port: 0, open: false });
  });

  it('reads --port, --model and --open', () => {
    expect(parseServeArgs(['--port', '8123', '--model', '/models/m', '--open'])).toEqual({ port: 8123, modelDir: '/models/m', open: true });
  });

  it.each([
    [['--port'], /port/],
    [['--port', '70000'], /0–65535/],
    [['--port', 'eighty'], /0–65535/],
    [['--host', '0.0.0.0'], /host/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(message);
  });
});

describe('longread serve', () => {
  it('prints a tokenised 127.0.0.1 URL and offers --model to the UI', async () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const child = spawn(process.execPath, ['--import', 'tsx', 'engine/cli/main.ts', 'serve', '--port', '0', '--model', 'models/m'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const match = /http:\/\/127\.0\.0\.1:\d+\/#token=\S+/.exec(out);
          if (match) resolve(match[0]);
        });
        child.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
      });
      const { origin, hash } = new URL(url);
      const token = new URLSearchParams(hash.slice(1)).get('token');
      const res = await fetch(`${origin}/api/hostInfo`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: '{}',
      });
      expect(await res.json()).toMatchObject({ ok: true, value: { transport: 'http', canOpenDialogs: false, defaultModelDir: path.join(root, 'models/m') } });
    } finally {
      child.kill('SIGTERM');
    }
  });
});
