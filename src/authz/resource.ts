/** What the engine is asked about; @gatehouse/authz's types, re-exported for the server's layers. */
export type { AclGrant, ResourceInput } from '@gatehouse/authz';
