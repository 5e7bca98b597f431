/** `gatehouse/verify/hono`: the same module as `@gatehouse/verify/hono`, for apps that already depend on gatehouse. */
export * from '@gatehouse/verify/hono';
