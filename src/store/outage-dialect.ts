import type {
  CompiledQuery,
  DatabaseConnection,
  Driver,
  Dialect as KyselyDialect,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import { UnavailableError } from '../errors.js';

export interface OutageHooks {
  /** Tells an unreachable database from any other failure. */
  isOutage(error: unknown): boolean;
  onOutage(error: unknown): void;
  /** A query came back: the database is there. */
  onAnswer(): void;
  /** Any failure, counted for the metrics: an outage is `unavailable`. */
  onError?(kind: 'unavailable' | 'other'): void;
}

/** Connections handed out and not yet released, and callers still waiting for one (the metrics' pool gauges). */
export interface ConnectionUsage {
  held: number;
  acquiring: number;
}

type Guard = <T>(work: () => Promise<T>) => Promise<T>;

const guarded =
  (hooks: OutageHooks): Guard =>
  async (work) => {
    try {
      return await work();
    } catch (error) {
      const outage = hooks.isOutage(error);
      hooks.onError?.(outage ? 'unavailable' : 'other');
      if (!outage) throw error;
      hooks.onOutage(error);
      throw new UnavailableError('database', { cause: error });
    }
  };

class GuardedConnection implements DatabaseConnection {
  constructor(
    readonly inner: DatabaseConnection,
    private readonly guard: Guard,
    private readonly onAnswer: () => void,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return this.guard(async () => {
      const result = await this.inner.executeQuery<R>(query);
      this.onAnswer();
      return result;
    });
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** The inner driver gets back the connection it handed out (it may call its own methods on it). */
const unwrap = (connection: DatabaseConnection) =>
  connection instanceof GuardedConnection ? connection.inner : connection;

class GuardedDriver implements Driver {
  constructor(
    private readonly inner: Driver,
    private readonly guard: Guard,
    private readonly onAnswer: () => void,
    private readonly usage: ConnectionUsage,
  ) {}

  /** One wrapper per pooled connection, so Kysely sees the same connection each time. */
  private readonly wrappers = new WeakMap<DatabaseConnection, GuardedConnection>();

  init = () => this.guard(() => this.inner.init());
  acquireConnection = () =>
    this.guard(async () => {
      this.usage.acquiring += 1;
      let connection: DatabaseConnection;
      try {
        connection = await this.inner.acquireConnection();
      } finally {
        this.usage.acquiring -= 1;
      }
      this.usage.held += 1;
      let wrapper = this.wrappers.get(connection);
      if (!wrapper) {
        wrapper = new GuardedConnection(connection, this.guard, this.onAnswer);
        this.wrappers.set(connection, wrapper);
      }
      return wrapper;
    });
  beginTransaction = (connection: DatabaseConnection, settings: TransactionSettings) =>
    this.guard(() => this.inner.beginTransaction(unwrap(connection), settings));
  commitTransaction = (connection: DatabaseConnection) =>
    this.guard(() => this.inner.commitTransaction(unwrap(connection)));
  rollbackTransaction = (connection: DatabaseConnection) =>
    this.guard(() => this.inner.rollbackTransaction(unwrap(connection)));
  releaseConnection = (connection: DatabaseConnection) => {
    this.usage.held -= 1;
    return this.inner.releaseConnection(unwrap(connection));
  };
  destroy = () => this.inner.destroy();

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']) {
    return this.guard(async () => this.inner.savepoint?.(unwrap(connection), name, compile));
  }
  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    return this.guard(async () =>
      this.inner.rollbackToSavepoint?.(unwrap(connection), name, compile),
    );
  }
  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ) {
    return this.guard(async () => this.inner.releaseSavepoint?.(unwrap(connection), name, compile));
  }
}

/**
 * Wraps a Kysely dialect so that every query, connection and transaction step
 * that fails because the database is unreachable throws UnavailableError
 * (503 at the HTTP edge), whichever repository ran it; other errors pass as they are.
 */
export function withOutageErrors(
  dialect: KyselyDialect,
  hooks: OutageHooks,
  usage: ConnectionUsage = { held: 0, acquiring: 0 },
): KyselyDialect {
  const guard = guarded(hooks);
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new GuardedDriver(dialect.createDriver(), guard, hooks.onAnswer, usage),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: () => dialect.createQueryCompiler(),
  };
}
