import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';

/** What Gatehouse reads from the one assertion whose signature node-saml verified. */
export interface VerifiedAssertion {
  id: string;
  issuer: string;
  /** The NameID's whole text: a comment inside it splits text nodes, so it is read as one (textContent). */
  nameId: string;
  recipients: string[];
  inResponseTo: string | null;
  notOnOrAfterMs: number | null;
  attributes: Map<string, string[]>;
}

const select = xpath.useNamespaces({ saml: 'urn:oasis:names:tc:SAML:2.0:assertion' });

const nodes = (expression: string, node: Node): Node[] => {
  const found = select(expression, node);
  return Array.isArray(found) ? found : [];
};
const value = (node: Node | undefined): string | null =>
  node ? (node.nodeValue ?? node.textContent ?? null) : null;

/** Parses the verified assertion XML (`profile.getAssertionXml()`), never the response it came in. */
export function readVerifiedAssertion(assertionXml: string): VerifiedAssertion {
  const doc = new DOMParser().parseFromString(assertionXml, 'text/xml') as unknown as Node;
  const root = '/saml:Assertion';
  const confirmation = `${root}/saml:Subject/saml:SubjectConfirmation[@Method='urn:oasis:names:tc:SAML:2.0:cm:bearer']/saml:SubjectConfirmationData`;
  const attributes = new Map<string, string[]>();
  for (const attribute of nodes(`${root}/saml:AttributeStatement/saml:Attribute`, doc)) {
    const name = (attribute as Element).getAttribute('Name') ?? '';
    const values = nodes('saml:AttributeValue', attribute).map((v) => (v.textContent ?? '').trim());
    attributes.set(name, [...(attributes.get(name) ?? []), ...values]);
  }
  const notOnOrAfter = value(nodes(`${confirmation}/@NotOnOrAfter`, doc)[0]);
  return {
    id: value(nodes(`${root}/@ID`, doc)[0]) ?? '',
    issuer: (nodes(`${root}/saml:Issuer`, doc)[0]?.textContent ?? '').trim(),
    nameId: (nodes(`${root}/saml:Subject/saml:NameID`, doc)[0]?.textContent ?? '').trim(),
    recipients: nodes(`${confirmation}/@Recipient`, doc).map((n) => value(n) ?? ''),
    inResponseTo: value(nodes(`${confirmation}/@InResponseTo`, doc)[0]),
    notOnOrAfterMs: notOnOrAfter ? Date.parse(notOnOrAfter) : null,
    attributes,
  };
}

/** The root Response's Destination and InResponseTo (unsigned when only the assertion is signed). */
export function readResponseEnvelope(responseXml: string): {
  destination: string | null;
  inResponseTo: string | null;
} {
  const doc = new DOMParser().parseFromString(responseXml, 'text/xml') as unknown as Node;
  return {
    destination: value(nodes("/*[local-name()='Response']/@Destination", doc)[0]),
    inResponseTo: value(nodes("/*[local-name()='Response']/@InResponseTo", doc)[0]),
  };
}
