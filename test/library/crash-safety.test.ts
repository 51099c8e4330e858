import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { Library } from '../../engine/library/index.js';
import { mulberry32 } from '../../engine/util/random.js';
import { crashCacheBytes, turnText } from './crash-content.js';
import { runWriterUntilKilled } from './kill-child.js';
import { listFilesDeep, tempRoot } from './library-fixtures.js';

const ROUNDS = 4;
/** In the test name, so a failure can be replayed with the same kill points (the exact moments still vary). */
const SEED = Date.now() % 1_000_000;

describe('Library crash safety', () => {
  it(`keeps every save a killed writer reported, and nothing half-written (seed ${SEED})`, async () => {
    const root = tempRoot();
    const random = mulberry32(SEED);
    const created = new Set<string>();
    const deleting = new Set<string>();
    const deleted = new Set<string>();
    let reportedTurns = 0;

    // The same library through every round: each writer starts from what the previous kill left.
    for (let round = 0; round < ROUNDS; round++) {
      const killAfterLines = 3 + Math.floor(random() * 40);
      const lines = await runWriterUntilKilled(['library', root, String(round)], killAfterLines, Math.floor(random() * 15));
      expect(lines.length).toBeGreaterThanOrEqual(killAfterLines);
      for (const line of lines) {
        const [what, value] = line.split(' ');
        if (what === 'conversation') reportedTurns = Math.max(reportedTurns, Number(value));
        else if (what === 'document') created.add(value);
        else if (what === 'deleting') deleting.add(value);
        else if (what === 'deleted') deleted.add(value);
        else throw new Error(`unexpected line from the writer: ${line}`);
      }

      const library = Library.open(root);
      expect(library.listProblems()).toEqual([]);

      const conversation = library.getConversation('host', 'growing');
      expect(conversation.turns.length).toBeGreaterThanOrEqual(reportedTurns);
      conversation.turns.forEach((turn, i) => expect(turn.text).toBe(turnText(i)));

      const listed = new Set(library.listDocuments().map((d) => d.id));
      for (const id of created) {
        if (deleted.has(id)) {
          expect(listed.has(id), id).toBe(false);
          expect(fs.existsSync(path.join(root, 'documents', id)), id).toBe(false);
        } else if (!deleting.has(id)) {
          // (A document whose delete began but was not reported done may be either there or gone.)
          expect(library.getDocument(id).state).toBe('ready');
          const cache = fs.readFileSync(path.join(library.documentDir(id), 'cache.lrkv'));
          expect(cache.equals(crashCacheBytes(id)), id).toBe(true);
        }
      }
      // Documents the writer had not reported yet may be there (killed after the save, before the print), but only
      // complete: every listed one is ready and has its whole cache.
      for (const record of library.listDocuments()) {
        expect(record.state).toBe('ready');
        if (record.id === 'host') continue;
        const cache = fs.readFileSync(path.join(library.documentDir(record.id), 'cache.lrkv'));
        expect(cache.equals(crashCacheBytes(record.id)), record.id).toBe(true);
      }

      const files = listFilesDeep(root);
      expect(files.filter((f) => f.includes('.tmp-') || f.includes('.trash-') || f.includes('.corrupt-'))).toEqual([]);
      for (const file of files.filter((f) => f.endsWith('.json'))) {
        expect(() => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8')), file).not.toThrow();
      }
    }
    expect(created.size).toBeGreaterThan(0);
  });
});
