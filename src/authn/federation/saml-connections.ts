import { readFileSync } from 'node:fs';
import type { Policy } from '../../authz/policy-types.js';
import type { Settings } from '../../config/schema.js';
import type { Core } from '../../core.js';
import { AuthError, ConfigError } from '../../errors.js';
import { type IdpMetadata, parseIdpMetadata } from './saml-metadata.js';

export type SamlConnectionSettings = Settings['saml']['connections'][number];

/** A configured connection with its IdP metadata read. */
export interface SamlConnection extends SamlConnectionSettings {
  idp: IdpMetadata;
}

const resolved = new WeakMap<Settings, Map<string, SamlConnection>>();

/** Every connection, its metadata parsed once per settings (a bad file fails at start-up, see checkSamlSettings). */
export function samlConnections(settings: Settings): Map<string, SamlConnection> {
  let connections = resolved.get(settings);
  if (!connections) {
    connections = new Map();
    settings.saml.connections.forEach((connection, index) => {
      const source = `saml.connections[${index}]`;
      const xml = connection.metadataXml ?? readFileSync(connection.metadataFile ?? '', 'utf8');
      connections?.set(connection.id, { ...connection, idp: parseIdpMetadata(xml, source) });
    });
    resolved.set(settings, connections);
  }
  return connections;
}

/**
 * At start-up: every connection's metadata reads, and its groupRoles name
 * roles of the policy (a typo would otherwise surface at someone's sign-in).
 */
export function checkSamlSettings(settings: Settings, policy: Policy): void {
  for (const connection of samlConnections(settings).values()) {
    const roles = Object.values(connection.groupRoles);
    const unknown = roles.find((role) => !policy.roles.has(role));
    if (unknown !== undefined)
      throw new ConfigError(
        `saml.connections.${connection.id}.groupRoles`,
        `the policy defines no role '${unknown}'`,
      );
  }
}

export function samlConnection(core: Core, id: string): SamlConnection {
  const connection = samlConnections(core.settings).get(id);
  if (!connection) throw new AuthError('not_found', 'There is no such SAML connection.');
  return connection;
}
