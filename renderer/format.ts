export function mib(bytes: number): string {
  const value = bytes / (1024 * 1024);
  return value >= 100 ? value.toFixed(0) : value >= 10 ? value.toFixed(1) : value.toFixed(2);
}

export function tokensPerSecond(tokens: number, ms: number): string {
  return ms > 0 ? (tokens / (ms / 1000)).toFixed(1) : '–';
}
