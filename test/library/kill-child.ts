import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const WRITER = fileURLToPath(new URL('./crash-writer.ts', import.meta.url));

/**
 * Runs crash-writer.ts with `args`, SIGKILLs it once it has printed `killAfterLines` lines plus `extraDelayMs`, and
 * returns every line it printed (each one is a save that had completed).
 */
export function runWriterUntilKilled(args: string[], killAfterLines: number, extraDelayMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', WRITER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killScheduled = false;
    const lines = () => stdout.split('\n').filter((l) => l.length > 0);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (!killScheduled && lines().length >= killAfterLines) {
        killScheduled = true;
        setTimeout(() => child.kill('SIGKILL'), extraDelayMs);
      }
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines());
      else reject(new Error(`crash writer ended by itself (code ${code}, signal ${signal}):\n${stderr}`));
    });
  });
}
