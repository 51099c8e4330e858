import fs from 'node:fs';
import path from 'node:path';

/** Where Linux distributions put the Vulkan loader and the drivers' manifests (ICDs). */
const LOADER_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib'];
const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

export const VULKAN_INSTALL_HINT =
  'install Mesa 25 or later from bookworm-backports: apt-get install -y -t bookworm-backports mesa-vulkan-drivers libvulkan1 (see .ci/run)';

/**
 * Why WebGPU cannot run here, or null when it can be tried. On Linux onnxruntime's WebGPU (Dawn) needs the Vulkan
 * loader and at least one Vulkan driver (a GPU's, or Mesa's software lavapipe); Windows and macOS always have their
 * own GPU API (Direct3D 12, Metal).
 */
export function missingVulkan(): string | null {
  if (process.platform !== 'linux') return null;
  const loader = LOADER_DIRS.some((dir) => fs.existsSync(path.join(dir, 'libvulkan.so.1')));
  if (!loader) return `no Vulkan loader (libvulkan.so.1) in ${LOADER_DIRS.join(', ')}`;
  const fromEnv = (process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES ?? '').split(':').filter((f) => f && fs.existsSync(f));
  const manifests = ICD_DIRS.flatMap((dir) => (fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')) : []));
  if (fromEnv.length === 0 && manifests.length === 0) return `no Vulkan driver manifest in ${ICD_DIRS.join(', ')}`;
  return null;
}

/**
 * Whether the WebGPU tests run here. Without a Vulkan driver they skip with a message, except under
 * LONGREAD_REQUIRE_FIXTURES=1 (CI), where .ci/run installs one and its absence is a failure.
 */
export function webgpuTestsRun(what: string): boolean {
  const missing = missingVulkan();
  if (!missing) return true;
  if (process.env.LONGREAD_REQUIRE_FIXTURES === '1') {
    throw new Error(`${what} needs a Vulkan driver for onnxruntime's WebGPU provider, and LONGREAD_REQUIRE_FIXTURES=1 forbids skipping: ${missing}; ${VULKAN_INSTALL_HINT}`);
  }
  console.warn(`SKIPPED: ${what} needs a Vulkan driver for onnxruntime's WebGPU provider: ${missing}; ${VULKAN_INSTALL_HINT}`);
  return false;
}
