import { z } from 'zod';
import { LongreadError } from '../errors.js';
import { DEFAULT_SETTINGS, describeIssues, settingSchemas } from './schemas.js';
import type { LibrarySettings } from './types.js';

/** library.json after migration: the settings are checked one by one below, so a bad one costs only itself. */
export const libraryFileSchema = z.object({ settings: z.record(z.string(), z.unknown()) });

const SETTING_NAMES = Object.keys(settingSchemas) as (keyof LibrarySettings)[];

/** Settings as stored, with every missing or invalid one replaced by its default (and a note saying so). */
export function settingsFromFile(stored: Record<string, unknown>): { settings: LibrarySettings; notes: string[] } {
  const settings: Record<string, unknown> = { ...DEFAULT_SETTINGS };
  const notes: string[] = [];
  for (const name of SETTING_NAMES) {
    if (stored[name] === undefined) continue;
    const checked = settingSchemas[name].safeParse(stored[name]);
    if (checked.success) settings[name] = checked.data;
    else {
      notes.push(
        `Setting "${name}" in library.json was invalid (${JSON.stringify(stored[name])}); ` +
          `it was reset to ${JSON.stringify(DEFAULT_SETTINGS[name])}.`,
      );
    }
  }
  return { settings: settings as unknown as LibrarySettings, notes };
}

/** The settings after `change`, or BAD_ARGUMENT naming the setting that is unknown or out of range. */
export function applySettingsChange(current: LibrarySettings, change: unknown): LibrarySettings {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new LongreadError('BAD_ARGUMENT', 'Settings change must be an object of setting names to values.');
  }
  const next: Record<string, unknown> = { ...current };
  for (const [name, value] of Object.entries(change)) {
    if (!(SETTING_NAMES as string[]).includes(name)) {
      throw new LongreadError('BAD_ARGUMENT', `Unknown setting "${name}"; known settings: ${SETTING_NAMES.join(', ')}.`);
    }
    if (value === undefined) continue;
    const checked = settingSchemas[name as keyof LibrarySettings].safeParse(value);
    if (!checked.success) {
      const why = describeIssues(checked.error);
      throw new LongreadError('BAD_ARGUMENT', `Setting "${name}" cannot be ${JSON.stringify(value)}: ${why}.`);
    }
    next[name] = checked.data;
  }
  return next as unknown as LibrarySettings;
}
