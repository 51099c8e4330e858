let counter = 0;

/** Ids the UI mints for long operations: `[A-Za-z0-9_-]{1,64}`, unique within this page. */
export function newOperationId(kind: string): string {
  counter += 1;
  return `${kind.replace(/[^A-Za-z0-9]/g, '').slice(0, 16)}-${Date.now().toString(36)}-${counter.toString(36)}`;
}
