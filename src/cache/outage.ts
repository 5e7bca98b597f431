import { errorChain, isNetworkFailure } from '../connection-errors.js';

/** ioredis's words for a command it could not send or that got no answer. */
const CLIENT_MESSAGES = [
  /^Connection is closed/,
  /^Stream isn't writeable/,
  /^Command timed out/,
  /^Reached the max retries per request limit/,
];

/** Redis replies that mean "not now" (loading, failing over, out of memory), not "wrong command". */
const UNAVAILABLE_REPLIES = /^(LOADING|BUSY|MASTERDOWN|READONLY|TRYAGAIN|CLUSTERDOWN|OOM) /;

/** True when a cache command failed because Redis could not be reached or cannot serve now. */
export function isCacheOutage(error: unknown): boolean {
  if (isNetworkFailure(error)) return true;
  return errorChain(error).some(
    (e) =>
      e.name === 'MaxRetriesPerRequestError' ||
      CLIENT_MESSAGES.some((pattern) => pattern.test(e.message)) ||
      (e.name === 'ReplyError' && UNAVAILABLE_REPLIES.test(e.message)),
  );
}
