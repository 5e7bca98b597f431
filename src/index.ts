/**
 * Gatehouse as a library: build the core an app embeds, serve it, add routes
 * behind the same guards, and decide with the same policy engine. Resource
 * servers that only verify tokens import `gatehouse/verify` instead.
 */

export { type PurgeCounts, purgeExpired } from './authn/purge.js';
export {
  type AclGrant,
  type Decision,
  type DecisionContext,
  decide,
  type Explanation,
  explain,
  type FilterCondition,
  filter,
  loadPolicy,
  type Policy,
  parsePolicy,
  type ResourceInput,
  toKyselyWhere,
} from './authz/index.js';
export type { Clock } from './clock.js';
export { loadSettings } from './config/load.js';
export type { Settings, SettingsInput } from './config/schema.js';
export { type Core, type CoreOptions, createCore } from './core.js';
export {
  AuthError,
  ConfigError,
  type ErrorCode,
  isAuthError,
  PolicyError,
  RateLimitedError,
  WeakPasswordError,
} from './errors.js';
export { requireAccess, requirePermission } from './http/access.js';
export { type AppOptions, buildApp } from './http/app.js';
export { type FetchHandlerOptions, toFetchHandler } from './http/embed/fetch-handler.js';
export type { SessionRequest } from './http/embed/get-session.js';
export { type NodeHandler, toNodeHandler } from './http/embed/node-handler.js';
export { problemFor } from './http/embed/problem-for.js';
export { type Problem, problemCatalog } from './http/problem.js';
export { type Access, type AnyRoute, defineRoute, type RouteContext } from './http/route.js';
export type { CredentialKind, Principal } from './principal.js';
export { createGatehouse, type Gatehouse, type RunningServer, startServer } from './server.js';
export { migrateToLatest, type VersionedMigration } from './store/migrate.js';
export {
  WEBHOOK_EVENTS,
  type WebhookEvent,
  type WebhookEventData,
  type WebhookEventType,
} from './webhooks/events.js';
export type { EventHook, EventHooks, EventHooksOption } from './webhooks/hooks.js';
