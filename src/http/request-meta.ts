import type { FastifyRequest } from 'fastify';
import type { RequestMeta } from '../authn/meta.js';

export const requestMeta = (request: FastifyRequest): RequestMeta => ({
  ip: request.ip ?? null,
  userAgent: request.headers['user-agent']?.slice(0, 512) ?? null,
});
