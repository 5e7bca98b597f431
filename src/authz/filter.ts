/** List filtering (a policy → one condition) is @gatehouse/authz's; the SQL side is filter-kysely.ts. */
export { filter } from '@gatehouse/authz';
