import { createServer } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { toNodeHandler } from '../../src/http/embed/node-handler.js';
import { problemFor } from '../../src/http/embed/problem-for.js';
import { embedSuite } from '../helpers/embed-suite.js';

embedSuite('Express', (gatehouse) => {
  const app = express();
  app.use(toNodeHandler(gatehouse));
  app.use(express.json());
  app.get('/api/hello', (_req, res) => {
    res.type('text/plain').send('hello from the app');
  });
  app.post('/api/echo', (req, res) => {
    res.json(req.body);
  });
  app.get('/api/whoami', async (req, res) => {
    const principal = await gatehouse.getSession(req);
    if (!principal) {
      res.status(401).json({ error: 'sign in' });
      return;
    }
    res.json({ principal });
  });
  app.post('/api/notes', async (req, res) => {
    const principal = await gatehouse.getSession(req);
    if (!principal) {
      res.status(401).json({ error: 'sign in' });
      return;
    }
    res.status(201).json({ by: principal.userId, text: (req.body as { text: string }).text });
  });
  app.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    const problem = problemFor(error);
    if (!problem) {
      next(error);
      return;
    }
    res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
  });
  return createServer(app);
});
