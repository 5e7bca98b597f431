import { parseArgs } from 'node:util';
import { loadSettings } from '../config/load.js';
import type { Settings, SettingsInput } from '../config/schema.js';

/** Options every command shares: where the data and the config file are. */
export const commonOptions = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
} as const;

export function settingsFrom(values: {
  'data-dir'?: string;
  config?: string;
  port?: string;
}): Settings {
  const flags: SettingsInput = {};
  if (values['data-dir'] !== undefined) flags.dataDir = values['data-dir'];
  if (values.port !== undefined) flags.port = values.port;
  return loadSettings({ flags, configFile: values.config });
}

export { parseArgs };
