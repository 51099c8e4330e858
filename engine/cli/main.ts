#!/usr/bin/env node
import { isLongreadError } from '../errors.js';
import { BENCH_USAGE, benchCommand } from './bench-command.js';
import { DOWNLOAD_USAGE, downloadCommand } from './download-command.js';
import { EVAL_USAGE, evalCommand } from './eval-command.js';
import { PROFILE_HEADS_USAGE, profileHeadsCommand } from './profile-heads-command.js';
import { GENERATE_USAGE, generateCommand } from './generate-command.js';

const COMMANDS: Record<string, { usage: string; run: (argv: string[], out: NodeJS.WritableStream, err: NodeJS.WritableStream) => Promise<void> }> = {
  generate: { usage: GENERATE_USAGE, run: generateCommand },
  bench: { usage: BENCH_USAGE, run: benchCommand },
  download: { usage: DOWNLOAD_USAGE, run: downloadCommand },
  eval: { usage: EVAL_USAGE, run: evalCommand },
  'profile-heads': { usage: PROFILE_HEADS_USAGE, run: profileHeadsCommand },
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
  if (rest.includes('--help')) {
    process.stdout.write(`${cmd.usage}\n`);
    return 0;
  }
  try {
    await cmd.run(rest, process.stdout, process.stderr);
    return 0;
  } catch (e) {
    if (isLongreadError(e)) {
      process.stderr.write(`longread ${command}: ${e.message}\n`);
      return e.code === 'BAD_ARGUMENT' ? 2 : 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
