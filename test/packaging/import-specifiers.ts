import path from 'node:path';

/**
 * The module specifiers a compiled ES module names literally: static and dynamic imports, re-exports,
 * `new URL('…', import.meta.url)` and the engine's `startWorker(import.meta.url, '…')`.
 */
export function importSpecifiers(source: string): string[] {
  const patterns = [
    /^\s*(?:import|export)\b[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
    /\bstartWorker\(\s*import\.meta\.url\s*,\s*['"]([^'"]+)['"]/g,
  ];
  return patterns.flatMap((pattern) => Array.from(source.matchAll(pattern), (m) => m[1]));
}

/** "zod/v4" → "zod", "@huggingface/jinja/dist" → "@huggingface/jinja". */
export function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** A relative specifier resolved against the importing file, both relative to the archive root. */
export function resolveRelative(importer: string, specifier: string): string {
  return path.posix.normalize(path.posix.join(path.posix.dirname(importer), specifier));
}
