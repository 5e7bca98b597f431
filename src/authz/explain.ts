/** Explanations come from @gatehouse/authz; re-exported for the server's layers. */
export { type Explanation, explain } from '@gatehouse/authz';
