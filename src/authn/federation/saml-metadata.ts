import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { ConfigError } from '../../errors.js';

/** What Gatehouse needs from an IdP's metadata to trust its responses. */
export interface IdpMetadata {
  entityId: string;
  /** SingleSignOnService with the HTTP-Redirect binding. */
  ssoUrl: string;
  /** Base64 DER of every signing certificate: more than one while the IdP rolls its key over. */
  signingCerts: string[];
}

const REDIRECT_BINDING = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const select = xpath.useNamespaces({
  md: 'urn:oasis:names:tc:SAML:2.0:metadata',
  ds: 'http://www.w3.org/2000/09/xmldsig#',
});

function texts(expression: string, node: Node): string[] {
  const found = select(expression, node);
  if (!Array.isArray(found)) return [];
  return found.map((n) => (n.nodeValue ?? n.textContent ?? '').replace(/\s+/g, '')).filter(Boolean);
}

/** Reads an IdP's EntityDescriptor; a metadata file without what we need is a configuration error. */
export function parseIdpMetadata(xml: string, source: string): IdpMetadata {
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      error: (message: string) => problems.push(message),
      fatalError: (message: string) => problems.push(message),
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length > 0 || !doc.documentElement)
    throw new ConfigError(source, `the IdP metadata is not XML (${problems[0] ?? 'empty'})`);
  const root = doc as unknown as Node;
  const entityId = texts('/md:EntityDescriptor/@entityID', root)[0];
  const sso = texts(
    `/md:EntityDescriptor/md:IDPSSODescriptor/md:SingleSignOnService[@Binding='${REDIRECT_BINDING}']/@Location`,
    root,
  )[0];
  // A KeyDescriptor without `use` serves for signing and encryption alike.
  const certs = texts(
    "/md:EntityDescriptor/md:IDPSSODescriptor/md:KeyDescriptor[not(@use) or @use='signing']/ds:KeyInfo/ds:X509Data/ds:X509Certificate/text()",
    root,
  );
  if (!entityId) throw new ConfigError(source, `the IdP metadata has no EntityDescriptor entityID`);
  if (!sso || !/^https?:\/\//.test(sso))
    throw new ConfigError(source, `the IdP metadata has no HTTP-Redirect SingleSignOnService`);
  if (certs.length === 0)
    throw new ConfigError(source, `the IdP metadata has no signing certificate`);
  return { entityId, ssoUrl: sso, signingCerts: [...new Set(certs)] };
}
