import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorLine } from '../../src/cli/error-line.js';
import { envNameOf, settingEnvNames } from '../../src/config/env-names.js';
import { loadSettings } from '../../src/config/load.js';
import { settingsSchema } from '../../src/config/schema.js';

/**
 * Every setting of src/config/schema.ts, given a bad value through the config
 * file and (where it has one) its environment variable: the CLI's line names
 * the setting, says what is wrong and where the value came from, exit 2.
 * The lines are the CLI's own (`errorLine`, what main.ts prints); the same
 * lines from a real process are in startup-errors.test.ts.
 */
interface Row {
  setting: string;
  /** A bad value in the config file. */
  file: unknown;
  /** A bad value of its environment variable (when the setting has one and some text is bad). */
  env?: string;
  problem: RegExp;
  /** The path the line names, when deeper than the setting (an entry of a list). */
  reported?: string;
}

const TOO_SMALL = /Too small/;
const number = (setting: string, env = true): Row => ({
  setting,
  file: -1,
  ...(env ? { env: '-1' } : {}),
  problem: TOO_SMALL,
});
const flag = (setting: string): Row => ({
  setting,
  file: 'maybe',
  env: 'maybe',
  problem: /must be true or false/,
});
const choice = (setting: string, bad: string): Row => ({
  setting,
  file: bad,
  env: bad,
  problem: /Invalid option: expected one of/,
});
const long = (n: number) => 'x'.repeat(n);

