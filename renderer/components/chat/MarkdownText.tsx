import { useDeferredValue, useMemo } from 'react';
import { renderMarkdown } from '../../lib/markdown.js';

/** Model output rendered as sanitized Markdown; while streaming, rendering may lag a token behind to stay smooth. */
export function MarkdownText({ text }: { text: string }) {
  const deferred = useDeferredValue(text);
  const html = useMemo(() => renderMarkdown(deferred), [deferred]);
  return <div className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
