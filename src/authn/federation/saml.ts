import { randomBytes } from 'node:crypto';
import { SAML, ValidateInResponseTo } from '@node-saml/node-saml';
import type { Core } from '../../core.js';
import { AuthError } from '../../errors.js';
import type { User } from '../../store/repositories/users.js';
import { replaceRoles } from '../admin.js';
import { audit } from '../audit.js';
import type { RequestMeta } from '../meta.js';
import { readResponseEnvelope, readVerifiedAssertion } from './saml-assertion.js';
import { type SamlConnection, samlConnection } from './saml-connections.js';
import { type UpstreamIdentity, upstreamSignIn } from './upstream-sign-in.js';

/** How long an AuthnRequest of ours may be answered. */
const REQUEST_LIFETIME_SECONDS = 600;

/** Our side of a connection: entity ID and ACS URL under the public base URL. */
export function serviceProviderUrls(base: string, connection: SamlConnection) {
  const root = `${base.replace(/\/$/, '')}/auth/saml/${connection.id}`;
  return { entityId: `${root}/metadata`, acsUrl: `${root}/acs` };
}

function client(connection: SamlConnection, base: string, requestId?: string): SAML {
  const sp = serviceProviderUrls(base, connection);
  return new SAML({
    entryPoint: connection.idp.ssoUrl,
    issuer: sp.entityId,
    callbackUrl: sp.acsUrl,
    audience: sp.entityId,
    idpIssuer: connection.idp.entityId,
    idpCert: connection.idp.signingCerts,
    // Either a signed Response or a signed Assertion; node-saml refuses a response with neither.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: connection.clockSkewSeconds * 1000,
    // InResponseTo is checked here, single-use and atomically (see consumeRequest), not by node-saml.
    validateInResponseTo: ValidateInResponseTo.never,
    disableRequestedAuthnContext: true,
    identifierFormat: null,
    generateUniqueId: () => requestId ?? `_${randomBytes(20).toString('hex')}`,
  });
}

const requestKey = (connection: SamlConnection, id: string) =>
  `saml:request:${connection.id}:${id}`;

/** The IdP's SSO URL with a fresh AuthnRequest (Redirect binding); its ID is kept for one answer. */
export async function startSamlLogin(
  core: Core,
  connectionId: string,
  base: string,
  relayState: string,
): Promise<{ url: string; requestId: string; expiresInSeconds: number }> {
  const connection = samlConnection(core, connectionId);
  const requestId = `_${randomBytes(20).toString('hex')}`;
  await core.cache.increment(requestKey(connection, requestId), REQUEST_LIFETIME_SECONDS);
  const url = await client(connection, base, requestId).getAuthorizeUrlAsync(
    relayState,
    undefined,
    {},
  );
  return { url, requestId, expiresInSeconds: REQUEST_LIFETIME_SECONDS };
}

export function samlServiceProviderMetadata(
  core: Core,
  connectionId: string,
  base: string,
): string {
  return client(samlConnection(core, connectionId), base).generateServiceProviderMetadata(
    null,
    null,
  );
}

class SamlRefusal extends Error {}

/** Issued by us and not answered before: the counter goes 1 → 2 exactly once, whoever races. */
async function consumeRequest(core: Core, connection: SamlConnection, id: string): Promise<void> {
  const key = requestKey(connection, id);
  if (!(await core.cache.peek(key)))
    throw new SamlRefusal('InResponseTo was never issued or has expired');
  const { count } = await core.cache.increment(key, REQUEST_LIFETIME_SECONDS);
  if (count !== 2) throw new SamlRefusal('InResponseTo was already answered');
}

/** An assertion ID is accepted once while it is valid (then its NotOnOrAfter refuses it anyway). */
async function refuseReplay(
  core: Core,
  connection: SamlConnection,
  id: string,
  notOnOrAfterMs: number | null,
): Promise<void> {
  const lifetimeMs = (notOnOrAfterMs ?? Date.now() + 3600_000) - Date.now();
  const seconds = Math.max(60, Math.ceil(lifetimeMs / 1000) + connection.clockSkewSeconds);
  const { count } = await core.cache.increment(`saml:assertion:${connection.id}:${id}`, seconds);
  if (count !== 1) throw new SamlRefusal('the assertion was already used');
}

