/** `gatehouse/verify`: the same module as `@gatehouse/verify`, for apps that already depend on gatehouse. */
export * from '@gatehouse/verify';
