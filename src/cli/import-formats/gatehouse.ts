import { rowFromGatehouseLine } from '../../authn/user-import/gatehouse-jsonl.js';
import { jsonLinesSource } from './jsonl.js';
import type { UserSource } from './source.js';

/** `--format jsonl`: Gatehouse's own file (see authn/user-import/gatehouse-jsonl.ts). */
export const gatehouseSource = (file: string): Promise<UserSource> =>
  jsonLinesSource(file, rowFromGatehouseLine);
