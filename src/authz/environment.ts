/** The decision environment (clock, IP) is @gatehouse/authz's; re-exported for the server's layers. */
export type { DecisionContext } from '@gatehouse/authz';
