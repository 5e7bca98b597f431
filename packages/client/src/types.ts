/** The account as Gatehouse shows it (`userView` of the server). */
export interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  roles: string[];
  banned: boolean;
  createdAt: string;
}

/** `GET /auth/me`: the caller and, for a session or its access token, how it signed in. */
export interface Me {
  user: User & { via: 'session' | 'access_token' | 'api_key' | 'basic' };
  authentication?: {
    amr: string[];
    acr: 'aal1' | 'aal2';
    authTime: string;
    restriction?: 'mfa_enrollment';
  };
}

export type SecondFactorMethod = 'webauthn' | 'totp' | 'recovery_code' | 'sms';

/** A first step that was right, for an account with a second factor: nothing is signed in yet. */
export interface MfaRequired {
  kind: 'mfa_required';
  /** Opaque and single-use: pass it to `verifySecondFactor` (or the passkey helper). */
  challenge: string;
  /** The methods this account has, the strongest first. */
  methods: SecondFactorMethod[];
  expiresInSeconds: number;
}

export interface SignedIn {
  kind: 'signed_in';
  user: User;
  /** The account's role must use a second factor and it has none yet: only enrolment is open. */
  mfaEnrollmentRequired: boolean;
}

export type SignInResult = SignedIn | MfaRequired;

/** The second step of a sign-in: a code, or a passkey's assertion (see `verifySecondFactorWithPasskey`). */
export type SecondFactorStep =
  | { challenge: string; method: 'totp' | 'recovery_code' | 'sms'; code: string }
  | { challenge: string; method: 'webauthn'; assertion: object };

/** What a refresh (or a sign-in) hands out for APIs that take a bearer token. */
export interface AccessToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresInSeconds: number;
}
