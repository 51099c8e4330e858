import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runServe } from './serve.js';

/**
 * `npm start`: the desktop app when Electron's binary is there (or can be downloaded now); otherwise the same app in
 * the default browser through the local web host, saying why.
 */
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(import.meta.url);

function electronBinary(): string | null {
  let pkgDir: string;
  try {
    pkgDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
  const pathFile = path.join(pkgDir, 'path.txt');
  if (!fs.existsSync(pathFile) && !process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
    console.log("Fetching Electron's binary (once)…");
    // Its installer prints a stack trace when the download fails; a person gets one line instead.
    const r = spawnSync(process.execPath, [path.join(pkgDir, 'install.js')], { stdio: ['ignore', 'inherit', 'pipe'], timeout: 300_000, encoding: 'utf8' });
    const why = (r.stderr ?? '').split('\n').find((l) => l.trim() && !l.trimStart().startsWith('at ')) ?? '';
    if (r.status !== 0) console.log(`The download failed${why ? ` (${why.trim()})` : ''}.`);
  }
  if (!fs.existsSync(pathFile)) return null;
  const binary = path.join(pkgDir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(binary) ? binary : null;
}

const binary = electronBinary();
if (binary) {
  const child = spawn(binary, [root], { stdio: 'inherit' });
  child.on('exit', (code) => process.exit(code ?? 0));
} else {
  console.log("Electron's binary is not installed (it could not be downloaded), so Longread opens in your browser instead.");
  await runServe(['--open', ...process.argv.slice(2)]);
}
