/** Authenticator assurance level of a sign-in (NIST SP 800-63B). */
export type Acr = 'aal1' | 'aal2';

/**
 * The caller as the engine sees it: what rules, roles, scopes and ACL grants
 * are decided on. Gatehouse's own `Principal` (which adds how the caller
 * authenticated) satisfies it; an app builds one from its own user.
 */
export interface Principal {
  readonly userId: string;
  readonly roles: readonly string[];
  /** Attributes of the user for attribute rules (department, clearance, ...). */
  readonly attributes: Readonly<Record<string, unknown>>;
  /** Set when the credential is narrowed (API key scopes, token scope); absent means the user's full rights. */
  readonly scopes?: readonly string[];
  /** How the user authenticated (RFC 8176); absent for API keys and Basic. */
  readonly amr?: readonly string[];
  readonly acr?: Acr;
  /** When the user last proved who they are (epoch ms); absent for API keys and Basic. */
  readonly authTime?: number;
}
