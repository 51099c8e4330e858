import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * electron-builder's own modules, loaded the way electron-builder loads them (its dependencies resolve from
 * app-builder-lib, e.g. the ajv it validates with), so the tests judge the configuration by the builder's rules.
 */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const projectRequire = createRequire(path.join(PROJECT_ROOT, 'package.json'));
export const APP_BUILDER_LIB_DIR = path.dirname(projectRequire.resolve('app-builder-lib/package.json'));
export const builderRequire = createRequire(path.join(APP_BUILDER_LIB_DIR, 'package.json'));

/** The configuration electron-builder would build with: electron-builder.yml read and merged with its defaults. */
export async function loadBuilderConfig(projectDir = PROJECT_ROOT): Promise<Record<string, unknown>> {
  const { getConfig } = builderRequire('./out/util/config/config.js') as { getConfig(projectDir: string, configPath: string | null, configFromOptions: null): Promise<Record<string, unknown>> };
  return getConfig(projectDir, null, null);
}

/** electron-builder's own check, as it runs at the start of every build (its schema, plus its deprecation rules). */
export async function validateLikeElectronBuilder(config: Record<string, unknown>): Promise<void> {
  const { validateConfiguration } = builderRequire('./out/util/config/config.js') as { validateConfiguration(config: unknown, debugLogger: unknown): Promise<void> };
  const { DebugLogger } = builderRequire('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
  await validateConfiguration(config, new DebugLogger(false));
}

/** electron-builder's configuration schema, as shipped in app-builder-lib. */
export function builderSchema(): object {
  return builderRequire('./scheme.json') as object;
}
