import { open, readFile } from 'node:fs/promises';
import { rowDefaults, type SourceRecord } from '../../authn/user-import/import-row.js';
import { jsonLinesSource } from './jsonl.js';
import { badFile, fromArray, isObject, stringOr, type UserSource } from './source.js';

/**
 * One user of Auth0's export with password hashes (what Auth0 support hands
 * over, JSON lines or one array): `email`, `email_verified`, `passwordHash`
 * (bcrypt), `_id` (`{"$oid": …}`, not kept: Gatehouse gives its own ids).
 * Auth0's bulk-import spelling (`password_hash`, `blocked`) is read too.
 */
function toRecord(value: unknown): Omit<SourceRecord, 'at'> {
  if (!isObject(value)) return { error: { code: 'invalid_row', reason: 'not a JSON object' } };
  const hash = stringOr(value.passwordHash) ?? stringOr(value.password_hash);
  return {
    row: {
      ...rowDefaults(),
      email: stringOr(value.email, '') as string,
      emailVerified: value.email_verified === true,
      passwordHash: hash === '' ? null : hash,
      banned: value.blocked === true,
    },
  };
}

/** A JSON array when its first non-blank character is `[`; JSON lines (streamed) otherwise. */
async function isArray(file: string): Promise<boolean> {
  const handle = await open(file);
  try {
    const { buffer, bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 0);
    return buffer.subarray(0, bytesRead).toString('utf8').trimStart().startsWith('[');
  } finally {
    await handle.close();
  }
}

export async function auth0Source(file: string): Promise<UserSource> {
  if (!(await isArray(file))) return jsonLinesSource(file, toRecord);
  let users: unknown;
  try {
    users = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw badFile(`${file} is not a JSON array (${(error as Error).message.split('\n')[0]})`);
  }
  return fromArray(users as unknown[], 'users', toRecord);
}
