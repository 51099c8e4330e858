import path from 'node:path';
import { defaultCacheRoot } from '../graph/convert.js';
import { downloadModel } from '../model/hub-download.js';
import { parseFlags, requireString } from './args.js';

export const DOWNLOAD_USAGE = `longread download --repo OWNER/NAME [--revision REV] [--dir DIR] [--endpoint URL]
  Downloads a model's config, tokenizer, chat template and safetensors weights (the shards its index names) from the
  Hugging Face hub (resumable, sha256-checked) and prints the folder. Files the Hugging Face cache already holds for
  the same commit (HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub) are linked or copied from there.
  HF_TOKEN is sent for gated models; HF_ENDPOINT sets the hub unless --endpoint does.
  Default folder: <cache>/models/OWNER--NAME.`;

export async function downloadCommand(argv: string[], stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<void> {
  const flags = parseFlags(argv, { repo: 'string', revision: 'string', dir: 'string', endpoint: 'string', quiet: 'boolean' });
  const repo = requireString(flags, 'repo');
  const dir = (flags.dir as string | undefined) ?? path.join(defaultCacheRoot(), 'models', repo.replace('/', '--'));
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await downloadModel({
      repo,
      revision: flags.revision as string | undefined,
      endpoint: flags.endpoint as string | undefined,
      token: process.env.HF_TOKEN,
      dir,
      signal: abort.signal,
      onProgress: flags.quiet
        ? undefined
        : (p) => {
            const pct = p.overallTotal ? ` ${((100 * p.overallDone) / p.overallTotal).toFixed(1)}%` : '';
            stderr.write(`\r${p.file}: ${(p.bytesDone / 2 ** 20).toFixed(1)} MiB${pct}   `);
          },
    });
    if (!flags.quiet) {
      const reused = result.reused.length ? `, ${result.reused.length} taken from the Hugging Face cache` : '';
      stderr.write(`\n${result.downloaded.length} downloaded, ${result.skipped.length} already complete${reused}\n`);
    }
    stdout.write(`${result.dir}\n`);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
