import { describe, expect, test } from 'vitest';
import { parseDocumentBytes } from '../../engine/documents/ingest/parse.js';
import { ingestBytes } from '../../engine/documents/ingest/index.js';
import { documentProblem } from './document-invariants.js';
import { utf8 } from './build-inputs.js';

const NOTES = [
  '# Field Notes',
  '',
  'Some opening words.',
  '',
  '## Methods ##',
  'We counted **birds**.',
  '',
  '```',
  '# not a heading inside code',
  '```',
  '',
  'Results',
  '-------',
  'Many birds.',
  '',
  '### [Appendix](https://example.org) `A`',
  'The end.',
  '',
].join('\n');

describe('markdown', () => {
  test('sections start at each heading, end before the next, and slice out the heading text first', async () => {
    const doc = await parseDocumentBytes('md', utf8(NOTES), { fileName: 'notes.md' });
    expect(documentProblem(doc)).toBeNull();
    expect(doc.title).toBe('Field Notes');
    expect(doc.text).toBe(NOTES);
    expect(doc.parts.map((p) => p.label)).toEqual(['Field Notes', 'Methods', 'Results', 'Appendix A']);
    const slices = doc.parts.map((p) => doc.text.slice(p.start, p.end));
    expect(slices[0]).toBe('Field Notes\n\nSome opening words.');
    expect(slices[1].startsWith('Methods ##\nWe counted **birds**.')).toBe(true);
    expect(slices[1]).toContain('# not a heading inside code');
    expect(slices[1].endsWith('```')).toBe(true);
    expect(slices[2]).toBe('Results\n-------\nMany birds.');
    expect(slices[3]).toBe('[Appendix](https://example.org) `A`\nThe end.');
    for (const part of doc.parts) expect(part).toMatchObject({ kind: 'section' });
    expect(doc.parts.every((p, i) => i === 0 || p.start > doc.parts[i - 1].end)).toBe(true);
  });

  test('offsets are into the normalised text (CRLF files)', async () => {
    const doc = await parseDocumentBytes('md', utf8('# One\r\nalpha\r\n\r\n# Two\r\nbeta\r\n'));
    expect(doc.text).toBe('# One\nalpha\n\n# Two\nbeta\n');
    expect(doc.parts.map((p) => doc.text.slice(p.start, p.end))).toEqual(['One\nalpha', 'Two\nbeta']);
  });

  test('a document without a level-1 heading is titled by its file name; front matter is not a heading', async () => {
    const doc = await ingestBytes('Meeting 2024-05.markdown', utf8('---\ntitle: x\n---\n## Agenda\n- item\n---\n'));
    expect(doc.title).toBe('Meeting 2024-05');
    expect(doc.format).toBe('md');
    expect(doc.parts.map((p) => p.label)).toEqual(['Agenda']);
  });

  test('a hashtag or a list item is not a heading', async () => {
    const doc = await parseDocumentBytes('md', utf8('#hashtag\n\n- item\n---\n\nplain'));
    expect(doc.parts).toEqual([]);
  });
});
