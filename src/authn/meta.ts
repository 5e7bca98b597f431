/** Where a request came from, for sessions and audit events. */
export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
}

/** Where an operator's command comes from: the command line, no request behind it. */
export const CLI_META: RequestMeta = { ip: null, userAgent: 'gatehouse-cli' };

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();
