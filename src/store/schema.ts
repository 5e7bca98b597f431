import type { Generated, Kysely } from 'kysely';

/** Times are epoch milliseconds in a bigint column on both dialects. */
export interface UsersTable {
  id: string;
  email: string;
  email_verified_at: number | null;
  password_hash: string | null;
  /** JSON object of attributes for attribute rules. */
  attributes: string;
  is_service: number;
  banned_at: number | null;
  banned_reason: string | null;
  created_at: number;
  updated_at: number;
  /** Bumped by every role change; access tokens carry it (`rv`). */
  roles_version: Generated<number>;
}

export interface UserRolesTable {
  user_id: string;
  role: string;
}

export interface SessionsTable {
  id: string;
  token_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  idle_expires_at: number;
  absolute_expires_at: number;
  ip: string | null;
  user_agent: string | null;
  /** JSON array of authentication method references (RFC 8176), e.g. ["pwd"]. */
  amr: string;
  auth_time: number;
  /** `aal1` or `aal2`, from the amr (see authn/login/assurance.ts). */
  acr: string;
  /** `mfa_enrollment`: the session may only enrol a second factor (mfa.requiredForRoles). */
  restriction: 'mfa_enrollment' | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}

export interface OneTimeTokensTable {
  id: string;
  token_hash: string;
  user_id: string;
  purpose: 'password_reset' | 'email_verification' | 'magic_link';
  expires_at: number;
  used_at: number | null;
  created_at: number;
}

