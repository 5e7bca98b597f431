import { GatehouseError } from './errors.js';
import type { ClientMode } from './options.js';
import type { ClientState } from './state.js';
import type {
  AccessToken,
  Me,
  MfaRequired,
  SecondFactorMethod,
  SignInResult,
  User,
} from './types.js';

/** A JSON object as it came: read its fields as `unknown`. */
export type JsonObject = Record<string, unknown>;
type Json = JsonObject;

const malformed = (what: string) =>
  new GatehouseError('unexpected_response', { status: 200, detail: `The answer has no ${what}` });

function stringAt(body: Json, key: string): string {
  const value = body[key];
  if (typeof value !== 'string' || value === '') throw malformed(key);
  return value;
}

function userAt(body: Json): User {
  const user = body.user;
  if (typeof user !== 'object' || user === null) throw malformed('user');
  stringAt(user as Json, 'id');
  stringAt(user as Json, 'email');
  return user as User;
}

function mfaRequired(body: Json): MfaRequired {
  const methods = body.methods;
  if (!Array.isArray(methods)) throw malformed('methods');
  const expiresIn = body.expiresIn;
  return {
    kind: 'mfa_required',
    challenge: stringAt(body, 'challenge'),
    methods: methods.filter((m): m is SecondFactorMethod => typeof m === 'string'),
    expiresInSeconds: typeof expiresIn === 'number' ? expiresIn : 0,
  };
}

/** An access-token answer (sign-in or refresh): `{accessToken, tokenType, expiresIn}`. */
export function accessTokenOf(body: Json): AccessToken {
  const expiresIn = body.expiresIn;
  return {
    accessToken: stringAt(body, 'accessToken'),
    tokenType: 'Bearer',
    expiresInSeconds: typeof expiresIn === 'number' ? expiresIn : 0,
  };
}

/**
 * The one answer of every route that signs in: a challenge (nothing is kept),
 * or a session whose tokens the client now holds (cookie mode: the CSRF
 * token; token mode: the refresh token, which it asked for in the body).
 */
export function acceptSignIn(state: ClientState, mode: ClientMode, body: Json): SignInResult {
  if (body.mfaRequired === true) return mfaRequired(body);
  const user = userAt(body);
  const { accessToken } = accessTokenOf(body);
  const secret = mode === 'cookie' ? stringAt(body, 'csrfToken') : stringAt(body, 'refreshToken');
  state.accessToken = accessToken;
  state.csrfToken = mode === 'cookie' ? secret : undefined;
  state.refreshToken = mode === 'token' ? secret : undefined;
  state.epoch += 1;
  return { kind: 'signed_in', user, mfaEnrollmentRequired: body.mfaEnrollmentRequired === true };
}

/** `GET /auth/me`. */
export function meOf(body: Json): Me {
  userAt(body);
  return body as unknown as Me;
}

/** Token mode: the rotated refresh token of a refresh answer. */
export const refreshTokenOf = (body: Json): string => stringAt(body, 'refreshToken');
