import { beforeAll, describe, expect, it } from 'vitest';
import { loadBuilderConfig } from './electron-builder-lib.js';
import { selectAppFiles, selectPackageFiles, type BuildPlatform } from './file-selection.js';

/**
 * Every target's file selection by electron-builder's own pattern logic, macOS included (packed-files.test.ts packs
 * Linux and Windows for real). Selection only: no build outputs are needed beyond what is on disk.
 */

const TARGETS: { platform: BuildPlatform; arch: string; onnxDir: string }[] = [
  { platform: 'linux', arch: 'x64', onnxDir: 'linux/x64' },
  { platform: 'win', arch: 'x64', onnxDir: 'win32/x64' },
  { platform: 'mac', arch: 'arm64', onnxDir: 'darwin/arm64' },
  { platform: 'mac', arch: 'x64', onnxDir: 'darwin/x64' },
];
const ONNX_BIN = 'node_modules/onnxruntime-node/bin/napi-v6';
const ALLOWED = [/^dist\//, /^renderer\/dist\//, /^assets\/models\/stories260K\//, /^assets\/documents\/samples\//, /^package\.json$/];

let config: Record<string, unknown>;
beforeAll(async () => {
  config = await loadBuilderConfig();
});

describe.each(TARGETS)('the $platform $arch selection', ({ platform, arch, onnxDir }) => {
  it('takes built output, the demo model and the samples, and no sources, tests or source maps', async () => {
    const files = await selectAppFiles(config, platform, arch);
    expect(files).toContain('package.json');
    expect(files.some((f) => f.startsWith('dist/main/'))).toBe(true);
    expect(files.filter((f) => !ALLOWED.some((re) => re.test(f)))).toEqual([]);
    expect(files.filter((f) => /\.(map|[cm]?ts)$/.test(f))).toEqual([]);
  });

  it("keeps no onnxruntime binaries of another OS or architecture", () => {
    const binaries = selectPackageFiles(config, platform, arch, 'onnxruntime-node').filter((f) => f.startsWith(`${ONNX_BIN}/`));
    expect(binaries.filter((f) => !f.startsWith(`${ONNX_BIN}/${onnxDir}/`))).toEqual([]);
  });

  // onnxruntime-node 1.30 ships no macOS x64 binaries (bin/napi-v6/darwin holds arm64 only), so the Intel Mac build
  // has no engine. Known gap, reported; this flips to passing when a release with darwin/x64 is installed.
  const binding = platform === 'mac' && arch === 'x64' ? it.fails : it;
  binding("keeps onnxruntime's binding for its own OS and architecture", () => {
    const binaries = selectPackageFiles(config, platform, arch, 'onnxruntime-node');
    expect(binaries).toContain(`${ONNX_BIN}/${onnxDir}/onnxruntime_binding.node`);
  });
});