/** A first factor passed; the second is awaited. Single-use, 5 minutes, 5 attempts. */
export interface LoginChallengesTable {
  id: string;
  token_hash: string;
  user_id: string;
  /** JSON array: the first factor's amr. */
  amr: string;
  /** When the first factor was verified. */
  auth_time: number;
  attempts: Generated<number>;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A TOTP factor: pending (and expiring) until a first code confirms it; one confirmed per user. */
export interface TotpFactorsTable {
  id: string;
  user_id: string;
  /** The base32 secret, sealed with the secret box (aad `totp-factor:<id>`). */
  secret_sealed: string;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: number;
  period_seconds: number;
  created_at: number;
  confirmed_at: number | null;
  /** Null once confirmed. */
  pending_expires_at: number | null;
  /** The newest time step accepted: only a later one is. */
  last_used_step: number | null;
  last_used_at: number | null;
}

/** One recovery code: only its SHA-256 is stored; a used code keeps its row. */
export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

/** A verified phone number that is a second factor; one per account. */
export interface SmsFactorsTable {
  id: string;
  user_id: string;
  /** E.164. */
  phone: string;
  created_at: number;
  last_used_at: number | null;
}

/** A code sent by SMS: to confirm a new number (`setup`) or for a login challenge (`login`). */
export interface SmsCodesTable {
  id: string;
  user_id: string;
  purpose: 'setup' | 'login';
  /** The number it was sent to; for `setup`, the number that becomes the factor. */
  phone: string;
  challenge_id: string | null;
  /** HMAC-SHA-256 under the server key of the row id and the code. */
  code_hash: string;
  attempts: Generated<number>;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A passkey: one WebAuthn credential of a user. */
export interface PasskeysTable {
  id: string;
  user_id: string;
  /** The credential id the authenticator returns, base64url; unique across users. */
  credential_id: string;
  /** COSE public key, base64url. */
  public_key: string;
  /** The authenticator's signature counter (0 for authenticators that keep none). */
  counter: number;
  /** JSON array of transports (`internal`, `usb`, `hybrid`, ...). */
  transports: string;
  /** 1 when the credential may be synced (a multi-device passkey). */
  backup_eligible: number;
  backed_up: number;
  name: string;
  created_at: number;
  last_used_at: number | null;
}

/** A WebAuthn challenge: single-use, short-lived, only its hash stored, bound to what it is for. */
export interface WebauthnChallengesTable {
  id: string;
  challenge_hash: string;
  purpose: 'register' | 'login' | 'second_factor' | 'reauthenticate';
  user_id: string | null;
  login_challenge_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface AuditEventsTable {
  id: Generated<number>;
  at: number;
  type: string;
  outcome: 'success' | 'failure';
  user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON object; never holds a secret. */
  detail: string;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk_sealed: string;
  created_at: number;
  retired_at: number | null;
}

export interface RefreshTokensTable {
  id: string;
  session_id: string;
  token_hash: string;
  parent_id: string | null;
  created_at: number;
  rotated_at: number | null;
}

export interface ApiKeysTable {
  id: string;
  user_id: string;
  name: string;
  secret_hash: string;
  /** JSON array, or null for the owner's full rights. */
  scopes: string | null;
  created_at: number;
  last_used_at: number | null;
  expires_at: number | null;
  revoked_at: number | null;
}

/** One row per short permission (`read`, `share`) a subject holds on one resource. */
export interface AclGrantsTable {
  resource_type: string;
  resource_id: string;
  subject_type: 'user' | 'group';
  subject_id: string;
  permission: string;
}

/** One revocation; ids only grow (see authn/tokens/revocation-cursor.ts for commit order). Purged long after `until_at`. */
export interface RevocationsTable {
  id: Generated<number>;
  kind: 'session' | 'user' | 'roles' | 'api_key';
  /** A session id, a user id or an API key id, by kind. */
  subject: string;
  /** When it took effect. */
  cutoff_at: number;
  /** For `roles`: the user's roles version after the change. */
  roles_version: number | null;
  /** After this no token or cached key it covers can still be valid. */
  until_at: number;
}

/** An upstream account (provider, subject) bound to one user. */
export interface IdentitiesTable {
  id: string;
  /** `google`, `github`, `saml:<connection>`: a configured provider's id. */
  provider: string;
  /** The provider's stable id for the account (`sub`, GitHub's numeric id, a SAML NameID). */
  subject: string;
  user_id: string;
  /** The email the provider gave when the identity was linked. */
  email: string | null;
  created_at: number;
  last_used_at: number | null;
}

/** A started OIDC/OAuth sign-in: single-use, short-lived; only a hash of `state` is kept. */
export interface OidcLoginsTable {
  id: string;
  state_hash: string;
  provider: string;
  nonce: string;
  code_verifier: string;
  return_to: string | null;
  intent: 'sign_in' | 'link';
  /** For `link`: the signed-in user the identity is for. */
  link_user_id: string | null;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** A provider added with `gatehouse oidc add`; the client secret sealed (aad `oidc-provider:<id>`). */
export interface OidcProvidersTable {
  id: string;
  /** JSON: the provider's settings without its secret. */
  config: string;
  client_secret_sealed: string | null;
  created_at: number;
  updated_at: number;
}

/** One thing oidc-provider persists (a code, token, grant, session, interaction…), by model and id. */
export interface OauthPayloadsTable {
  model: string;
  id: string;
  /** JSON: the model's payload as oidc-provider gave it. */
  payload: string;
  grant_id: string | null;
  user_code: string | null;
  uid: string | null;
  account_id: string | null;
  expires_at: number | null;
  consumed_at: number | null;
}

/** A relying party of Gatehouse's OpenID Provider. */
export interface OauthClientsTable {
  client_id: string;
  name: string;
  /** JSON: the client's registered metadata (redirect URIs, grants, scope…) without a secret. */
  metadata: string;
  /** SHA-256 of the client secret (confidential clients using a secret). */
  secret_hash: string | null;
  /** First-party: the consent screen is skipped. */
  trusted: number;
  created_at: number;
  updated_at: number;
}

/** The Gatehouse session a provider grant was given under. */
export interface OauthGrantSessionsTable {
  grant_id: string;
  session_id: string;
  user_id: string;
  client_id: string;
  created_at: number;
}

/** One event to one webhook endpoint (the outbox, migration 0014). */
export interface WebhookDeliveriesTable {
  id: string;
  /** The `webhook-id` header: one per event, the same for every endpoint and attempt. */
  event_id: string;
  /** The endpoint's `id` in the settings. */
  endpoint: string;
  event_type: string;
  /** The JSON body, exactly as signed and sent. */
  payload: string;
  created_at: number;
  attempts: Generated<number>;
  /** When it is due; while an instance sends it, the end of that instance's lease. */
  next_attempt_at: number;
  /** The claim of the instance sending it; its outcome is recorded only under this claim. */
  lease_token: string | null;
  last_attempt_at: number | null;
  /** The receiver's HTTP status of the last attempt; null when none came (refused, timed out). */
  last_status: number | null;
  /** Why the last attempt failed, without the URL: `timeout`, `ECONNREFUSED`, `status 500`. */
  last_error: string | null;
  delivered_at: number | null;
  /** Given up: the attempts ran out, or the receiver refused it for good (a 4xx). */
  failed_at: number | null;
}

export interface Database {
  users: UsersTable;
  user_roles: UserRolesTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  audit_events: AuditEventsTable;
  signing_keys: SigningKeysTable;
  refresh_tokens: RefreshTokensTable;
  api_keys: ApiKeysTable;
  acl_grants: AclGrantsTable;
  revocations: RevocationsTable;
  login_challenges: LoginChallengesTable;
  totp_factors: TotpFactorsTable;
  recovery_codes: RecoveryCodesTable;
  sms_factors: SmsFactorsTable;
  sms_codes: SmsCodesTable;
  passkeys: PasskeysTable;
  webauthn_challenges: WebauthnChallengesTable;
  identities: IdentitiesTable;
  oidc_logins: OidcLoginsTable;
  oidc_providers: OidcProvidersTable;
  oauth_payloads: OauthPayloadsTable;
  oauth_clients: OauthClientsTable;
  oauth_grant_sessions: OauthGrantSessionsTable;
  webhook_deliveries: WebhookDeliveriesTable;
}

export type Db = Kysely<Database>;
