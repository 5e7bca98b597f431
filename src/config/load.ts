import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { readConfigFile } from './config-file.js';
import { envNameOf, SECRET_SETTINGS, settingEnvNames } from './env-names.js';
import { type Settings, type SettingsInput, settingsSchema } from './schema.js';

type Layer = Record<string, unknown>;

function fromEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const [name, key] of Object.entries(settingEnvNames)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    // A dotted name feeds a nested setting (`sms.token`): secrets need not sit in a config file.
    const [group, leaf] = key.split('.');
    if (group && leaf) layer[group] = { ...(layer[group] as Layer | undefined), [leaf]: value };
    else layer[key] = value;
  }
  return layer;
}

/** Merges layers, later ones winning; nested objects merge key by key. */
function merge(...layers: Layer[]): Layer {
  const out: Layer = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer)) {
      const prev = out[key];
      const bothObjects =
        value !== null && typeof value === 'object' && prev !== null && typeof prev === 'object';
      out[key] = bothObjects ? merge(prev as Layer, value as Layer) : value;
    }
  }
  return out;
}

export interface LoadOptions {
  flags?: SettingsInput;
  env?: NodeJS.ProcessEnv;
  configFile?: string;
}

/** Flags win over environment variables, which win over the config file, which wins over defaults. */
export function loadSettings(options: LoadOptions = {}): Settings {
  const env = options.env ?? process.env;
  const file = options.configFile ?? env.GATEHOUSE_CONFIG;
  const fileSource = options.configFile !== undefined ? '--config' : 'GATEHOUSE_CONFIG';
  const layers: Layers = {
    file: file ? readConfigFile(file, fileSource) : {},
    fileName: file,
    env: fromEnv(env),
    flags: (options.flags ?? {}) as Layer,
  };
  const result = settingsSchema.safeParse(merge(layers.file, layers.env, layers.flags));
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (!issue) throw new ConfigError('settings', 'invalid');
  throw settingError(issue, layers);
}

interface Layers {
  file: Layer;
  fileName: string | undefined;
  env: Layer;
  flags: Layer;
}

/** One line: the setting, what is wrong with its value, and where the value came from. */
function settingError(issue: z.core.$ZodIssue, layers: Layers): ConfigError {
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    const unknown = [...path, issue.keys[0] ?? ''];
    return new ConfigError(unknown.join('.'), `not a setting${where(unknown, layers, false)}`);
  }
  return new ConfigError(path.join('.') || 'settings', `${issue.message}${where(path, layers)}`);
}

const flagNames: Record<string, string> = { dataDir: '--data-dir', port: '--port' };

/** Keys whose values are secret wherever they sit (a provider's `clientSecret` in a list). */
const SECRET_LEAVES: ReadonlySet<string> = new Set([
  'clientSecret',
  'token',
  'secretKey',
  'secret',
]);

const isSecret = (path: string[]): boolean =>
  SECRET_SETTINGS.has(path[0] ?? '') ||
  SECRET_SETTINGS.has(path.slice(0, 2).join('.')) ||
  path.some((key) => SECRET_LEAVES.has(key));

/**
 * ` (PORT="abc")`, ` (--port "abc")`, ` (in config.json: -5)`: where the value
 * came from and what it was. A secret's value is never shown, nor an unknown
 * key's (a misspelt `clientSecret` is still a secret).
 */
function where(path: string[], layers: Layers, showValue = true): string {
  if (path.length === 0) return '';
  const hidden = !showValue || isSecret(path);
  // A list or an object may hold a secret below it (a webhook endpoint's `secret`): never shown.
  const shown = (value: unknown) =>
    hidden || (typeof value === 'object' && value !== null)
      ? ''
      : truncate(JSON.stringify(value) ?? '');
  const flag = valueAt(layers.flags, path);
  if (flag.found) {
    const name = flagNames[path.join('.')] ?? 'a flag';
    return ` (${name}${shown(flag.value) && ` ${shown(flag.value)}`})`;
  }
  // The variable of the path or of the setting it lies in (`trustedOrigins.1` came from one text).
  for (let depth = path.length; depth > 0; depth--) {
    const setting = path.slice(0, depth);
    const env = valueAt(layers.env, setting);
    const envName = envNameOf(setting.join('.'));
    if (env.found && envName) return ` (${envName}${shown(env.value) && `=${shown(env.value)}`})`;
  }
  const file = valueAt(layers.file, path);
  const inFile = file.found || valueAt(layers.file, path.slice(0, -1)).found;
  if (!layers.fileName || !inFile) return '';
  return ` (in ${layers.fileName}${file.found && shown(file.value) ? `: ${shown(file.value)}` : ''})`;
}

function valueAt(layer: unknown, path: string[]): { found: boolean; value?: unknown } {
  let node = layer;
  for (const key of path) {
    if (node === null || typeof node !== 'object' || !Object.hasOwn(node, key))
      return { found: false };
    node = (node as Layer)[key];
  }
  return { found: true, value: node };
}

const truncate = (text: string): string => (text.length > 80 ? `${text.slice(0, 77)}...` : text);
