// @peculiar/x509 (a dependency of @simplewebauthn) needs the decorator metadata polyfill.
import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inflateRawSync } from 'node:zlib';
import * as x509 from '@peculiar/x509';
import { SignedXml } from 'xml-crypto';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

/** A signing key and its self-signed certificate, made at test time. */
export interface IdpKey {
  privateKeyPem: string;
  certPem: string;
  /** Base64 DER, as metadata carries it. */
  certBase64: string;
}

export async function makeIdpKey(name = 'Test IdP'): Promise<IdpKey> {
  const algorithm = {
    name: 'RSASSA-PKCS1-v1_5',
    hash: 'SHA-256',
    publicExponent: new Uint8Array([1, 0, 1]),
    modulusLength: 2048,
  };
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomBytes(8).toString('hex'),
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 86_400_000),
    notAfter: new Date(Date.now() + 86_400_000 * 30),
    signingAlgorithm: algorithm,
    keys: keys as CryptoKeyPair,
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const certBase64 = Buffer.from(cert.rawData).toString('base64');
  return {
    privateKeyPem: `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').replace(/.{64}/g, '$&\n')}\n-----END PRIVATE KEY-----\n`,
    certPem: cert.toString('pem'),
    certBase64,
  };
}

export interface AssertionOptions {
  acsUrl: string;
  audience: string;
  nameId: string;
  inResponseTo?: string | undefined;
  email?: string;
  name?: string;
  groups?: string[];
  issuer?: string;
  destination?: string;
  recipient?: string;
  assertionId?: string;
  notBefore?: Date;
  notOnOrAfter?: Date;
  /** The bearer SubjectConfirmationData's NotOnOrAfter (else `notOnOrAfter`). */
  confirmationNotOnOrAfter?: Date;
}

const iso = (date: Date) => date.toISOString();
const esc = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const SIG_NS = 'http://www.w3.org/2000/09/xmldsig#';

/** A SAML IdP inside the test suite: metadata, a Response builder, xml-crypto signatures. */
export class TestIdp {
  readonly entityId = `https://idp-${randomBytes(4).toString('hex')}.test/metadata`;
  ssoUrl = 'https://idp.test/sso';
  private server: Server | undefined;
  /** Who the listening IdP signs in next (a test may change it between journeys). */
  user: { nameId: string; email?: string } = { nameId: 'nobody@idp.test' };

  constructor(
    readonly key: IdpKey,
    /** Extra certificates in the metadata (a key rollover). */
    readonly extraCerts: string[] = [],
  ) {}

  static async create(): Promise<TestIdp> {
    return new TestIdp(await makeIdpKey());
  }

