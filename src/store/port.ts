/**
 * The storage port. Workflow code sees only these interfaces; the SQLite adapter (default)
 * and the Azure Table Storage adapter implement them with the same guarantees:
 * create-only inserts, ETag-conditional replaces, equality queries on declared index fields,
 * an append-only audit log and expiring leases.
 */

/** A stored document with the ETag of its current version. */
export interface Stored<T> {
  key: string;
  etag: string;
  value: T;
  /**
   * Length of the document's JSON in UTF-16 code units, so that a caller can decide whether to
   * keep the value. Queries that omit fields leave it out.
   */
  size?: number;
}

/** Names a collection and the fields it can be queried by (at most three). */
export interface CollectionDefinition<T> {
  name: string;
  /** Index name to the value it takes from a document; undefined leaves the document out. */
  indexes?: Record<string, (value: T) => string | undefined>;
  /**
   * Top-level fields that lists leave out. A store may also keep each document without them,
   * so that `query` with exactly these fields in `omit` reads less.
   */
  largeFields?: readonly (keyof T & string)[];
}

export interface Collection<T> {
  get(key: string): Promise<Stored<T> | undefined>;
  /** Inserts a new document; raises AlreadyExistsError when the key is taken. */
  create(key: string, value: T): Promise<Stored<T>>;
  /**
   * Replaces a document only if its ETag is still `etag`; raises PreconditionFailedError when
   * another writer got there first, and NotFoundError when the document is gone.
   */
  replace(key: string, value: T, etag: string): Promise<Stored<T>>;
  /** Writes a document whatever its current version (last writer wins). */
  upsert(key: string, value: T): Promise<Stored<T>>;
  /** Deletes a document; with an ETag, only if it is unchanged. Missing keys are ignored. */
  delete(key: string, etag?: string): Promise<void>;
  /**
   * Lists documents whose index values equal every given value, ordered by key. With `omit`,
   * the values leave out those top-level fields, so a list need not parse large fields.
   */
  query<K extends keyof T & string = never>(
    where: Record<string, string>,
    options?: QueryOptions<K>,
  ): Promise<Stored<Omit<T, K>>[]>;
}

export interface QueryOptions<K extends string = never> {
  limit?: number;
  /** Top-level fields to leave out of every value. */
  omit?: readonly K[];
}

/** One entry of the append-only audit trail. */
export interface AuditRecord {
  /** Assigned by the store: increasing within one store. */
  sequence?: number;
  at: string;
  requestId: string;
  galleryId: string;
  actor: { aadObjectId?: string; name?: string; kind: 'user' | 'bot' | 'system' };
  action: string;
  fromState?: string;
  toState?: string;
  eligibleRoles?: string[];
  metadataHash?: string;
  operationId?: string;
  reason?: string;
  details?: Record<string, unknown>;
}

export interface AuditLog {
  append(record: AuditRecord): Promise<void>;
  /** Lists the records of one request or one gallery (resource id, any case), oldest first. */
  list(filter: { requestId?: string; galleryId?: string }): Promise<AuditRecord[]>;
}

export interface Leases {
  /**
   * Takes the named lease for `owner` until `durationInMs` from now, if it is free, expired or
   * already held by `owner`. Returns whether `owner` holds it.
   */
  acquire(name: string, owner: string, durationInMs: number): Promise<boolean>;
  release(name: string, owner: string): Promise<void>;
}

export interface Store {
  collection<T>(definition: CollectionDefinition<T>): Collection<T>;
  audit: AuditLog;
  leases: Leases;
  /** Checks that the store responds; raises when it does not. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    readonly code: 'AlreadyExists' | 'PreconditionFailed' | 'NotFound',
    message: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

export class AlreadyExistsError extends StoreError {
  constructor(collection: string, key: string) {
    super('AlreadyExists', `${collection}/${key} already exists`);
  }
}

export class PreconditionFailedError extends StoreError {
  constructor(collection: string, key: string) {
    super('PreconditionFailed', `${collection}/${key} was changed by another writer`);
  }
}

export class NotFoundError extends StoreError {
  constructor(collection: string, key: string) {
    super('NotFound', `${collection}/${key} does not exist`);
  }
}
