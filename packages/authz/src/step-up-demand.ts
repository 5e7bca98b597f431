/** What a denied action demands of the caller's login (RFC 9470), when a fresher or stronger one would be allowed. */
export interface StepUpDemand {
  /** The user must have authenticated within this many seconds. */
  readonly maxAgeSeconds?: number | undefined;
  /** The login must reach at least this level. */
  readonly acr?: 'aal1' | 'aal2' | undefined;
}
