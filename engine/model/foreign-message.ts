/** Longest excerpt of another library's error message put into ours. */
const MAX_CHARS = 300;

/**
 * The message of an error thrown by a library (JSON.parse, fs, onnxruntime, the tokenizer), fit to be quoted in a
 * one-line LongreadError: such messages may quote file contents, so control characters and line breaks become
 * spaces and the text is cut short.
 */
export function foreignMessage(e: unknown): string {
  // eslint-disable-next-line no-control-regex
  const text = String(e instanceof Error ? e.message : e).replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ').trim();
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}…` : text;
}
