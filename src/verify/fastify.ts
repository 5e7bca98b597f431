/** `gatehouse/verify/fastify`: the same module as `@gatehouse/verify/fastify`, for apps that already depend on gatehouse. */
export * from '@gatehouse/verify/fastify';
