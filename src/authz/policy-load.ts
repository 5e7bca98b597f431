/** Policy loading and validation live in @gatehouse/authz; re-exported for the server's layers. */
export { loadPolicy, parsePolicy } from '@gatehouse/authz';
