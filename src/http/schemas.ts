import { z } from 'zod';
import type { User } from '../store/repositories/users.js';

/** Bounded strings everywhere: an over-long value is a 400, not a slow hash or a fat row. */
export const emailSchema = z.email().max(254);
export const passwordSchema = z.string().min(1).max(1024);
export const tokenSchema = z.string().min(1).max(512);
export const idParams = z.strictObject({ id: z.string().min(1).max(64) });

export const userView = (user: User) => ({
  id: user.id,
  email: user.email,
  emailVerified: user.emailVerified,
  roles: user.roles,
  banned: user.bannedAt !== null,
  createdAt: new Date(user.createdAt).toISOString(),
});
