/** Where a request came from, for sessions and audit events. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
