import { readFileSync } from 'node:fs';
import { ConfigError } from '../errors.js';
import { type Settings, type SettingsInput, settingsSchema } from './schema.js';

/** Environment variables and the setting each one feeds. */
const envNames: Record<string, string> = {
  NODE_ENV: 'nodeEnv',
  HOST: 'host',
  PORT: 'port',
  GATEHOUSE_DATA_DIR: 'dataDir',
  DATABASE_URL: 'databaseUrl',
  REDIS_URL: 'redisUrl',
  REDIS_PREFIX: 'redisPrefix',
  GATEHOUSE_SECRET_KEY: 'secretKey',
  GATEHOUSE_PUBLIC_URL: 'publicUrl',
  LOG_LEVEL: 'logLevel',
  GATEHOUSE_TRUST_PROXY: 'trustProxy',
  SMTP_URL: 'smtpUrl',
  MAIL_FROM: 'mailFrom',
  GATEHOUSE_MAIL_TEMPLATES_DIR: 'mail.templatesDir',
  GATEHOUSE_PRODUCT_NAME: 'branding.productName',
  GATEHOUSE_LOGO_URL: 'branding.logoUrl',
  GATEHOUSE_ACCENT_COLOR: 'branding.accentColor',
  GATEHOUSE_REQUIRE_VERIFIED_EMAIL: 'requireVerifiedEmail',
  GATEHOUSE_ALLOW_INSECURE_BASIC_OVER_HTTP: 'allowInsecureBasicOverHttp',
  GATEHOUSE_POLICY: 'policyFile',
  GATEHOUSE_SMS_ENABLED: 'sms.enabled',
  SMS_URL: 'sms.url',
  SMS_TOKEN: 'sms.token',
  SMS_FROM: 'sms.from',
  GATEHOUSE_PAGES: 'pages.enabled',
  GATEHOUSE_DOCS: 'docs.enabled',
  GATEHOUSE_PROVIDER: 'provider.enabled',
  GATEHOUSE_RSA_SIGNING_KEY: 'tokens.rsaSigningKey',
};

type Layer = Record<string, unknown>;

function fromEnv(env: NodeJS.ProcessEnv): Layer {
  const layer: Layer = {};
  for (const [name, key] of Object.entries(envNames)) {
    const value = env[name];
    if (value === undefined || value === '') continue;
    // A dotted name feeds a nested setting (`sms.token`): secrets need not sit in a config file.
    const [group, leaf] = key.split('.');
    if (group && leaf) layer[group] = { ...(layer[group] as Layer | undefined), [leaf]: value };
    else layer[key] = value;
  }
  return layer;
}

function fromFile(path: string): Layer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError('config', `cannot read config file ${path}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
    return parsed as Layer;
  } catch {
    throw new ConfigError('config', `${path} is not a JSON object`);
  }
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
  const merged = merge(file ? fromFile(file) : {}, fromEnv(env), (options.flags ?? {}) as Layer);
  const result = settingsSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path.join('.') || 'settings';
    throw new ConfigError(path, issue?.message ?? 'invalid');
  }
  return result.data;
}
