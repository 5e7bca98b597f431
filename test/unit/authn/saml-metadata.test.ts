import { describe, expect, it } from 'vitest';
import { parseIdpMetadata } from '../../../src/authn/federation/saml-metadata.js';
import { ConfigError } from '../../../src/errors.js';
import { makeIdpKey, TestIdp } from '../../helpers/saml-idp.js';

describe('IdP metadata import', () => {
  it('reads the entity ID, the Redirect SSO URL and every signing certificate', async () => {
    const next = await makeIdpKey('Next');
    const idp = new TestIdp(await makeIdpKey(), [next.certBase64]);
    const metadata = parseIdpMetadata(idp.metadata(), 'test');
    expect(metadata.entityId).toBe(idp.entityId);
    expect(metadata.ssoUrl).toBe(idp.ssoUrl);
    expect(metadata.signingCerts).toEqual([idp.key.certBase64, next.certBase64]);
  });

  it('refuses metadata without what a connection needs, or that is not XML', async () => {
    const xml = new TestIdp(await makeIdpKey()).metadata();
    const broken = [
      xml.replace(/<md:SingleSignOnService Binding="[^"]*HTTP-Redirect"[^>]*\/>/, ''),
      xml.replace(/<md:KeyDescriptor[\s\S]*<\/md:KeyDescriptor>/, ''),
      xml.replace(/entityID="[^"]*"/, ''),
      '<md:EntityDescriptor',
      'not xml at all',
    ];
    for (const text of broken)
      expect(() => parseIdpMetadata(text, 'conn'), text).toThrow(ConfigError);
  });
});
