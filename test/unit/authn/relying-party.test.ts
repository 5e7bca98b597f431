import { describe, expect, it } from 'vitest';
import { relyingParty, relyingPartyOf } from '../../../src/authn/passkeys/relying-party.js';
import { loadSettings } from '../../../src/config/load.js';
import type { SettingsInput } from '../../../src/config/schema.js';

const settings = (flags: SettingsInput) => loadSettings({ env: {}, flags });

describe('the WebAuthn relying party', () => {
  it('comes from the public URL by default: its host is the RP ID, its origin the one origin', () => {
    expect(relyingPartyOf(settings({ publicUrl: 'https://login.example.com:8443/base' }))).toEqual({
      id: 'login.example.com',
      name: 'Gatehouse',
      origins: ['https://login.example.com:8443'],
      challengeLifetimeSeconds: 300,
    });
  });

  it('takes an explicit RP ID, origins under it and a name', () => {
    const rp = relyingPartyOf(
      settings({
        publicUrl: 'https://login.example.com',
        webauthn: {
          rpId: 'example.com',
          origins: ['https://example.com', 'https://app.example.com/'],
          rpName: 'Acme',
        },
      }),
    );
    expect(rp).toMatchObject({
      id: 'example.com',
      name: 'Acme',
      origins: ['https://example.com', 'https://app.example.com'],
    });
  });

  it('refuses an origin that is not the RP ID or under it', () => {
    for (const origin of ['https://example.org', 'https://badexample.com', 'https://com']) {
      expect(() =>
        relyingPartyOf(settings({ webauthn: { rpId: 'example.com', origins: [origin] } })),
      ).toThrow(/webauthn\.origins/);
    }
  });

  it('is off without a public URL or both RP settings, and says how to turn it on', () => {
    expect(relyingPartyOf(settings({}))).toBeNull();
    expect(relyingPartyOf(settings({ webauthn: { rpId: 'example.com' } }))).toBeNull();
    expect(() => relyingParty(settings({}))).toThrow(/GATEHOUSE_PUBLIC_URL/);
  });

  it('refuses an RP ID with a scheme or a port', () => {
    for (const rpId of ['https://example.com', 'example.com:443', 'Example.COM', ''])
      expect(() => settings({ webauthn: { rpId } })).toThrow(/webauthn\.rpId/);
  });
});