  metadata(): string {
    const keys = [this.key.certBase64, ...this.extraCerts]
      .map(
        (cert) =>
          `<md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="${SIG_NS}"><ds:X509Data><ds:X509Certificate>${cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>`,
      )
      .join('');
    return `<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="${this.entityId}">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    ${keys}
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="${this.ssoUrl}/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="${this.ssoUrl}"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;
  }

  /** An unsigned Response with one Assertion. */
  response(options: AssertionOptions): string {
    const now = new Date();
    const notBefore = options.notBefore ?? new Date(now.getTime() - 30_000);
    const notOnOrAfter = options.notOnOrAfter ?? new Date(now.getTime() + 300_000);
    const issuer = options.issuer ?? this.entityId;
    const inResponseTo = options.inResponseTo ? ` InResponseTo="${esc(options.inResponseTo)}"` : '';
    const attribute = (name: string, values: string[]) =>
      `<saml:Attribute Name="${name}">${values.map((v) => `<saml:AttributeValue>${esc(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`;
    const attributes = [
      options.email ? attribute('email', [options.email]) : '',
      options.name ? attribute('name', [options.name]) : '',
      options.groups ? attribute('groups', options.groups) : '',
    ].join('');
    return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r${randomBytes(12).toString('hex')}" Version="2.0" IssueInstant="${iso(now)}" Destination="${esc(options.destination ?? options.acsUrl)}"${inResponseTo}><saml:Issuer>${esc(issuer)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status><saml:Assertion ID="${options.assertionId ?? `_a${randomBytes(12).toString('hex')}`}" Version="2.0" IssueInstant="${iso(now)}"><saml:Issuer>${esc(issuer)}</saml:Issuer><saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">${esc(options.nameId)}</saml:NameID><saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${iso(options.confirmationNotOnOrAfter ?? notOnOrAfter)}" Recipient="${esc(options.recipient ?? options.acsUrl)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject><saml:Conditions NotBefore="${iso(notBefore)}" NotOnOrAfter="${iso(notOnOrAfter)}"><saml:AudienceRestriction><saml:Audience>${esc(options.audience)}</saml:Audience></saml:AudienceRestriction></saml:Conditions><saml:AuthnStatement AuthnInstant="${iso(now)}" SessionIndex="_s1"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>${attributes ? `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>` : ''}</saml:Assertion></samlp:Response>`;
  }

  /** Signs the Assertion or the Response (enveloped, exclusive c14n, RSA-SHA256), after its Issuer. */
  sign(xml: string, target: 'Assertion' | 'Response', key: IdpKey = this.key): string {
    const element = `//*[local-name(.)='${target}']`;
    const signer = new SignedXml({
      privateKey: key.privateKeyPem,
      publicCert: key.certPem,
      signatureAlgorithm: 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
      canonicalizationAlgorithm: 'http://www.w3.org/2001/10/xml-exc-c14n#',
    });
    signer.addReference({
      xpath: element,
      digestAlgorithm: 'http://www.w3.org/2001/04/xmlenc#sha256',
      transforms: [
        'http://www.w3.org/2000/09/xmldsig#enveloped-signature',
        'http://www.w3.org/2001/10/xml-exc-c14n#',
      ],
    });
    signer.computeSignature(xml, {
      location: { reference: `${element}/*[local-name(.)='Issuer']`, action: 'after' },
    });
    return signer.getSignedXml();
  }

  /**
   * Plays the IdP's SSO endpoint for a browser: takes the Redirect-binding
   * AuthnRequest, "signs in" `nameId` at once and posts the signed answer back
   * with an auto-submitted form (this page is the IdP's, not Gatehouse's).
   */
  async listen(user: { nameId: string; email?: string }): Promise<void> {
    this.user = user;
    this.server = createServer((request, response) => {
      const options = this.user;
      const url = new URL(request.url ?? '/', 'http://idp');
      const authn = readAuthnRequest(url.searchParams.get('SAMLRequest') ?? '');
      const xml = this.sign(
        this.response({
          acsUrl: authn.acsUrl,
          audience: authn.issuer,
          inResponseTo: authn.id,
          nameId: options.nameId,
          ...(options.email ? { email: options.email } : {}),
        }),
        'Assertion',
      );
      const relay = url.searchParams.get('RelayState') ?? '';
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end(`<!doctype html><html lang="en"><title>Test IdP</title><body><main><h1>Test IdP</h1>
<form method="post" action="${esc(authn.acsUrl)}"><input type="hidden" name="SAMLResponse" value="${Buffer.from(xml).toString('base64')}"><input type="hidden" name="RelayState" value="${esc(relay)}"><button type="submit">Continue</button></form>
<script>document.forms[0].submit()</script></main></body></html>`);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.ssoUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/sso`;
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}

/** The ID, ACS URL and SP entity ID of a Redirect-binding AuthnRequest (base64 of raw DEFLATE). */
export function readAuthnRequest(samlRequest: string): {
  id: string;
  acsUrl: string;
  issuer: string;
} {
  const xml = inflateRawSync(Buffer.from(samlRequest, 'base64')).toString('utf8');
  const id = /\sID="([^"]+)"/.exec(xml)?.[1];
  const acsUrl = /AssertionConsumerServiceURL="([^"]+)"/.exec(xml)?.[1];
  const issuer = /<saml:Issuer[^>]*>([^<]+)<\/saml:Issuer>/.exec(xml)?.[1];
  if (!id || !acsUrl || !issuer) throw new Error(`not an AuthnRequest: ${xml}`);
  return { id, acsUrl, issuer };
}

export const encodeResponse = (xml: string): string => Buffer.from(xml).toString('base64');
