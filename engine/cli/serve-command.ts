/**
 * `longread serve` runs the web host, which lives with the other hosts in main/. The CLI reaches it through the
 * built layout (dist/main/serve.js beside dist/engine/), so the engine never imports a host module statically.
 */
export const SERVE_COMMAND_USAGE = `longread serve [--port P] [--model DIR] [--open]
  Longread in a browser tab: a web host on 127.0.0.1 only, with a per-launch access token in the printed address.
  Without --model the embedded demo model is loaded; --open opens the address in the default browser.`;

export async function serveCommand(argv: string[]): Promise<void> {
  const source = import.meta.url.endsWith('.ts');
  const host = (await import(new URL(source ? '../../main/serve.ts' : '../../main/serve.js', import.meta.url).href)) as { runServe(argv: readonly string[]): Promise<void> };
  await host.runServe(argv);
  // Runs until interrupted.
  await new Promise(() => {});
}
