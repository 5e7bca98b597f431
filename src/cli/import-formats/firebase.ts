import { rowDefaults, type SourceRecord } from '../../authn/user-import/import-row.js';
import { encodeImportedHash } from '../../crypto/imported-hashes.js';
import {
  badFile,
  fromArray,
  isObject,
  readJsonDocument,
  stringOr,
  type UserSource,
} from './source.js';

/** The project's hash parameters (Firebase console → Users → ⋮ → Password hash parameters). */
export interface FirebaseHashConfig {
  signerKey: Buffer;
  saltSeparator: Buffer;
  rounds: number;
  memCost: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const base64 = (value: unknown): Buffer | null =>
  typeof value === 'string' && value !== '' && BASE64.test(value)
    ? Buffer.from(value, 'base64')
    : null;

function toRecord(config: FirebaseHashConfig, value: unknown): Omit<SourceRecord, 'at'> {
  if (!isObject(value)) return { error: { code: 'invalid_row', reason: 'not a JSON object' } };
  let passwordHash: string | null = null;
  // Firebase exports an empty hash for accounts without one (or hashed another way).
  if (value.passwordHash !== undefined && value.passwordHash !== '') {
    const hash = base64(value.passwordHash);
    const salt = base64(value.salt);
    if (!hash || !salt)
      return { error: { code: 'unsupported_hash', reason: 'passwordHash or salt is not base64' } };
    passwordHash = encodeImportedHash({ kind: 'firebase-scrypt', ...config, salt, hash });
  }
  const raw = value.createdAt;
  const createdAt = typeof raw === 'string' || typeof raw === 'number' ? Number(raw) : Number.NaN;
  return {
    row: {
      ...rowDefaults(),
      email: stringOr(value.email, '') as string,
      emailVerified: value.emailVerified === true,
      passwordHash,
      banned: value.disabled === true,
      createdAt: Number.isSafeInteger(createdAt) ? createdAt : null,
    },
  };
}

/** `--format firebase-scrypt`: `firebase auth:export --format=json`, `{"users": [...]}`. */
export async function firebaseSource(
  file: string,
  config: FirebaseHashConfig,
): Promise<UserSource> {
  const document = await readJsonDocument(file);
  if (!isObject(document) || !Array.isArray(document.users))
    throw badFile(`${file} has no "users" array (firebase auth:export --format=json writes one)`);
  return fromArray(document.users as unknown[], 'users', (user) => toRecord(config, user));
}
