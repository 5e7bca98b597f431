/**
 * Which characters untrusted strings may hold. PostgreSQL refuses U+0000 in
 * text (a 500 if it got that far), a lone UTF-16 surrogate would be stored as
 * U+FFFD (silently lost data), and other C0 controls only make sense as the
 * tab and line breaks of free text. So free text may hold \t \n \r; names
 * (ids, emails, key names, roles, filters) hold no control character at all.
 */
export type TextKind = 'text' | 'name';

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;
const isLineSpace = (c: number) => c === 0x09 || c === 0x0a || c === 0x0d;

/** Why `value` is not acceptable as `kind`, or null when it is. */
export function textFault(value: string, kind: TextKind): string | null {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) {
      if (kind === 'text' && isLineSpace(c)) continue;
      return 'control characters are not allowed';
    }
    if (isHigh(c) && isLow(value.charCodeAt(i + 1))) i++;
    else if (isHigh(c) || isLow(c)) return 'a lone UTF-16 surrogate is not text';
  }
  return null;
}
