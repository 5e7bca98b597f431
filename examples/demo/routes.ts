import type { AnyRoute } from '../../src/http/route.js';
import { documentRoutes } from './routes/docs.js';
import { orderRoutes } from './routes/orders.js';
import { postRoutes } from './routes/posts.js';

/** Every route of the demo app, mounted under /demo through `buildApp`'s `routes` option. */
export const demoRoutes: readonly AnyRoute[] = [...postRoutes, ...documentRoutes, ...orderRoutes];
