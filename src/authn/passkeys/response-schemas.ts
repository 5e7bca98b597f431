import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '@simplewebauthn/server';
import { z } from 'zod';
import { AuthError } from '../../errors.js';

/**
 * The JSON a browser's `navigator.credentials` answer becomes
 * (@simplewebauthn/browser's startRegistration / startAuthentication). Only
 * its shape is checked here, with bounded strings; SimpleWebAuthn verifies it.
 */
/**
 * Room for post-quantum keys: where the runtime supports ML-DSA (Node.js 24), SimpleWebAuthn
 * offers ML-DSA-44 first, and its signatures (2,420 bytes; ML-DSA-87: 4,627) and public keys
 * (up to 2,592 bytes) are far longer than ES256's.
 */
const SIGNATURE_MAX = 8192;
const PUBLIC_KEY_MAX = 8192;

const b64url = (maxLength: number) =>
  z
    .string()
    .min(1)
    .max(maxLength)
    .regex(/^[A-Za-z0-9_-]+$/, 'base64url');

const transports = z
  .array(z.enum(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']))
  .max(10);
const extensions = z.record(z.string().max(64), z.unknown());
const attachment = z.enum(['platform', 'cross-platform']).optional();

export const registrationResponseSchema = z.object({
  id: b64url(1366),
  rawId: b64url(1366),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url(4096),
    attestationObject: b64url(16_384),
    authenticatorData: b64url(16_384).optional(),
    transports: transports.optional(),
    publicKeyAlgorithm: z.number().int().optional(),
    publicKey: b64url(PUBLIC_KEY_MAX).optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensions,
});

export const authenticationResponseSchema = z.object({
  id: b64url(1366),
  rawId: b64url(1366),
  type: z.literal('public-key'),
  response: z.object({
    clientDataJSON: b64url(4096),
    authenticatorData: b64url(16_384),
    signature: b64url(SIGNATURE_MAX),
    userHandle: b64url(128).optional(),
  }),
  authenticatorAttachment: attachment,
  clientExtensionResults: extensions,
});

/** An assertion that arrived as `unknown` (POST /auth/mfa/verify): its shape, or 400. */
export function parseAssertion(value: unknown): AuthenticationResponseJSON {
  const result = authenticationResponseSchema.safeParse(value);
  if (!result.success)
    throw new AuthError(
      'invalid_request',
      'The assertion is not a WebAuthn authentication response.',
    );
  return result.data;
}

export type { AuthenticationResponseJSON, RegistrationResponseJSON };
