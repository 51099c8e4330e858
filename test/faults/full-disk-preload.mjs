// Loaded into the engine (NODE_OPTIONS) only where a small tmpfs cannot be mounted: while the marker file exists,
// every synchronous write under LONGREAD_DATA fails with ENOSPC, as it would on a full disk.
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import process from 'node:process';

const marker = process.env.LONGREAD_TEST_FULL_DISK_MARKER;
const dataDir = process.env.LONGREAD_DATA;

function pathOf(target) {
  if (typeof target !== 'number') return String(target);
  try {
    return fs.readlinkSync(`/proc/self/fd/${target}`);
  } catch {
    return '';
  }
}

function failIfFull(target, syscall) {
  if (marker && dataDir && fs.existsSync(marker) && pathOf(target).startsWith(dataDir)) {
    throw Object.assign(new Error(`ENOSPC: no space left on device, ${syscall}`), { code: 'ENOSPC', errno: -28, syscall });
  }
}

const { writeSync, writeFileSync } = fs;
fs.writeSync = function (fd, ...rest) {
  failIfFull(fd, 'write');
  return writeSync.call(this, fd, ...rest);
};
fs.writeFileSync = function (file, ...rest) {
  failIfFull(file, 'write');
  return writeFileSync.call(this, file, ...rest);
};
syncBuiltinESMExports();
