export interface ServeArgs {
  port: number;
  modelDir?: string;
}

export const SERVE_USAGE = 'usage: node dist/main/serve.js [--port N] [--model DIR]';

/** Parses `serve` flags; throws with the usage line on anything it does not understand. */
export function parseServeArgs(argv: readonly string[]): ServeArgs {
  const args: ServeArgs = { port: 0 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if ((flag === '--port' || flag === '--model') && (value === undefined || value.startsWith('--'))) {
      throw new Error(`${flag} needs a value\n${SERVE_USAGE}`);
    }
    if (flag === '--port') {
      const port = Number(value);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got "${value}"\n${SERVE_USAGE}`);
      args.port = port;
      i++;
    } else if (flag === '--model') {
      args.modelDir = value;
      i++;
    } else {
      throw new Error(`unknown argument "${flag}"\n${SERVE_USAGE}`);
    }
  }
  return args;
}
