/** The compiled policy's types are @gatehouse/authz's; re-exported for the server's layers. */
export type { Decision, PermissionEntry, Policy, ResourceType, Role, Rule } from '@gatehouse/authz';
