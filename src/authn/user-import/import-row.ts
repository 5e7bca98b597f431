import type { TotpAlgorithm } from '../mfa/totp.js';

/**
 * One user as a source format describes it, before validation: every format
 * (Gatehouse JSONL, CSV, Auth0, Firebase, Keycloak) is read into this.
 */
export interface ImportRow {
  email: string;
  emailVerified: boolean;
  roles: string[];
  /** In a form Gatehouse verifies (see crypto/password-hash.ts), or null for no password. */
  passwordHash: string | null;
  banned: boolean;
  bannedReason: string | null;
  /** Epoch milliseconds; null: the time of the import. */
  createdAt: number | null;
  isService: boolean;
  attributes: Record<string, unknown>;
  totp: ImportedTotp | null;
}

export interface ImportedTotp {
  /** Base32, as authenticator apps take it. */
  secret: string;
  algorithm: TotpAlgorithm;
  digits: number;
  periodSeconds: number;
}

/** Why a row was not imported: a stable code and a reason that never quotes a hash or a secret. */
export interface RowError {
  code:
    | 'invalid_row'
    | 'invalid_email'
    | 'unknown_role'
    | 'unsupported_hash'
    | 'invalid_totp'
    | 'invalid_attributes';
  reason: string;
}

/** What a format reader yields per record: where it is in the file, and the row or why it is unreadable. */
export type SourceRecord = { at: string } & ({ row: ImportRow } | { error: RowError });

export const rowDefaults = (): Omit<ImportRow, 'email'> => ({
  emailVerified: false,
  roles: [],
  passwordHash: null,
  banned: false,
  bannedReason: null,
  createdAt: null,
  isService: false,
  attributes: {},
  totp: null,
});
