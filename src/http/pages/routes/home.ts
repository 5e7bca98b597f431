import { definePage, redirect } from '../page.js';

export const homePages = [
  definePage({
    method: 'GET',
    url: '/',
    access: 'public',
    handler: async ({ principal }) => redirect(principal ? '/account' : '/login'),
  }),
];
