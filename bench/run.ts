// `npm run bench`: every benchmark in turn. Each also runs alone: node --import tsx bench/<name>.ts
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const names = (process.argv[2] ?? 'auth,verify,authz,import,instances,scale').split(',');
for (const name of names) {
  const file = new URL(`./${name}.ts`, import.meta.url);
  if (!existsSync(file)) continue;
  const result = spawnSync(process.execPath, ['--import', 'tsx', file.pathname], {
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exitCode = result.status ?? 1;
}
