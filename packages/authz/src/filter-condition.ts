/**
 * The residual condition `filter` returns: what is left of a policy once the
 * principal and environment are known. Only resource attributes and ACL
 * look-ups remain; the store turns it into a WHERE clause.
 */
import type { CompareOp, LiteralValue } from './condition-ast.js';

export interface AclSubjects {
  readonly userId: string;
  /** Group subjects: the principal's roles and `groups` attribute. */
  readonly groups: readonly string[];
}

export type FilterCondition =
  | { readonly kind: 'true' }
  | { readonly kind: 'false' }
  | { readonly kind: 'and' | 'or'; readonly items: readonly FilterCondition[] }
  | { readonly kind: 'not'; readonly item: FilterCondition }
  /** A comparison between a resource attribute and a value; false when the attribute is missing. */
  | {
      readonly kind: 'cmp';
      readonly attribute: string;
      readonly op: CompareOp;
      readonly value: LiteralValue;
    }
  | { readonly kind: 'in'; readonly attribute: string; readonly values: readonly LiteralValue[] }
  | { readonly kind: 'has'; readonly attribute: string }
  /** A grant on the resource naming the subjects gives `permission` (short name). */
  | { readonly kind: 'aclHas'; readonly permission: string; readonly subjects: AclSubjects }
  /** Some grant on the resource names the subjects with at least one permission. */
  | { readonly kind: 'aclAny'; readonly subjects: AclSubjects };

export const TRUE: FilterCondition = Object.freeze({ kind: 'true' });
export const FALSE: FilterCondition = Object.freeze({ kind: 'false' });

export const bool = (value: boolean): FilterCondition => (value ? TRUE : FALSE);

export function and(...items: FilterCondition[]): FilterCondition {
  const kept: FilterCondition[] = [];
  for (const item of items) {
    if (item.kind === 'false') return FALSE;
    if (item.kind === 'and') kept.push(...item.items);
    else if (item.kind !== 'true') kept.push(item);
  }
  if (kept.length === 0) return TRUE;
  return kept.length === 1 ? (kept[0] as FilterCondition) : { kind: 'and', items: kept };
}

export function or(...items: FilterCondition[]): FilterCondition {
  const kept: FilterCondition[] = [];
  for (const item of items) {
    if (item.kind === 'true') return TRUE;
    if (item.kind === 'or') kept.push(...item.items);
    else if (item.kind !== 'false') kept.push(item);
  }
  if (kept.length === 0) return FALSE;
  return kept.length === 1 ? (kept[0] as FilterCondition) : { kind: 'or', items: kept };
}

export function not(item: FilterCondition): FilterCondition {
  if (item.kind === 'true') return FALSE;
  if (item.kind === 'false') return TRUE;
  if (item.kind === 'not') return item.item;
  return { kind: 'not', item };
}
