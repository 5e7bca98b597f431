/** `gatehouse/verify`: verify Gatehouse access tokens on a resource server. Depends on jose alone. */

export {
  bearerTokenFrom,
  type ChallengeOptions,
  type HttpFailure,
  httpFailureFor,
  type Problem,
} from './http-failure.js';
export type { KeySource } from './key-source.js';
export type { VerifierLogger } from './logger.js';
export type { VerifierOptions } from './options.js';
export {
  isNarrowed,
  type PermissionOptions,
  type PermissionPolicy,
  permissionCheck,
  type RoleOptions,
  roleCheck,
  type TokenCheck,
} from './permission.js';
export {
  createRevocationSet,
  type RevocationCheck,
  type RevocationSet,
  type RevocationSubject,
} from './revocation.js';
export {
  applyRevocationMessage,
  createRevocationFeedSubscriber,
  parseRevocationMessage,
  type RevocationFeedSubscriber,
  type RevocationMessage,
} from './revocation-feed.js';
export {
  type RevocationSubscription,
  type RevocationSubscriptionOptions,
  type StreamCredential,
  type SubscriptionRuntime,
  type SubscriptionState,
  subscribeRevocations,
} from './revocation-subscription.js';
export { assertScopes } from './scope.js';
export type { VerifiedAccessToken } from './verified-access-token.js';
export { createVerifier, type Verifier } from './verifier.js';
export { isVerifyError, VerifyError, type VerifyErrorCode } from './verify-error.js';
