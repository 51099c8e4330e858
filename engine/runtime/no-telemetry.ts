import { isMainThread } from 'node:worker_threads';

/*
 * Turns off onnxruntime-node's telemetry. Import this module FIRST in every entry point, before anything that
 * loads onnxruntime-node.
 *
 * onnxruntime 1.30 starts a telemetry system when the first inference session is created. It writes a device id and
 * an event database under ~/.cache/Microsoft/DeveloperTools/.onnxruntime/, a session file /tmp/.ses and one
 * /tmp/mat-debug-<pid>.log per process, and it reads /proc/self/cmdline with native recursion that overflows the
 * stack (SIGSEGV, exit 139) once the command line is longer than about 30 kB. It reads ORT_DISABLE_TELEMETRY from
 * the real process environment with getenv(), once, when the first session is created.
 *
 * On the main thread, assigning process.env calls setenv(), so this works as long as it runs before the first
 * session. A worker thread only has a private copy of the environment (unless started with SHARE_ENV): setting it
 * there changes nothing native, so the thread that starts the worker must have imported this module already.
 */
const ALREADY_SET = process.env.ORT_DISABLE_TELEMETRY === '1';

process.env.ORT_DISABLE_TELEMETRY = '1';

if (!isMainThread && !ALREADY_SET) {
  process.emitWarning(
    'onnxruntime telemetry could not be turned off from a worker thread: import engine/runtime/no-telemetry.js first ' +
      'in the entry point of the thread that starts this worker.',
  );
}
