import { z } from 'zod';
import type { User } from '../store/repositories/users.js';
import { type TextKind, textFault } from './text-rules.js';

const ruled = (kind: TextKind) =>
  z.string().superRefine((value, ctx) => {
    const fault = textFault(value, kind);
    if (fault) ctx.addIssue({ code: 'custom', message: fault });
  });

/**
 * Single-line names: ids, key names, filters, actions. No control character
 * at all (parseInput already refuses NUL and the rest everywhere else).
 */
export const nameSchema = (maxLength: number, minLength = 1) =>
  ruled('name').min(minLength).max(maxLength);
/** Free text (reasons, bodies): tab and line breaks allowed, other controls not. */
export const textSchema = (maxLength: number) => ruled('text').max(maxLength);

/** Bounded strings everywhere: an over-long value is a 400, not a slow hash or a fat row. */
export const emailSchema = z.email().max(254);
export const passwordSchema = z.string().min(1).max(1024);
export const tokenSchema = nameSchema(512);
/** Our ids are UUIDs or hex; anything else cannot name a row, so it is a 400 before any query. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const idSchema = z
  .string()
  .regex(ID_PATTERN, 'not an id (letters, digits, - and _, at most 64)');
export const idParams = z.strictObject({ id: idSchema });

/** A user as the API shows it: what the answers that carry a user promise (OpenAPI and the compiler). */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  emailVerified: z.boolean(),
  roles: z.array(z.string()).readonly(),
  banned: z.boolean(),
  createdAt: z.iso.datetime(),
});

export const userView = (user: User): z.input<typeof userSchema> => ({
  id: user.id,
  email: user.email,
  emailVerified: user.emailVerified,
  roles: user.roles,
  banned: user.bannedAt !== null,
  createdAt: new Date(user.createdAt).toISOString(),
});

/** Native clients without a cookie jar ask for the refresh token in the body. */
export const refreshTokenDeliverySchema = z.enum(['cookie', 'body']).default('cookie');