const rows: Row[] = [
  choice('nodeEnv', 'prod'),
  { setting: 'host', file: '', problem: TOO_SMALL },
  { setting: 'port', file: 70_000, env: '70000', problem: /Too big/ },
  { setting: 'dataDir', file: '', problem: TOO_SMALL },
  {
    setting: 'databaseUrl',
    file: 'mysql://u:hunter2@db',
    env: 'mysql://u:hunter2@db',
    problem: /must be a postgres:\/\/ URL/,
  },
  {
    setting: 'redisUrl',
    file: 'http://:hunter2@cache',
    env: 'http://:hunter2@cache',
    problem: /must be a redis:\/\/ URL/,
  },
  { setting: 'redisPrefix', file: long(65), env: long(65), problem: /Too big/ },
  // Its text is checked when the key is decoded (startup-errors.test.ts): here, a non-string.
  { setting: 'secretKey', file: 12_345, problem: /expected string/ },
  {
    setting: 'publicUrl',
    file: 'auth.example.com',
    env: 'auth.example.com:443',
    problem: /must be an http\(s\) URL with its scheme/,
  },
  {
    setting: 'trustedOrigins',
    file: ['https://app.example/'],
    env: 'https://*.example',
    problem: /the exact origin \(https:\/\/app\.example\)|no wildcards/,
    reported: 'trustedOrigins.0',
  },
  choice('logLevel', 'loud'),
  {
    setting: 'trustProxy',
    file: 'everyone',
    env: 'everyone',
    problem: /false, a hop count, or proxy addresses/,
  },
  {
    setting: 'smtpUrl',
    file: 'mail.example.com',
    env: 'http://u:hunter2@mail',
    problem: /must be an smtp:\/\/ URL/,
  },
  { setting: 'mailFrom', file: 5, problem: /expected string/ },
  { setting: 'mail.templatesDir', file: '', problem: TOO_SMALL },
  { setting: 'branding.productName', file: '  ', env: '  ', problem: TOO_SMALL },
  {
    setting: 'branding.logoUrl',
    file: 'javascript:alert(1)',
    env: '//evil.example/logo.svg',
    problem: /an http\(s\) URL or a path/,
  },
  { setting: 'branding.accentColor', file: 'blue', env: '#12', problem: /a CSS hex colour/ },
  flag('requireVerifiedEmail'),
  { setting: 'policyFile', file: '', problem: TOO_SMALL },
  number('bodyLimitBytes'),
  ...[
    'idleTimeoutSeconds',
    'absoluteTimeoutSeconds',
    'maxPerUser',
    'cacheSize',
    'touchIntervalSeconds',
  ].map((k) => number(`session.${k}`)),
  ...['minLength', 'maxLength', 'argon2MemoryKiB', 'argon2TimeCost', 'argon2Parallelism'].map((k) =>
    number(`password.${k}`),
  ),
  number('password.hashConcurrency'),
  {
    setting: 'password.contextWords',
    file: ['ab'],
    problem: TOO_SMALL,
    reported: 'password.contextWords.0',
  },
  ...[
    'loginPerAccount',
    'loginPerIp',
    'loginWindowSeconds',
    'registerPerIp',
    'forgotPerAccount',
    'magicLinkPerAccount',
    'verifyEmailPerAccount',
  ].map((k) => number(`rateLimit.${k}`)),
  { setting: 'mfa.requiredForRoles', file: 'admin', problem: /expected array/ },
  number('mfa.challengeLifetimeSeconds'),
  number('mfa.challengeMaxAttempts'),
  { setting: 'mfa.totpIssuer', file: '', problem: TOO_SMALL },
  choice('mfa.totpAlgorithm', 'MD5'),
  number('mfa.totpDigits'),
  number('mfa.totpSetupLifetimeSeconds'),
  flag('sms.enabled'),
  {
    setting: 'sms.url',
    file: 'sms.example.com/send',
    env: 'sms.example.com:443',
    problem: /must be an http\(s\) URL with its scheme/,
  },
  {
    setting: 'sms.token',
    file: `hunter2${long(1024)}`,
    env: `hunter2${long(1024)}`,
    problem: /Too big/,
  },
  { setting: 'sms.from', file: long(33), env: long(33), problem: /Too big/ },
  ...[
    'codeLifetimeSeconds',
    'codeMaxAttempts',
    'sendPerNumber',
    'sendPerAccount',
    'sendPerIp',
    'sendWindowSeconds',
  ].map((k) => number(`sms.${k}`)),
  number('magicLinkLifetimeSeconds'),
  number('stepUp.recentLoginSeconds'),
  { setting: 'webauthn.rpId', file: 'https://auth.example.com', problem: /a lower-case domain/ },
  { setting: 'webauthn.origins', file: [], problem: TOO_SMALL },
  { setting: 'webauthn.rpName', file: '', problem: TOO_SMALL },
  number('webauthn.challengeLifetimeSeconds'),
  {
    setting: 'oidc.providers',
    file: [
      {
        id: 'Bad Id',
        name: 'X',
        issuer: 'https://idp.example',
        clientId: 'c',
        clientSecret: 'hunter2',
      },
    ],
    problem: /lower-case letters, digits and dashes/,
    reported: 'oidc.providers.0.id',
  },
  number('oidc.loginLifetimeSeconds'),
  flag('revealRegisteredEmails'),
  number('resetTokenLifetimeSeconds'),
  { setting: 'tokens.audience', file: '', problem: TOO_SMALL },
  number('tokens.accessTokenLifetimeSeconds'),
  choice('tokens.signingAlgorithm', 'HS256'),
  flag('tokens.rsaSigningKey'),
  number('tokens.keyRotationSeconds'),
  number('tokens.refreshGraceSeconds'),
  number('revocation.pollIntervalSeconds'),
  number('revocation.streamHeartbeatSeconds'),
  {
    setting: 'saml.connections',
    file: [{ id: 'acme', name: 'Acme' }],
    problem: /set one of metadataXml, metadataFile/,
    reported: 'saml.connections.0',
  },
  flag('provider.enabled'),
  {
    setting: 'provider.resourceServers',
    file: [{ audience: 'https://api.example', scopes: ['openid'] }],
    problem: /is an OpenID Connect scope/,
    reported: 'provider.resourceServers.0.scopes.0',
  },
  number('provider.authorizationCodeLifetimeSeconds'),
  number('provider.idTokenLifetimeSeconds'),
  flag('pages.enabled'),
  flag('docs.enabled'),
  { setting: 'metrics.token', file: 'short', env: 'short', problem: TOO_SMALL },
  { setting: 'metrics.port', file: 70_000, env: '70000', problem: /Too big/ },
  { setting: 'metrics.host', file: '', problem: TOO_SMALL },
  // The endpoint is shown by its path only: its value holds the signing secret.
  {
    setting: 'webhooks.endpoints',
    file: [
      {
        id: 'crm',
        url: 'https://crm.example/hooks',
        secret: 'whsec_hunter2hunter2hunter2hunter2',
        secretFile: '/etc/gatehouse/crm.secret',
        events: ['*'],
      },
    ],
    problem: /set one of secret, secretEnv, secretFile/,
    reported: 'webhooks.endpoints.0',
  },
  ...['initialRetrySeconds', 'maxAttempts', 'maxRetrySeconds', 'pollIntervalSeconds'].map((k) =>
    number(`webhooks.${k}`),
  ),
  number('webhooks.retentionDays'),
  number('webhooks.timeoutSeconds'),
  flag('allowInsecureBasicOverHttp'),
  number('emailVerificationLifetimeSeconds'),
  number('audit.retentionDays'),
  {
    setting: 'audit.exportDirectory',
    file: 'audit',
    env: './audit',
    problem: /must be an absolute path/,
  },
  ...['intervalSeconds', 'graceSeconds', 'batchSize', 'maxBatchesPerRun'].map((k) =>
    number(`purge.${k}`),
  ),
];