async function verifiedIdentity(
  core: Core,
  connection: SamlConnection,
  base: string,
  samlResponse: string,
  browserRequestId: string | undefined,
): Promise<{ identity: UpstreamIdentity; groups: string[] }> {
  const sp = serviceProviderUrls(base, connection);
  let assertionXml: string;
  let responseXml: string;
  try {
    const { profile } = await client(connection, base).validatePostResponseAsync({
      SAMLResponse: samlResponse,
    });
    assertionXml = profile?.getAssertionXml?.() ?? '';
    responseXml = profile?.getSamlResponseXml?.() ?? '';
  } catch (error) {
    throw new SamlRefusal(error instanceof Error ? error.message : 'invalid response');
  }
  if (!assertionXml) throw new SamlRefusal('no assertion');
  const assertion = readVerifiedAssertion(assertionXml);
  const envelope = readResponseEnvelope(responseXml);
  if (assertion.issuer !== connection.idp.entityId)
    throw new SamlRefusal('the assertion is not issued by this IdP');
  if (envelope.destination !== null && envelope.destination !== sp.acsUrl)
    throw new SamlRefusal('Destination is not this ACS');
  if (assertion.recipients.length === 0 || !assertion.recipients.every((r) => r === sp.acsUrl))
    throw new SamlRefusal('Recipient is not this ACS');
  // node-saml checks the Conditions' window; the bearer confirmation's own is checked here.
  const skewMs = connection.clockSkewSeconds * 1000;
  if (assertion.notOnOrAfterMs === null || Number.isNaN(assertion.notOnOrAfterMs))
    throw new SamlRefusal('the bearer confirmation has no NotOnOrAfter');
  if (Date.now() - skewMs >= assertion.notOnOrAfterMs)
    throw new SamlRefusal('the bearer confirmation has expired');
  if (!assertion.id || !assertion.nameId)
    throw new SamlRefusal('the assertion has no ID or NameID');
  // Only the signed assertion's InResponseTo counts: the envelope may be unsigned, and one
  // added there would pass an unsolicited assertion off as the answer to a request of ours.
  const inResponseTo = assertion.inResponseTo;
  if (envelope.inResponseTo !== null && envelope.inResponseTo !== inResponseTo)
    throw new SamlRefusal('InResponseTo differs between response and assertion');
  // The request was started in this browser: someone else's captured answer posted here
  // (login CSRF, signing the victim in as the attacker) does not match its cookie.
  if (inResponseTo && inResponseTo !== browserRequestId)
    throw new SamlRefusal('InResponseTo is not the request this browser started');
  if (inResponseTo) await consumeRequest(core, connection, inResponseTo);
  else if (!connection.allowIdpInitiated) throw new SamlRefusal('IdP-initiated sign-in is off');
  await refuseReplay(core, connection, assertion.id, assertion.notOnOrAfterMs);
  const mapped = connection.attributes.email
    ? assertion.attributes.get(connection.attributes.email)?.[0]
    : undefined;
  const email = mapped ?? (assertion.nameId.includes('@') ? assertion.nameId : null);
  const domain = email?.slice(email.lastIndexOf('@') + 1).toLowerCase();
  // The IdP vouches for the addresses of the domains it serves, and only those.
  const authoritative = domain !== undefined && connection.emailDomains.includes(domain);
  const identity: UpstreamIdentity = {
    provider: `saml:${connection.id}`,
    subject: assertion.nameId,
    email,
    emailVerified: authoritative,
    authoritativeForEmail: authoritative,
    allowCreate: connection.allowCreate,
    amr: ['fed'],
  };
  const groups = connection.attributes.groups
    ? (assertion.attributes.get(connection.attributes.groups) ?? [])
    : [];
  return { identity, groups };
}

/**
 * The roles the IdP's groups map to (groupRoles) are added to the user's;
 * none is ever taken away here (an admin's change of roles is not undone at each sign-in).
 */
async function grantGroupRoles(
  core: Core,
  connection: SamlConnection,
  user: User,
  groups: string[],
  meta: RequestMeta,
): Promise<User> {
  const mapped = groups.flatMap((group) => connection.groupRoles[group] ?? []);
  const missing = [...new Set(mapped)].filter((role) => !user.roles.includes(role));
  if (missing.length === 0) return user;
  return replaceRoles(core, user.id, [...user.roles, ...missing], { actorId: null }, meta);
}

/**
 * The ACS: a POSTed SAMLResponse that verifies (signature by a metadata
 * certificate, audience, recipient, destination, validity window, our own
 * unanswered request, an unseen assertion) → the user it stands for.
 * Anything else is refused as `upstream_error`, audited with the reason.
 */
export async function finishSamlLogin(
  core: Core,
  connectionId: string,
  base: string,
  samlResponse: string,
  browserRequestId: string | undefined,
  meta: RequestMeta,
): Promise<User> {
  const connection = samlConnection(core, connectionId);
  let verified: { identity: UpstreamIdentity; groups: string[] };
  try {
    verified = await verifiedIdentity(core, connection, base, samlResponse, browserRequestId);
  } catch (error) {
    if (!(error instanceof SamlRefusal)) throw error;
    await audit(
      core,
      {
        type: 'upstream_sign_in',
        outcome: 'failure',
        userId: null,
        detail: { provider: `saml:${connection.id}`, reason: error.message.slice(0, 200) },
      },
      meta,
    );
    throw new AuthError('upstream_error', 'The identity provider’s answer was not accepted.');
  }
  const user = await upstreamSignIn(core, verified.identity, meta);
  return grantGroupRoles(core, connection, user, verified.groups, meta);
}
