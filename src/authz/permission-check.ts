/** Route-level permissions are decided by @gatehouse/authz; re-exported for the server's layers. */
export { decidePermission, typeLevelResource } from '@gatehouse/authz';
