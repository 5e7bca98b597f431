import type { Page } from '../store/page.js';
import type { User, UserPosition, UserSort } from '../store/repositories/users.js';
import { ID_PATTERN } from './schemas.js';

/**
 * Cursors of the users list: base64url of `sort.order.id.key`, the key (a
 * creation time or an email, which may hold dots) last. A cursor names the
 * sort it was cut from, so one handed back with another sort or order is a
 * 400, not a page that silently starts somewhere else.
 */
export interface UserListOrder {
  sort: UserSort;
  order: 'asc' | 'desc';
}

export const encodeUserCursor = (order: UserListOrder, position: UserPosition): string =>
  Buffer.from(`${order.sort}.${order.order}.${position.id}.${position.key}`, 'utf8').toString(
    'base64url',
  );

export const nextUserCursor = (order: UserListOrder, page: Page<unknown, UserPosition>) =>
  page.next ? encodeUserCursor(order, page.next) : null;

// An email as the list stores it: at most 254 characters, no space or control character.
const EMAIL_KEY = /^[^\s\p{Cc}]{1,254}$/u;

/** The position a cursor stands for, or null when this list did not hand it out for `order`. */
export function decodeUserCursor(text: string, order: UserListOrder): UserPosition | null {
  if (!/^[A-Za-z0-9_-]{1,480}$/.test(text)) return null;
  const [sort = '', direction = '', id = '', ...rest] = Buffer.from(text, 'base64url')
    .toString('utf8')
    .split('.');
  const key = rest.join('.');
  if (sort !== order.sort || direction !== order.order || !ID_PATTERN.test(id)) return null;
  if (sort === 'created' ? !/^[0-9]{1,15}$/.test(key) : !EMAIL_KEY.test(key)) return null;
  const position = { key: sort === 'created' ? Number(key) : key, id };
  return encodeUserCursor(order, position) === text ? position : null;
}

/** Where a list of this order stands at `user`: its sort key and id. */
export const positionOfUser = (order: UserListOrder, user: User): UserPosition => ({
  key: order.sort === 'email' ? user.email : user.createdAt,
  id: user.id,
});
