import { fileURLToPath } from 'node:url';

/** The demo's policy, and the example to copy: examples/policy.yaml. */
export const demoPolicyFile = fileURLToPath(new URL('../policy.yaml', import.meta.url));
