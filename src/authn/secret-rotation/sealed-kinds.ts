import { open } from '../../crypto/secret-box.js';
import type { SealedKind, SealedSecret } from '../../store/repositories/sealed-secrets.js';
import { secretAad } from '../federation/oidc-providers.js';
import { totpSecretAad } from '../mfa/totp-factor.js';
import { signingKeyAad } from '../tokens/key-ring.js';

/**
 * Everything sealed with the server secret, in the order start-up checks it.
 * A new sealed column joins this list (and store/repositories/sealed-secrets.ts),
 * or `gatehouse secret rotate` would leave it under the old secret.
 */
export const SEALED_KINDS: readonly SealedKind[] = ['signing-key', 'totp-factor', 'oidc-provider'];

/** What an operator reads in messages. */
export const sealedLabel: Record<SealedKind, string> = {
  'signing-key': 'signing keys',
  'totp-factor': 'authenticator-app (TOTP) secrets',
  'oidc-provider': 'sign-in provider client secrets',
};

/** The aad each box was sealed with: its purpose and its row. */
export const aadOf = ({ kind, id }: Pick<SealedSecret, 'kind' | 'id'>): string => {
  switch (kind) {
    case 'signing-key':
      return signingKeyAad(id);
    case 'totp-factor':
      return totpSecretAad(id);
    case 'oidc-provider':
      return secretAad(id);
  }
};

/** The plaintext when `key` opens the box, else undefined (wrong key or damaged box: GCM cannot tell). */
export function tryOpen(key: Buffer, secret: SealedSecret): string | undefined {
  try {
    return open(key, secret.box, aadOf(secret));
  } catch {
    return undefined;
  }
}
