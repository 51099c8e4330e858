import { loadModel, type LoadedModel, type LoadOptions } from '../../engine/load-model.js';
import { VULKAN_INSTALL_HINT } from './webgpu-gate.js';

/** One model opened twice from the same conversion: on the CPU provider (the reference) and on WebGPU. */
export interface ProviderPair {
  cpu: LoadedModel;
  gpu: LoadedModel;
  close(): Promise<void>;
}

export async function openOnCpuAndWebgpu(dir: string, options: Omit<LoadOptions, 'device'>): Promise<ProviderPair> {
  const cpu = await loadModel(dir, { ...options, device: 'cpu' });
  let gpu: LoadedModel;
  try {
    gpu = await loadModel(dir, { ...options, device: 'webgpu' });
  } catch (e) {
    await cpu.close();
    throw new Error(`WebGPU could not open ${dir}: ${e instanceof Error ? e.message : String(e)}. A Vulkan driver older than Mesa 25 is refused by Dawn: ${VULKAN_INSTALL_HINT}`, { cause: e });
  }
  return {
    cpu,
    gpu,
    close: async () => {
      await gpu.close();
      await cpu.close();
    },
  };
}
