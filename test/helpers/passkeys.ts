import { randomBytes, randomUUID } from 'node:crypto';
import { insertPasskey, type NewPasskey } from '../../src/store/repositories/passkeys.js';
import type { TestServer } from './server.js';

const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

/** A passkey row written straight to the store, to set up state no authenticator is needed for. */
export async function insertTestPasskey(
  server: TestServer,
  userId: string,
  overrides: Partial<NewPasskey> = {},
): Promise<NewPasskey> {
  const passkey: NewPasskey = {
    id: randomUUID(),
    userId,
    credentialId: b64(randomBytes(32)),
    publicKey: b64(randomBytes(77)),
    counter: 0,
    transports: ['internal'],
    backupEligible: false,
    backedUp: false,
    name: 'Test passkey',
    createdAt: server.clock.now(),
    ...overrides,
  };
  await insertPasskey(server.core.store.db, passkey);
  return passkey;
}

const clientData = (type: string, challenge: string, origin: string) =>
  b64(JSON.stringify({ type, challenge, origin, crossOrigin: false }));

/** Well-formed JSON of an assertion that no authenticator signed. */
export const forgedAssertion = (
  credentialId: string,
  challenge = b64(randomBytes(32)),
  origin = 'http://localhost:3999',
) => ({
  id: credentialId,
  rawId: credentialId,
  type: 'public-key',
  response: {
    clientDataJSON: clientData('webauthn.get', challenge, origin),
    authenticatorData: b64(randomBytes(37)),
    signature: b64(randomBytes(64)),
  },
  clientExtensionResults: {},
});

/** Well-formed JSON of a registration no authenticator made. */
export const forgedRegistration = (
  challenge = b64(randomBytes(32)),
  origin = 'http://localhost:3999',
) => {
  const id = b64(randomBytes(32));
  return {
    id,
    rawId: id,
    type: 'public-key',
    response: {
      clientDataJSON: clientData('webauthn.create', challenge, origin),
      attestationObject: b64(randomBytes(200)),
      transports: ['internal'],
    },
    clientExtensionResults: {},
  };
};
