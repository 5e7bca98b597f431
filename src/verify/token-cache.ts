import type { VerifiedAccessToken } from './access-token.js';

/**
 * A bounded map of tokens already verified, keyed by the token string. A Map
 * iterates in insertion order, so re-inserting on a hit and evicting the
 * first key gives least-recently-used eviction. Entries hold only what the
 * signature already proved; expiry and revocation are re-checked on each hit
 * by the verifier.
 */
export class TokenCache {
  readonly #entries = new Map<string, VerifiedAccessToken>();
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
    const entry = this.#entries.get(token);
    if (entry === undefined) return undefined;
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    return entry;
  }

  set(token: string, entry: VerifiedAccessToken): void {
    if (this.#maxEntries === 0) return;
    this.#entries.delete(token);
    this.#entries.set(token, entry);
    if (this.#entries.size > this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  delete(token: string): void {
    this.#entries.delete(token);
  }
}
