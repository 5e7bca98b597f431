import type { VerifiedAccessToken } from './verified-access-token.js';

/**
 * A bounded map of tokens already verified. Entries hold only what the
 * signature already proved; expiry and revocation are re-checked on each hit
 * by the verifier.
 *
 * Keyed by the signature segment, not the whole token: a request brings a
 * fresh string each time, and hashing ~90 characters instead of ~400 is most
 * of a hit's cost. A hit still compares the whole token, so a token that
 * reuses a cached signature under another header or payload misses (and then
 * fails verification). Eviction is oldest-first; a hot token that is evicted
 * costs one re-verification.
 */
export class TokenCache {
  readonly #entries = new Map<string, { token: string; verified: VerifiedAccessToken }>();
  readonly #maxEntries: number;

  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 0) {
      throw new TypeError('cache.maxEntries must be a non-negative integer');
    }
    this.#maxEntries = maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(token: string): VerifiedAccessToken | undefined {
    const entry = this.#entries.get(signatureOf(token));
    return entry !== undefined && entry.token === token ? entry.verified : undefined;
  }

  set(token: string, verified: VerifiedAccessToken): void {
    if (this.#maxEntries === 0) return;
    const key = signatureOf(token);
    this.#entries.delete(key);
    this.#entries.set(key, { token, verified });
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  delete(token: string): void {
    const key = signatureOf(token);
    if (this.#entries.get(key)?.token === token) this.#entries.delete(key);
  }
}

const signatureOf = (token: string): string => token.slice(token.lastIndexOf('.') + 1);
