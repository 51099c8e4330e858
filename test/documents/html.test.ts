import { describe, expect, test } from 'vitest';
import { ingestBytes } from '../../engine/documents/ingest/index.js';
import { parseDocumentBytes } from '../../engine/documents/ingest/parse.js';
import { documentProblem } from './document-invariants.js';
import { utf8 } from './build-inputs.js';

const PAGE = `<!doctype html>
<html><head><title>The  Essay &amp; Notes</title><style>p { color: red }</style>
<script>document.write("tracking")</script></head>
<body>
  <header><a href="/">Site name</a></header>
  <nav><ul><li>Home</li><li>About</li></ul></nav>
  <main>
    <article>
      <header><h1>On   Reading</h1></header>
      <p>Fish &amp; chips &lt;3 &#x2014; caf&eacute; &#8217;tis   so
         very   good.</p>
      <noscript>Enable JavaScript</noscript>
      <template><p>template text</p></template>
      <svg><text>svg text</text></svg>
      <iframe src="ad.html">frame text</iframe>
      <form><label>Name <input value="typed"></label><button>Send</button><select><option>Choice</option></select></form>
      <h2>Lists</h2>
      <ul><li>first</li><li>second <em>item</em></li></ul>
      <ol start="3"><li>third</li><li>fourth</li></ol>
      <pre>  indented
    code &lt;kept&gt;</pre>
      <p>line one<br>line two</p>
      <table><tr><th>Name</th><th>Value</th></tr><tr><td>a<br>b</td><td><p>1</p><p>2</p></td></tr></table>
    </article>
  </main>
  <aside>Sidebar ads</aside>
  <footer>Copyright</footer>
</body></html>`;

describe('HTML', () => {
  test('drops scripts, styles, navigation and page chrome; keeps headings, blocks, lists, pre and tables', async () => {
    const doc = await parseDocumentBytes('html', utf8(PAGE), { fileName: 'essay.html' });
    expect(documentProblem(doc)).toBeNull();
    expect(doc.title).toBe('The Essay & Notes');
    expect(doc.text).toBe(
      [
        'On Reading',
        'Fish & chips <3 — café ’tis so very good.',
        'Name',
        'Lists',
        '- first\n- second item',
        '3. third\n4. fourth',
        '  indented\n    code <kept>',
        'line one\nline two',
        'Name | Value\na b | 1 2',
      ].join('\n\n'),
    );
    for (const dropped of ['tracking', 'color', 'Site name', 'Home', 'Enable JavaScript', 'template text', 'svg text', 'frame text', 'typed', 'Send', 'Choice', 'Sidebar', 'Copyright']) {
      expect(doc.text).not.toContain(dropped);
    }
    expect(doc.parts.map((p) => [p.kind, p.label])).toEqual([['section', 'On Reading'], ['section', 'Lists']]);
    for (const part of doc.parts) expect(doc.text.slice(part.start, part.end).startsWith(part.label)).toBe(true);
    expect(doc.text.slice(doc.parts[1].start, doc.parts[1].end).endsWith('a b | 1 2')).toBe(true);
  });

  test('entities are decoded', async () => {
    const doc = await parseDocumentBytes('html', utf8('<p>&amp; &lt; &#x2014; &eacute; &quot;&nbsp;&#8217;</p>'));
    expect(doc.text).toBe('& < — é "\u00A0’');
  });

  test('without a <title> the first h1 is the title, without either the file name', async () => {
    expect((await parseDocumentBytes('html', utf8('<h2>Minor</h2><h1>Major</h1><p>x</p>'))).title).toBe('Major');
    const doc = await ingestBytes('Saved Page.htm', utf8('<p>just text</p>'));
    expect(doc).toMatchObject({ title: 'Saved Page', format: 'html', text: 'just text', parts: [] });
  });

  test('hidden elements are dropped', async () => {
    const doc = await parseDocumentBytes('html', utf8('<p hidden>a</p><p aria-hidden="true">b</p><p style="color:red; display: none">c</p><p>d</p>'));
    expect(doc.text).toBe('d');
  });

  test('a <meta charset> is honoured', async () => {
    const bytes = Buffer.concat([Buffer.from('<meta charset="windows-1252"><p>'), Buffer.from([0x93, 0x63, 0x61, 0x66, 0xe9, 0x94]), Buffer.from('</p>')]);
    expect((await parseDocumentBytes('html', bytes)).text).toBe('“café”');
  });

  test('deep nesting does not exhaust the stack', async () => {
    // Deeper than a recursive walk survives; not much deeper, as htmlparser2 itself slows down quadratically with depth.
    const depth = 30_000;
    const doc = await parseDocumentBytes('html', utf8(`${'<div>'.repeat(depth)}deep${'</div>'.repeat(depth)}`));
    expect(doc.text).toBe('deep');
  });

  test('a page with only chrome and scripts has no readable text', async () => {
    await expect(parseDocumentBytes('html', utf8('<nav>menu</nav><script>x()</script>'))).rejects.toMatchObject({ code: 'DOCUMENT_EMPTY' });
  });
});
