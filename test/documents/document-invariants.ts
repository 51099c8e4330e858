import type { DocumentText } from '../../engine/documents/ingest/index.js';

/** What every DocumentText must satisfy; returns the first violation, or null. */
export function documentProblem(doc: DocumentText): string | null {
  if (doc.text.includes('\0')) return 'text contains NUL';
  if (doc.text.trim() === '') return 'text is blank';
  if (!doc.title.trim()) return 'title is blank';
  let previousEnd = 0;
  for (const [i, part] of doc.parts.entries()) {
    if (!Number.isInteger(part.start) || !Number.isInteger(part.end)) return `part ${i} has non-integer offsets`;
    if (part.start < previousEnd) return `part ${i} starts at ${part.start}, before the previous part's end ${previousEnd}`;
    if (part.end < part.start) return `part ${i} ends before it starts`;
    if (part.end > doc.text.length) return `part ${i} ends past the text (${part.end} > ${doc.text.length})`;
    if (!part.label) return `part ${i} has no label`;
    previousEnd = part.end;
  }
  if (doc.format === 'pdf') {
    if (doc.pageCount !== doc.parts.length) return `pageCount ${doc.pageCount} but ${doc.parts.length} page parts`;
    if (doc.parts.some((p) => p.kind !== 'page')) return 'a PDF part is not a page';
    if (doc.parts[0]?.start !== 0 || doc.parts[doc.parts.length - 1]?.end !== doc.text.length) return 'pages do not cover the text';
    for (let i = 1; i < doc.parts.length; i++) {
      const gap = doc.text.slice(doc.parts[i - 1].end, doc.parts[i].start);
      if (gap !== '\n\n') return `pages ${i} and ${i + 1} are separated by ${JSON.stringify(gap)}`;
    }
  }
  return null;
}
