/** The engine's decision function lives in @gatehouse/authz; the server's layers import it from here. */
export { type Decision, decide, type TraceStep } from '@gatehouse/authz';
