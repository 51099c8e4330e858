#!/usr/bin/env node
// Must stay the first import: it turns off onnxruntime's telemetry before anything can load onnxruntime-node.
import '../runtime/no-telemetry.js';
import { BENCH_USAGE, benchCommand } from './bench-command.js';
import { DOWNLOAD_USAGE, downloadCommand } from './download-command.js';
import { EVAL_USAGE, evalCommand } from './eval-command.js';
import { PROFILE_HEADS_USAGE, profileHeadsCommand } from './profile-heads-command.js';
import { PROFILE_DECODE_USAGE, profileDecodeCommand } from './profile-decode-command.js';
import { GENERATE_USAGE, generateCommand } from './generate-command.js';
import { reportError } from './report-error.js';
import { ASK_USAGE, askCommand, SUMMARIZE_USAGE, summarizeCommand } from './ask-command.js';
import { LIBRARY_USAGE, libraryCommand } from './library-command.js';
import { SERVE_COMMAND_USAGE, serveCommand } from './serve-command.js';
import { BENCH_READ_USAGE, benchReadCommand } from './bench-read-command.js';

const COMMANDS: Record<string, { usage: string; run: (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<void> }> = {
  ask: { usage: ASK_USAGE, run: askCommand },
  summarize: { usage: SUMMARIZE_USAGE, run: summarizeCommand },
  serve: { usage: SERVE_COMMAND_USAGE, run: serveCommand },
  library: { usage: LIBRARY_USAGE, run: libraryCommand },
  generate: { usage: GENERATE_USAGE, run: generateCommand },
  bench: { usage: BENCH_USAGE, run: benchCommand },
  'bench-read': { usage: BENCH_READ_USAGE, run: benchReadCommand },
  download: { usage: DOWNLOAD_USAGE, run: downloadCommand },
  eval: { usage: EVAL_USAGE, run: evalCommand },
  'profile-heads': { usage: PROFILE_HEADS_USAGE, run: profileHeadsCommand },
  'profile-decode': { usage: PROFILE_DECODE_USAGE, run: profileDecodeCommand },
};

function usage(): string {
  return `Longread — read a long document once, keep it in mind.\n\nUsage:\n${Object.values(COMMANDS)
    .map((c) => `  ${c.usage.replace(/\n/g, '\n  ')}`)
    .join('\n\n')}\n`;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(usage());
    return command ? 0 : 2;
  }
  const cmd = COMMANDS[command];
  if (!cmd) {
    process.stderr.write(`Unknown command "${command}".\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  const verbose = rest.includes('--verbose');
  // An error thrown outside the command's own promise chain (a stream callback, a timer) is reported the same way.
  const onStray = (e: unknown) => {
    process.exitCode = reportError(command, e, verbose, process.stderr);
    process.exit();
  };
  process.on('uncaughtException', onStray);
  process.on('unhandledRejection', onStray);
  try {
    await cmd.run(rest, process.stdout, process.stderr);
    return 0;
  } catch (e) {
    return reportError(command, e, verbose, process.stderr);
  }
}

process.exitCode = await main(process.argv.slice(2));
