import { LongreadError } from '../errors.js';
import { Library } from '../library/index.js';
import path from 'node:path';
import { defaultDataDir } from '../util/paths.js';

export const LIBRARY_USAGE = `longread library list | rm ID...
  Lists the documents read so far (id, title, tokens, model, ratio, disk use), or removes them and their saved caches.`;

const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;

export async function libraryCommand(argv: string[], stdout: NodeJS.WritableStream): Promise<void> {
  const [action, ...ids] = argv;
  const library = Library.open(path.join(defaultDataDir(), 'library'));
  if (action === 'list' && ids.length === 0) {
    const docs = library.listDocuments().filter((d) => d.state === 'ready');
    if (!docs.length) stdout.write('The library is empty.\n');
    for (const d of docs) {
      stdout.write(`${d.id}  ${d.title}  ${d.tokenCount.toLocaleString('en-US')} tokens  ${d.modelName}  ${d.method} ${d.ratio}  ${mib(library.diskUsage(d.id))}\n`);
    }
    for (const p of library.listProblems()) stdout.write(`note: ${p}\n`);
    return;
  }
  if (action === 'rm' && ids.length > 0) {
    for (const id of ids) {
      const { freedBytes } = library.deleteDocument(id);
      stdout.write(`removed ${id} (${mib(freedBytes)} freed)\n`);
    }
    return;
  }
  throw new LongreadError('BAD_ARGUMENT', `usage: ${LIBRARY_USAGE.split('\n')[0]}`);
}
