export type { JsonObject } from './answers.js';
export type { ApiCall, GatehouseClient } from './client.js';
export { createClient } from './client.js';
export type {
  ApiErrorCode,
  ClientErrorCode,
  GatehouseErrorCode,
  GatehouseErrorFields,
} from './errors.js';
export { GatehouseError, isGatehouseError } from './errors.js';
export type { ClientMode, ClientOptions } from './options.js';
export type { Passkey } from './passkeys.js';
export { registerPasskey, signInWithPasskey, verifySecondFactorWithPasskey } from './passkeys.js';
export type {
  AccessToken,
  Me,
  MfaRequired,
  SecondFactorMethod,
  SecondFactorStep,
  SignedIn,
  SignInResult,
  User,
} from './types.js';
