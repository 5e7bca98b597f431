// The example app of README "Connect an app": run Gatehouse in one terminal,
// register this app with `gatehouse clients create`, then in another:
//
//   GATEHOUSE_ISSUER=http://localhost:8080 CLIENT_ID=client_… CLIENT_SECRET=… \
//   APP_URL=http://localhost:3001 node --import tsx examples/connect-an-app/main.ts
import { startApp } from './app.js';

function required(name: string): string {
  const value = process.env[name];
  if (!value) {
    process.stderr.write(`example app: set ${name} (see README, "Connect an app")\n`);
    process.exit(2);
  }
  return value;
}

const { url } = await startApp({
  issuer: required('GATEHOUSE_ISSUER'),
  clientId: required('CLIENT_ID'),
  clientSecret: required('CLIENT_SECRET'),
  appUrl: process.env.APP_URL ?? 'http://localhost:3001',
});
process.stdout.write(`example app on ${url}: open ${url}/login\n`);
