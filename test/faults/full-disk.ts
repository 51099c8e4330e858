import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** A library folder whose disk can be made full and freed again while the app runs. */
export interface FullDisk {
  dataDir: string;
  /** How the full disk is made: a real 16 MB tmpfs filled up, or (where mounting is not allowed) injected ENOSPC. */
  method: 'tmpfs' | 'injected';
  /** Environment for the processes that write to it. */
  env: Record<string, string>;
  /** Fills the disk, leaving `roomBytes` free (a tmpfs only: injected failures leave no room). */
  fill(roomBytes?: number): void;
  free(): void;
  dispose(): void;
}

/**
 * A 16 MB tmpfs when this process may mount one (root on Linux), else writes failing with ENOSPC on demand.
 * LONGREAD_FAULTS_NO_MOUNT=1 takes the second way where the first would work (to test it).
 */
export function fullDiskDataDir(): FullDisk {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'longread-full-disk-'));
  const dataDir = path.join(root, 'data');
  fs.mkdirSync(dataDir);
  if (process.env.LONGREAD_FAULTS_NO_MOUNT === '1') return injectedDisk(root, dataDir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'tmpfs', dataDir], { stdio: 'ignore' });
    return tmpfsDisk(root, dataDir);
  } catch {
    return injectedDisk(root, dataDir);
  }
}

function tmpfsDisk(root: string, dataDir: string): FullDisk {
  const filler = path.join(dataDir, 'filler');
  return {
    dataDir,
    method: 'tmpfs',
    env: {},
    fill: (roomBytes = 0) => {
      const fd = fs.openSync(filler, 'a');
      try {
        writeUntilFull(fd);
        fs.ftruncateSync(fd, Math.max(0, fs.fstatSync(fd).size - roomBytes));
      } finally {
        fs.closeSync(fd);
      }
    },
    free: () => fs.rmSync(filler, { force: true }),
    dispose: () => {
      execFileSync('umount', ['-l', dataDir], { stdio: 'ignore' });
      fs.rmSync(root, { recursive: true, force: true });
    },
  };
}

/** Writes 1 MB at a time until refused, then the last pages 4 KB and then 1 byte at a time. */
function writeUntilFull(fd: number): void {
  for (const size of [1 << 20, 4096, 1]) {
    const chunk = Buffer.alloc(size, 0x55);
    try {
      for (;;) fs.writeSync(fd, chunk);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
    }
  }
}

function injectedDisk(root: string, dataDir: string): FullDisk {
  const marker = path.join(root, 'disk-is-full');
  const preload = path.resolve(import.meta.dirname, 'full-disk-preload.mjs');
  return {
    dataDir,
    method: 'injected',
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${preload}`.trim(), LONGREAD_TEST_FULL_DISK_MARKER: marker },
    fill: () => fs.writeFileSync(marker, ''),
    free: () => fs.rmSync(marker, { force: true }),
    dispose: () => fs.rmSync(root, { recursive: true, force: true }),
  };
}