/** Settings whose variable takes any non-empty text: their values are checked at start-up (startup-errors.test.ts). */
const CHECKED_AT_START = new Set([
  'host',
  'dataDir',
  'secretKey',
  'mailFrom',
  'mail.templatesDir',
  'policyFile',
  'metrics.host',
]);

/** The schema's leaves: every setting an operator can write. */
type Def = { type: string; innerType?: unknown; shape?: Record<string, unknown>; in?: unknown };
function leaves(schema: unknown, prefix: string[] = []): string[] {
  const def = (schema as { _zod: { def: Def } })._zod.def;
  if (def.type === 'object' && def.shape)
    return Object.entries(def.shape).flatMap(([key, inner]) => leaves(inner, [...prefix, key]));
  if (['default', 'prefault', 'optional', 'nullable'].includes(def.type))
    return leaves(def.innerType, prefix);
  if (def.type === 'pipe') return leaves(def.in, prefix);
  return [prefix.join('.')];
}

const dir = mkdtempSync(join(tmpdir(), 'gatehouse-settings-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The line and exit code the CLI gives for these inputs; fails when they load. */
function lineFor(input: { file?: Record<string, unknown>; env?: Record<string, string> }) {
  let configFile: string | undefined;
  if (input.file) {
    configFile = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(configFile, JSON.stringify(input.file));
  }
  try {
    loadSettings({ env: input.env ?? {}, configFile });
  } catch (error) {
    return { ...errorLine(error, 'usage'), configFile };
  }
  throw new Error(`loaded: ${JSON.stringify(input)}`);
}

/** `{a: {b: v}}` for `a.b`. */
const nested = (setting: string, value: unknown): Record<string, unknown> =>
  setting
    .split('.')
    .reverse()
    .reduce<unknown>((inner, key) => ({ [key]: inner }), value) as Record<string, unknown>;

const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function expectLine(text: string, row: Row, source: RegExp) {
  expect(text.split('\n')).toHaveLength(1);
  expect(text).toMatch(
    new RegExp(`^gatehouse: invalid setting ${literal(row.reported ?? row.setting)}: `),
  );
  expect(text).toMatch(row.problem);
  expect(text).toMatch(source);
  expect(text).not.toContain('hunter2');
}

describe('every setting has a row', () => {
  it('each leaf of the schema is in the table, once', () => {
    const tested = rows.map((row) => row.setting);
    expect(new Set(tested).size).toBe(tested.length);
    expect([...tested].sort()).toEqual(leaves(settingsSchema).sort());
  });

  it('each environment variable has a bad-value row, or its value is checked at start-up', () => {
    for (const setting of Object.values(settingEnvNames)) {
      const row = rows.find((r) => r.setting === setting);
      expect(row?.env !== undefined || CHECKED_AT_START.has(setting), setting).toBe(true);
    }
  });
});

describe.each(rows)('$setting', (row) => {
  it('from the config file: names it, says why, shows where (and the value, unless secret)', () => {
    const { text, exitCode, configFile } = lineFor({ file: nested(row.setting, row.file) });
    expect(exitCode).toBe(2);
    expectLine(text, row, new RegExp(`\\(in ${literal(configFile ?? '')}`));
  });
});

const envRows = rows.flatMap((row) => {
  const envName = envNameOf(row.setting);
  return envName !== undefined && row.env !== undefined ? [{ ...row, envName, env: row.env }] : [];
});

describe.each(envRows)('$envName', (row) => {
  it(`names ${row.setting} and the variable`, () => {
    const { text, exitCode } = lineFor({ env: { [row.envName]: row.env } });
    expect(exitCode).toBe(2);
    expectLine(text, row, new RegExp(`\\(${row.envName}[=)]`));
  });
});

describe('the config file itself', () => {
  it('an unknown key, at the top or nested, is named with its path and no value', () => {
    for (const [file, path] of [
      [{ prot: 8080 }, 'prot'],
      [{ session: { idleTimeout: 60 } }, 'session.idleTimeout'],
      [{ sms: { tokn: 'hunter2' } }, 'sms.tokn'],
    ] as const) {
      const { text, exitCode } = lineFor({ file });
      expect(exitCode).toBe(2);
      expect(text).toMatch(
        new RegExp(`^gatehouse: invalid setting ${literal(path)}: not a setting \\(in `),
      );
      expect(text).not.toMatch(/hunter2|: 60\)|8080/);
    }
  });

  it('a value in the environment wins over the file, and the line names the variable', () => {
    const { text } = lineFor({ file: { port: 8080 }, env: { PORT: 'eighty' } });
    expect(text).toMatch(/^gatehouse: invalid setting port: .*\(PORT="eighty"\)$/);
  });
});
