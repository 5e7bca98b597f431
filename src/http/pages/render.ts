import type { FastifyReply } from 'fastify';
import type { Child } from 'hono/jsx';
import type { Shell } from './shell.js';
import { Layout } from './views/layout.js';

/** Renders a view inside the layout and sends it as the page (escaped by JSX, so text is never markup). */
export async function sendPage(
  reply: FastifyReply,
  shell: Shell,
  page: { title: string; body: Child; status: number },
): Promise<FastifyReply> {
  const html = await Layout({ shell, title: page.title, children: page.body }).toString();
  return reply.code(page.status).type('text/html; charset=utf-8').send(`<!doctype html>\n${html}`);
}

/** After a post (or for a page that moved): 303, so the browser follows with a GET. */
export const sendRedirect = (reply: FastifyReply, to: string): FastifyReply =>
  reply.code(303).header('location', to).send();
