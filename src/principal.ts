/** Authenticator assurance level of a sign-in; the mapping from methods is in authn/login/assurance.ts. */
export type Acr = 'aal1' | 'aal2';

/** Who the caller is, once a credential has been verified. Never carries a secret. */
export type CredentialKind = 'session' | 'access_token' | 'api_key' | 'basic';

export interface Principal {
  readonly userId: string;
  readonly roles: readonly string[];
  /** Attributes of the user for attribute rules (department, clearance, ...). */
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly via: CredentialKind;
  /** The server-side session behind a cookie or an access token. */
  readonly sessionId?: string;
  /** Set when the credential is narrowed (API key scopes, token scope); absent means the user's full rights. */
  readonly scopes?: readonly string[];
  /** How the session was authenticated (RFC 8176); absent for API keys and Basic. */
  readonly amr?: readonly string[];
  readonly acr?: Acr;
  /** When the user last proved who they are (epoch ms); absent for API keys and Basic. */
  readonly authTime?: number;
  /** A session that may only enrol a second factor (`mfa.requiredForRoles`). */
  readonly restriction?: 'mfa_enrollment';
}
