/** `gatehouse/verify/express`: the same module as `@gatehouse/verify/express`, for apps that already depend on gatehouse. */
export * from '@gatehouse/verify/express';
