import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c]);

// HTML the model writes is shown as the text it is, never parsed: not even the sanitizer sees it as markup.
const markdown = new Marked({ gfm: true, breaks: true, async: false, renderer: { html: (token: Tokens.HTML | Tokens.Tag) => escapeHtml(token.text) } });

/**
 * Model output as safe HTML: Markdown rendered by marked (raw HTML escaped), then sanitized by DOMPurify down to
 * text formatting. No images and links that lead nowhere: the page loads nothing remote.
 */
export function renderMarkdown(text: string): string {
  const html = markdown.parse(text) as string;
  return DOMPurify.sanitize(html, {
    ALLOWED_TAGS: ['p', 'br', 'strong', 'em', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'a'],
    ALLOWED_ATTR: ['start'],
  });
}
