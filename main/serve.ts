import '../engine/runtime/no-telemetry.js';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { childProcessLauncher } from '../engine/host/channels.js';
import { EngineClient } from '../engine/host/client.js';
import { HostBridge } from './host-bridge.js';
import { rendererDistDir } from './paths.js';
import { DEFAULT_MAX_UPLOAD_BYTES, UploadStore } from './uploads.js';
import { startWebServer, type WebServer } from './web-server.js';

export const SERVE_USAGE = `longread serve [--port P] [--model DIR] [--open]
  Starts Longread in a browser tab: a web host on 127.0.0.1 only, with a per-launch access token in the printed
  address. Without --model the embedded demo model is loaded; --open opens the address in the default browser.`;

export interface ServeArgs {
  port: number;
  modelDir?: string;
  open: boolean;
}

/** Parses `serve` flags; throws with the usage on anything it does not understand. */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  let values;
  try {
    ({ values } = parseArgs({ args: [...argv], options: { port: { type: 'string' }, model: { type: 'string' }, open: { type: 'boolean' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${SERVE_USAGE}`);
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${values.port}"\n${SERVE_USAGE}`);
  return { port, ...(values.model ? { modelDir: values.model } : {}), open: values.open ?? false };
}

function packageVersion(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (const p of [path.resolve(here, '../package.json'), path.resolve(here, '../../package.json')]) {
    if (fs.existsSync(p)) return (JSON.parse(fs.readFileSync(p, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}

/** Starts the engine process, the bridge and the web host; resolves once listening. */
export async function startServe(args: ServeArgs): Promise<{ server: WebServer; stop: () => Promise<void> }> {
  const engine = new EngineClient(childProcessLauncher());
  const uploads = new UploadStore(DEFAULT_MAX_UPLOAD_BYTES);
  const bridge = new HostBridge(engine, {
    transport: 'http',
    version: packageVersion(),
    defaultModelDir: args.modelDir ? path.resolve(args.modelDir) : undefined,
    maxUploadBytes: uploads.maxBytes,
    resolveUpload: (id) => uploads.resolve(id),
  });
  const server = await startWebServer({ port: args.port, rendererDir: rendererDistDir(), bridge, uploads });
  return {
    server,
    stop: async () => {
      await server.close();
      await engine.close();
      uploads.close();
    },
  };
}

function openInBrowser(url: string): void {
  const [cmd, ...args] = process.platform === 'darwin' ? ['open', url] : process.platform === 'win32' ? ['cmd', '/c', 'start', '', url] : ['xdg-open', url];
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`Could not open a browser; open the address above yourself.`));
  child.unref();
}

/** `longread serve`: runs until interrupted. */
export async function runServe(argv: readonly string[]): Promise<void> {
  const args = parseServeArgs(argv);
  const { server, stop } = await startServe(args);
  console.log(`Longread is running. Open this address in a browser (it holds this launch's access token):\n  ${server.url}`);
  if (args.open) openInBrowser(server.url);
  const quit = () => void stop().then(() => process.exit(0));
  process.once('SIGINT', quit);
  process.once('SIGTERM', quit);
}

const isEntry = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isEntry) {
  runServe(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
