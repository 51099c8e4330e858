/**
 * Child process for the crash tests: saves forever, printing one line after each save has returned, until the test
 * kills it with SIGKILL. Usage:
 *   crash-writer.ts library <root> <round>   rewrites a growing conversation and adds (and now and then deletes) documents
 *   crash-writer.ts binary <file>             rewrites a multi-megabyte file whose every byte is the version number
 */
import fs from 'node:fs';
import path from 'node:path';
import { Library, writeFileAtomic } from '../../engine/library/index.js';
import { crashConversation, crashDocument, crashCacheBytes, binaryVersion } from './crash-content.js';

/** Synchronous, so a printed line is never lost in a stream buffer when the kill comes. */
function report(line: string): void {
  fs.writeSync(1, `${line}\n`);
}

function runLibrary(root: string, round: string): never {
  const library = Library.open(root);
  if (!library.listDocuments().some((d) => d.id === 'host')) library.createDocument(crashDocument('host'));
  const existing = library.listConversations('host').find((c) => c.id === 'growing');
  let created: string[] = [];
  for (let turns = (existing?.turns.length ?? 0) + 1; ; turns++) {
    library.putConversation(crashConversation(turns));
    report(`conversation ${turns}`);
    if (turns % 4 === 0) {
      // The engine's order: record in state 'reading', cache written, record set 'ready'.
      const id = `r${round}-doc-${turns}`;
      library.createDocument(crashDocument(id, 'reading'));
      writeFileAtomic(path.join(library.documentDir(id), 'cache.lrkv'), crashCacheBytes(id));
      library.updateDocument(id, { state: 'ready' });
      report(`document ${id}`);
      created.push(id);
    }
    if (turns % 10 === 0 && created.length > 1) {
      const id = created[0];
      report(`deleting ${id}`);
      library.deleteDocument(id);
      report(`deleted ${id}`);
      created = created.slice(1);
    }
  }
}

function runBinary(file: string): never {
  for (let version = 1; ; version++) {
    writeFileAtomic(file, binaryVersion(version));
    report(`binary ${version}`);
  }
}

const [mode, target, round] = process.argv.slice(2);
if (mode === 'library') runLibrary(target, round ?? '0');
else if (mode === 'binary') runBinary(target);
else throw new Error(`unknown mode ${mode}`);
