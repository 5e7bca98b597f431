/** Which policy a server runs: the configured file, or the built-in default. */
import { fileURLToPath } from 'node:url';
import { loadPolicy, type Policy } from '@gatehouse/authz';

/** The built-in policy: role `admin` holds `users:manage` and `audit:read`, nothing else is allowed. */
export const defaultPolicyFile = fileURLToPath(
  new URL('../../assets/default-policy.yaml', import.meta.url),
);

/** Loads `policyFile` (or the default); a bad file throws PolicyError naming file and line. */
export const loadConfiguredPolicy = (settings: {
  policyFile?: string | undefined;
}): Promise<Policy> => loadPolicy(settings.policyFile ?? defaultPolicyFile);
