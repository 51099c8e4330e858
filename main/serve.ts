#!/usr/bin/env node
import path from 'node:path';
import { EngineClient } from '../engine/host/client.js';
import { EngineBridge } from './engine-bridge.js';
import { rendererDistDir } from './paths.js';
import { parseServeArgs } from './serve-args.js';
import { startWebServer } from './web-server.js';

/** `node dist/main/serve.js --port N --model DIR`: Longread in a local browser tab instead of Electron. */
async function main(): Promise<void> {
  const args = parseServeArgs(process.argv.slice(2));
  const engine = new EngineClient();
  const server = await startWebServer({
    port: args.port,
    rendererDir: rendererDistDir(),
    createBridge: (broadcast) =>
      new EngineBridge(engine, broadcast, {
        transport: 'http',
        cacheRoot: process.env.LONGREAD_CACHE,
        defaultModelDir: args.modelDir ? path.resolve(args.modelDir) : undefined,
      }),
  });
  console.log(`Longread is running. Open this address in a browser (it holds this launch's access token):\n  ${server.url}`);

  const stop = async () => {
    await server.close();
    await engine.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
