import { Secret } from 'otpauth';
import type { TotpAlgorithm } from '../../authn/mfa/totp.js';
import type { ImportedTotp, RowError, SourceRecord } from '../../authn/user-import/import-row.js';
import { rowDefaults } from '../../authn/user-import/import-row.js';
import { encodeImportedHash, type Pbkdf2Digest } from '../../crypto/imported-hashes.js';
import { badFile, fromArray, isObject, readJsonDocument, type UserSource } from './source.js';

/** Roles every Keycloak realm gives every user: they mean nothing to Gatehouse's policy. */
const isBuiltInRole = (role: string) =>
  role.startsWith('default-roles-') || role === 'offline_access' || role === 'uma_authorization';

const PBKDF2: Record<string, Pbkdf2Digest> = {
  pbkdf2: 'sha1',
  'pbkdf2-sha256': 'sha256',
  'pbkdf2-sha512': 'sha512',
};
const OTP_ALGORITHMS: Record<string, TotpAlgorithm> = {
  HmacSHA1: 'SHA1',
  HmacSHA256: 'SHA256',
  HmacSHA512: 'SHA512',
};
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const unpadded = (text: string) => text.replace(/=+$/, '');

type Failure = { error: RowError };
const failure = (code: RowError['code'], reason: string): Failure => ({ error: { code, reason } });

/** secretData and credentialData are JSON documents inside strings. */
function inner(value: unknown): Record<string, unknown> | null {
  if (typeof value !== 'string') return null;
  try {
    const parsed: unknown = JSON.parse(value);
    return isObject(parsed) ? parsed : null;
  } catch {
    return null;
  }
}

/** additionalParameters hold lists of strings: `{"memory": ["7168"]}`. */
const parameter = (data: Record<string, unknown>, name: string): string | undefined => {
  const params = data.additionalParameters;
  if (!isObject(params)) return undefined;
  const list = params[name];
  return Array.isArray(list) && typeof list[0] === 'string' ? list[0] : undefined;
};

function passwordHash(credential: Record<string, unknown>): string | Failure {
  const secret = inner(credential.secretData);
  const data = inner(credential.credentialData);
  const bad = failure('unsupported_hash', 'the password credential is malformed');
  if (!secret || !data) return bad;
  const { value, salt } = secret;
  if (
    typeof value !== 'string' ||
    typeof salt !== 'string' ||
    !BASE64.test(value) ||
    !BASE64.test(salt)
  )
    return bad;
  const algorithm = String(data.algorithm ?? '');
  const digest = PBKDF2[algorithm];
  if (digest) {
    const iterations = Number(data.hashIterations);
    if (!Number.isSafeInteger(iterations)) return bad;
    return encodeImportedHash({
      kind: 'pbkdf2',
      digest,
      iterations,
      salt: Buffer.from(salt, 'base64'),
      hash: Buffer.from(value, 'base64'),
    });
  }
  if (algorithm === 'argon2') {
    const type = parameter(data, 'type') ?? 'id';
    const version = parameter(data, 'version') === '1.0' ? 16 : 19;
    const [m, t, p] = ['memory', 'iterations', 'parallelism'].map((name) => parameter(data, name));
    if (
      !['id', 'i', 'd'].includes(type) ||
      ![m, t, p].every((v) => v !== undefined && /^\d+$/.test(v))
    )
      return bad;
    return `$argon2${type}$v=${version}$m=${m},t=${t},p=${p}$${unpadded(salt)}$${unpadded(value)}`;
  }
  return failure(
    'unsupported_hash',
    `Keycloak's ${JSON.stringify(algorithm.slice(0, 40))} hashes are not supported`,
  );
}

function totp(credential: Record<string, unknown>): ImportedTotp | Failure {
  const secret = inner(credential.secretData);
  const data = inner(credential.credentialData);
  const bad = failure('invalid_totp', 'the otp credential is malformed');
  if (!secret || !data || typeof secret.value !== 'string') return bad;
  if (data.subType !== undefined && data.subType !== 'totp')
    return failure(
      'invalid_totp',
      'only time-based (TOTP) one-time passwords are supported, not HOTP',
    );
  const algorithm = OTP_ALGORITHMS[String(data.algorithm ?? 'HmacSHA1')];
  if (!algorithm) return bad;
  // Keycloak keeps the secret as typed characters unless it was imported as base32.
  const base32 =
    data.secretEncoding === 'BASE32'
      ? secret.value
      : new Secret({ buffer: new Uint8Array(Buffer.from(secret.value, 'utf8')).buffer }).base32;
  return {
    secret: base32,
    algorithm,
    digits: Number(data.digits ?? 6),
    periodSeconds: Number(data.period ?? 30),
  };
}

function toRecord(value: unknown): Omit<SourceRecord, 'at'> {
  if (!isObject(value)) return failure('invalid_row', 'not a JSON object');
  const credentials = Array.isArray(value.credentials) ? value.credentials.filter(isObject) : [];
  const password = credentials.find((c) => c.type === 'password');
  const otp = credentials.find((c) => c.type === 'otp');
  const hash = password ? passwordHash(password) : null;
  if (hash !== null && typeof hash !== 'string') return hash;
  const factor = otp ? totp(otp) : null;
  if (factor !== null && 'error' in factor) return factor;
  const roles = Array.isArray(value.realmRoles)
    ? value.realmRoles.filter((r): r is string => typeof r === 'string' && !isBuiltInRole(r))
    : [];
  return {
    row: {
      ...rowDefaults(),
      email: typeof value.email === 'string' ? value.email : '',
      emailVerified: value.emailVerified === true,
      roles,
      passwordHash: hash,
      banned: value.enabled === false,
      createdAt: Number.isSafeInteger(value.createdTimestamp)
        ? (value.createdTimestamp as number)
        : null,
      totp: factor,
    },
  };
}

/** `--format keycloak`: a realm export (`{"users": [...]}`; a users file of a directory export too). */
export async function keycloakSource(file: string): Promise<UserSource> {
  const document = await readJsonDocument(file);
  if (!isObject(document) || !Array.isArray(document.users))
    throw badFile(`${file} has no "users" array (export the realm with its users)`);
  return fromArray(document.users as unknown[], 'users', toRecord);
}
