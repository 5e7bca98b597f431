import { z } from 'zod';
import type { ImportRow, RowError } from './import-row.js';

/**
 * Gatehouse's own user file: one JSON object a line, what `gatehouse export
 * users` writes and `gatehouse import users --format jsonl` reads. Only
 * `email` is required on import; an unknown field is refused (a typo must not
 * drop data silently).
 */
export const gatehouseUserLine = z.strictObject({
  email: z.string().max(320),
  emailVerified: z.boolean().default(false),
  roles: z.array(z.string().max(200)).max(100).default([]),
  passwordHash: z.string().max(2000).nullable().default(null),
  banned: z.boolean().default(false),
  bannedReason: z.string().nullable().default(null),
  /** ISO 8601, or epoch milliseconds. */
  createdAt: z
    .union([z.iso.datetime({ offset: true }), z.number().int().nonnegative()])
    .nullable()
    .default(null),
  isService: z.boolean().default(false),
  attributes: z.record(z.string(), z.unknown()).default({}),
  totp: z
    .strictObject({
      secret: z.string().max(256),
      algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']).default('SHA1'),
      digits: z.number().int().default(6),
      period: z.number().int().default(30),
    })
    .nullable()
    .default(null),
});

export type GatehouseUserLine = z.output<typeof gatehouseUserLine>;

/** The fields wrong in a line (names only: a value could be a hash). */
const describe = (error: z.ZodError): string =>
  error.issues
    .slice(0, 3)
    .map((issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field ${issue.keys.join(', ')}`
        : `${issue.path.join('.') || 'line'}: ${issue.code === 'invalid_type' ? `expected ${issue.expected}` : 'invalid'}`,
    )
    .join('; ');

export function rowFromGatehouseLine(value: unknown): { row: ImportRow } | { error: RowError } {
  const parsed = gatehouseUserLine.safeParse(value);
  if (!parsed.success) return { error: { code: 'invalid_row', reason: describe(parsed.error) } };
  const line = parsed.data;
  return {
    row: {
      email: line.email,
      emailVerified: line.emailVerified,
      roles: line.roles,
      passwordHash: line.passwordHash,
      banned: line.banned,
      bannedReason: line.bannedReason,
      createdAt:
        line.createdAt === null
          ? null
          : typeof line.createdAt === 'number'
            ? line.createdAt
            : Date.parse(line.createdAt),
      isService: line.isService,
      attributes: line.attributes,
      totp: line.totp && {
        secret: line.totp.secret,
        algorithm: line.totp.algorithm,
        digits: line.totp.digits,
        periodSeconds: line.totp.period,
      },
    },
  };
}
