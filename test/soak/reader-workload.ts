import fs from 'node:fs';
import path from 'node:path';
import { savedWebPage } from './saved-web-page.js';
import type { ServeSession } from './serve-session.js';

const SAMPLES_DIR = path.resolve(import.meta.dirname, '../../assets/documents/samples');

/** The sample documents shipped with the app (txt, md, html), each small enough for the demo model. */
export const SAMPLE_DOCUMENTS = fs.readdirSync(SAMPLES_DIR).map((name) => ({ name, bytes: fs.readFileSync(path.join(SAMPLES_DIR, name)) }));

/** A 2 MB saved web page (mostly an inlined photo) read in every round. */
const WEB_PAGE = savedWebPage(2);

export interface SessionCounts {
  requests: number;
  tokens: number;
}

/**
 * One round of what a person does in the browser: drop a document (choosing the part that fits when it is too long),
 * read it, ask, move the slider twice (and look at the retention map), ask a follow-up, close it, open it again from
 * the library, and delete it from the library; then read a 2 MB saved web page and close it. Every request must succeed, and a closed document must be gone from
 * the engine; `n` makes the operation ids unique.
 */
export async function readerRound(serve: ServeSession, n: number): Promise<SessionCounts> {
  const sample = SAMPLE_DOCUMENTS[n % SAMPLE_DOCUMENTS.length];
  let requests = 0;
  const call: ServeSession['value'] = (name, payload) => {
    requests++;
    return serve.value(name, payload);
  };
  const uploadId = await serve.upload(sample.name, sample.bytes);
  let doc = await call('openDocument', { operationId: `open-${n}`, source: { uploadId } });
  // As the UI offers: read the part that fits. maxChars is an estimate, so the part may need to shrink once more.
  for (let attempt = 0; !doc.fits; attempt++) {
    if (attempt === 4) throw new Error(`no part of ${sample.name} that the demo model can read was found`);
    await call('closeDocument', { documentId: doc.documentId });
    const end = Math.floor(doc.maxChars * (doc.range ? 0.9 : 1));
    doc = await call('openDocument', { operationId: `open-part-${attempt}-${n}`, source: { uploadId }, range: { start: 0, end } });
  }
  await call('readDocument', { operationId: `read-${n}`, documentId: doc.documentId, ratio: 0.25 });
  const first = await call('ask', { operationId: `ask-${n}`, documentId: doc.documentId, question: 'What happened first?', generation: { maxTokens: 24 } });
  await call('setRatio', { operationId: `ratio-a-${n}`, documentId: doc.documentId, ratio: 0.1 });
  await call('retention', { documentId: doc.documentId });
  await call('setRatio', { operationId: `ratio-b-${n}`, documentId: doc.documentId, ratio: 0.4 });
  await call('retention', { documentId: doc.documentId, layer: 0, head: 0 });
  const follow = await call('ask', {
    operationId: `ask2-${n}`,
    documentId: doc.documentId,
    conversationId: first.conversationId!,
    question: 'And then?',
    generation: { maxTokens: 16 },
  });
  await call('closeDocument', { documentId: doc.documentId });
  const [entry] = (await call('libraryList', {})).filter((e) => e.name === sample.name);
  const reopened = await call('libraryOpen', { operationId: `reopen-${n}`, libraryId: entry.libraryId });
  if (reopened.conversations.length !== 1) throw new Error(`the reopened document has ${reopened.conversations.length} conversations, not 1`);
  await call('closeDocument', { documentId: reopened.document.documentId });
  await call('libraryDelete', { libraryId: entry.libraryId });

  const page = await call('openDocument', { operationId: `page-${n}`, source: { uploadId: await serve.upload('the-little-bakery-saved.html', WEB_PAGE) } });
  const read = await call('readDocument', { operationId: `page-read-${n}`, documentId: page.documentId });
  await call('closeDocument', { documentId: page.documentId });
  await call('libraryDelete', { libraryId: read.libraryId! });
  for (const closed of [doc.documentId, reopened.document.documentId, page.documentId]) {
    const gone = await serve.call('documentText', { documentId: closed });
    if (gone.ok || gone.error.code !== 'NOT_FOUND') throw new Error(`document ${closed} is still held by the engine after closeDocument`);
  }
  return { requests: requests + 5, tokens: first.tokens + follow.tokens };
}
