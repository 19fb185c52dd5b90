import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

import Database from 'better-sqlite3';

import {
  AlreadyExistsError,
  NotFoundError,
  PreconditionFailedError,
  type AuditLog,
  type AuditRecord,
  type Collection,
  type CollectionDefinition,
  type Leases,
  type QueryOptions,
  type Store,
  type Stored,
} from './port';

export const DEFAULT_SQLITE_PATH = '.data/gallery-approvals.db';

/** A collection can declare at most this many indexes, one SQL column each. */
export const MAX_INDEXES = 3;

export interface SqliteStoreOptions {
  /** Database file, created with its folder when missing, or `:memory:` for a private database. */
  path?: string;
  /** How long a write waits for another connection's lock before it raises SQLITE_BUSY. */
  busyTimeoutInMs?: number;
}

const INDEX_COLUMNS = ['index_1', 'index_2', 'index_3'] as const;

/**
 * Schema migrations in order. `PRAGMA user_version` records how many have run. Append new steps
 * and never edit a released one, because databases that already ran it will not run it again.
 *
 * `documents` is a rowid table on purpose: with WITHOUT ROWID and no ANALYZE statistics,
 * SQLite 3.51 scans the primary key of the whole collection instead of using an index column.
 *
 * The audit triggers reject UPDATE, DELETE, and INSERT OR REPLACE (which deletes the old row
 * without firing DELETE triggers while recursive_triggers is off). They do not stop a
 * connection that drops the triggers or the table.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE documents (
    collection TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    body TEXT NOT NULL,
    index_1 TEXT,
    index_2 TEXT,
    index_3 TEXT,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (collection, key)
  );
  CREATE INDEX documents_index_1 ON documents (collection, index_1, key) WHERE index_1 IS NOT NULL;
  CREATE INDEX documents_index_2 ON documents (collection, index_2, key) WHERE index_2 IS NOT NULL;
  CREATE INDEX documents_index_3 ON documents (collection, index_3, key) WHERE index_3 IS NOT NULL;

  CREATE TABLE collections (
    name TEXT PRIMARY KEY,
    index_names TEXT NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE audit (
    sequence INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id TEXT NOT NULL,
    gallery_id TEXT NOT NULL COLLATE NOCASE,
    at TEXT NOT NULL,
    record TEXT NOT NULL
  );
  CREATE INDEX audit_request_id ON audit (request_id, sequence);
  CREATE INDEX audit_gallery_id ON audit (gallery_id, sequence);
  CREATE TRIGGER audit_reject_update BEFORE UPDATE ON audit
  BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only and cannot be updated');
  END;
  CREATE TRIGGER audit_reject_delete BEFORE DELETE ON audit
  BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only and cannot be deleted');
  END;
  CREATE TRIGGER audit_reject_replace BEFORE INSERT ON audit
  WHEN EXISTS (SELECT 1 FROM audit WHERE sequence = NEW.sequence)
  BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only and cannot be replaced');
  END;

  CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    expires_at_ms INTEGER NOT NULL
  ) WITHOUT ROWID;
  `,
  `
  ALTER TABLE documents ADD COLUMN summary TEXT;
  ALTER TABLE documents ADD COLUMN summary_omits TEXT;
  ALTER TABLE documents ADD COLUMN summary_etag TEXT;
  `,
];

/** Page cache of each connection in KiB, SQLite's own default. */
const PAGE_CACHE_KIB = 2000;

/**
 * The storage port on a SQLite file through better-sqlite3. Several processes can share one
 * file: WAL mode lets readers run beside the single writer, the busy timeout makes writers
 * wait for each other, and every conditional write is one SQL statement, so exactly one of
 * two racing writers succeeds.
 */
export class SqliteStore implements Store {
  readonly path: string;
  readonly audit: AuditLog;
  readonly leases: Leases;
  private readonly db: Database.Database;
  private readonly statements: DocumentStatements;

  constructor(options: SqliteStoreOptions = {}) {
    this.path = options.path ?? DEFAULT_SQLITE_PATH;
    if (this.path !== ':memory:') {
      mkdirSync(dirname(this.path), { recursive: true });
    }

    this.db = new Database(this.path, { timeout: options.busyTimeoutInMs ?? 5000 });
    try {
      this.db.pragma('journal_mode = WAL');
      // better-sqlite3 12 builds SQLite with a 16 MB page cache per connection
      // (SQLITE_DEFAULT_CACHE_SIZE in its defines.gypi), which a long-running bot fills and
      // keeps. SQLite's own default of 2 MB leaves further reads to the OS file cache.
      this.db.pragma(`cache_size = -${PAGE_CACHE_KIB}`);
      migrate(this.db);
    } catch (err) {
      this.db.close();
      throw err;
    }

    this.statements = prepareDocumentStatements(this.db);
    this.audit = new SqliteAuditLog(this.db);
    this.leases = new SqliteLeases(this.db);
  }

  collection<T>(definition: CollectionDefinition<T>): Collection<T> {
    return new SqliteCollection(this.db, this.statements, definition);
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}

function migrate(db: Database.Database): void {
  // An immediate transaction takes the write lock before reading the version, so two
  // processes that open a new file together run each migration once.
  const run = db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new Error(
        `The database schema is version ${version}, newer than this program's ` +
          `${MIGRATIONS.length}. Run a newer version of the bot or use another STORAGE file.`,
      );
    }
    MIGRATIONS.slice(version).forEach((sql) => db.exec(sql));
    db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  run.immediate();
}

function newEtag(): string {
  return `"${randomBytes(12).toString('base64url')}"`;
}

interface DocumentRow {
  key: string;
  etag: string;
  body: string;
}

interface DocumentParameters {
  collection: string;
  key: string;
  etag: string;
  body: string;
  /** The body without the collection's large fields, or null when it declares none. */
  summary: string | null;
  /** JSON array of the fields that `summary` leaves out. */
  summaryOmits: string | null;
  index1: string | null;
  index2: string | null;
  index3: string | null;
  updatedAt: string;
}

interface KeyParameters {
  collection: string;
  key: string;
}

/** Statements shared by every collection. Each one takes the collection name as a parameter. */
function prepareDocumentStatements(db: Database.Database) {
  return {
    get: db.prepare<[KeyParameters], DocumentRow>(
      'SELECT key, etag, body FROM documents WHERE collection = @collection AND key = @key',
    ),
    exists: db.prepare<[KeyParameters], 1>(
      'SELECT 1 FROM documents WHERE collection = @collection AND key = @key',
    ),
    insert: db.prepare<[DocumentParameters]>(
      `INSERT INTO documents (collection, key, etag, body, summary, summary_omits, summary_etag,
         index_1, index_2, index_3, updated_at)
       VALUES (@collection, @key, @etag, @body, @summary, @summaryOmits, @etag,
         @index1, @index2, @index3, @updatedAt)
       ON CONFLICT (collection, key) DO NOTHING`,
    ),
    replace: db.prepare<[DocumentParameters & { ifMatch: string }]>(
      `UPDATE documents
       SET etag = @etag, body = @body, summary = @summary, summary_omits = @summaryOmits,
         summary_etag = @etag, index_1 = @index1, index_2 = @index2, index_3 = @index3, updated_at = @updatedAt
       WHERE collection = @collection AND key = @key AND etag = @ifMatch`,
    ),
    upsert: db.prepare<[DocumentParameters]>(
      `INSERT INTO documents (collection, key, etag, body, summary, summary_omits, summary_etag,
         index_1, index_2, index_3, updated_at)
       VALUES (@collection, @key, @etag, @body, @summary, @summaryOmits, @etag,
         @index1, @index2, @index3, @updatedAt)
       ON CONFLICT (collection, key) DO UPDATE SET
         etag = excluded.etag, body = excluded.body, summary = excluded.summary,
         summary_omits = excluded.summary_omits, summary_etag = excluded.summary_etag,
         index_1 = excluded.index_1,
         index_2 = excluded.index_2, index_3 = excluded.index_3, updated_at = excluded.updated_at`,
    ),
    delete: db.prepare<[KeyParameters]>(
      'DELETE FROM documents WHERE collection = @collection AND key = @key',
    ),
    deleteIfMatch: db.prepare<[KeyParameters & { ifMatch: string }]>(
      'DELETE FROM documents WHERE collection = @collection AND key = @key AND etag = @ifMatch',
    ),
    listAll: db.prepare<[string], DocumentRow>(
      'SELECT key, etag, body FROM documents WHERE collection = ?',
    ),
    setIndexValues: db.prepare<
      [Omit<DocumentParameters, 'etag' | 'body' | 'summary' | 'summaryOmits' | 'updatedAt'>]
    >(
      `UPDATE documents SET index_1 = @index1, index_2 = @index2, index_3 = @index3
       WHERE collection = @collection AND key = @key`,
    ),
    getIndexNames: db.prepare<[string], { index_names: string }>(
      'SELECT index_names FROM collections WHERE name = ?',
    ),
    setIndexNames: db.prepare<[string, string]>(
      `INSERT INTO collections (name, index_names) VALUES (?, ?)
       ON CONFLICT (name) DO UPDATE SET index_names = excluded.index_names`,
    ),
  };
}

type DocumentStatements = ReturnType<typeof prepareDocumentStatements>;

class SqliteCollection<T> implements Collection<T> {
  private readonly name: string;
  private readonly indexNames: string[];
  private readonly indexes: ((value: T) => string | undefined)[];
  private readonly largeFields: string[];
  /** JSON of `largeFields`, as stored in `summary_omits`, or null when there are none. */
  private readonly summaryOmits: string | null;
  private readonly queryStatements = new Map<
    string,
    Database.Statement<(string | number)[], DocumentRow>
  >();

  constructor(
    private readonly db: Database.Database,
    private readonly statements: DocumentStatements,
    definition: CollectionDefinition<T>,
  ) {
    this.name = definition.name;
    this.largeFields = [...(definition.largeFields ?? [])].sort();
    this.summaryOmits = this.largeFields.length > 0 ? JSON.stringify(this.largeFields) : null;
    this.indexNames = Object.keys(definition.indexes ?? {});
    this.indexes = Object.values(definition.indexes ?? {});
    if (this.indexNames.length > MAX_INDEXES) {
      throw new Error(
        `Collection ${this.name} declares ${this.indexNames.length} indexes ` +
          `(${this.indexNames.join(', ')}), but the store supports at most ${MAX_INDEXES}. ` +
          'Remove the extra indexes from its definition.',
      );
    }

    this.reindexIfDefinitionChanged();
  }

  async get(key: string): Promise<Stored<T> | undefined> {
    const row = this.statements.get.get({ collection: this.name, key });
    return row && this.toStored(row);
  }

  async create(key: string, value: T): Promise<Stored<T>> {
    const parameters = this.documentParameters(key, value);
    const result = this.statements.insert.run(parameters);
    if (result.changes === 0) throw new AlreadyExistsError(this.name, key);

    return this.toStored(parameters);
  }

  async replace(key: string, value: T, etag: string): Promise<Stored<T>> {
    const parameters = this.documentParameters(key, value);
    const result = this.statements.replace.run({ ...parameters, ifMatch: etag });
    if (result.changes === 0) {
      // The write has already failed, so this read only chooses which error to raise.
      if (this.exists(key)) throw new PreconditionFailedError(this.name, key);
      throw new NotFoundError(this.name, key);
    }

    return this.toStored(parameters);
  }

  async upsert(key: string, value: T): Promise<Stored<T>> {
    const parameters = this.documentParameters(key, value);
    this.statements.upsert.run(parameters);

    return this.toStored(parameters);
  }

  async delete(key: string, etag?: string): Promise<void> {
    if (etag === undefined) {
      this.statements.delete.run({ collection: this.name, key });
      return;
    }

    const result = this.statements.deleteIfMatch.run({ collection: this.name, key, ifMatch: etag });
    if (result.changes === 0 && this.exists(key)) {
      throw new PreconditionFailedError(this.name, key);
    }
  }

  async query<K extends keyof T & string = never>(
    where: Record<string, string>,
    options: QueryOptions<K> = {},
  ): Promise<Stored<Omit<T, K>>[]> {
    const body = this.bodyColumn(options.omit ?? []);
    const parameters: (string | number)[] = [...body.parameters];

    const conditions = ['collection = ?'];
    parameters.push(this.name);
    for (const [indexName, value] of Object.entries(where)) {
      conditions.push(`${this.columnOf(indexName)} = ?`);
      parameters.push(value);
    }

    const whereClause = conditions.join(' AND ');
    let sql = `SELECT key, etag, ${body.sql} FROM documents WHERE ${whereClause} ORDER BY key`;
    if (options.limit !== undefined) {
      sql += ' LIMIT ?';
      parameters.push(options.limit);
    }

    const rows = this.prepareQuery(sql).all(...parameters);
    const whole = body.sql === 'body';
    return rows.map((row) => this.toStored(row, whole));
  }

  /**
   * Returns the SQL that selects the body without the omitted fields, which SQLite drops so
   * that they are never parsed here. The stored summary serves when it leaves out exactly these
   * fields and has the row's current ETag. A process of an older release updates the body
   * alone, and then json_remove serves, with each path a bound parameter that quotes the field.
   */
  private bodyColumn(omit: readonly string[]): { sql: string; parameters: string[] } {
    if (omit.length === 0) return { sql: 'body', parameters: [] };

    const omitted = [...omit].sort();
    const paths = omitted.map((field) => `$.${JSON.stringify(field)}`);
    const removal = `json_remove(body${', ?'.repeat(paths.length)})`;
    const omittedJson = JSON.stringify(omitted);
    if (omittedJson !== this.summaryOmits) return { sql: `${removal} AS body`, parameters: paths };

    return {
      sql:
        'CASE WHEN summary_omits = ? AND summary_etag = etag THEN summary ' +
        `ELSE ${removal} END AS body`,
      parameters: [omittedJson, ...paths],
    };
  }

  /**
   * Returns the prepared statement of a query, preparing it on first use. The SQL text varies
   * only with the index names, the omitted fields and whether a limit is set, so the map stays
   * small.
   */
  private prepareQuery(sql: string): Database.Statement<(string | number)[], DocumentRow> {
    let statement = this.queryStatements.get(sql);
    if (!statement) {
      statement = this.db.prepare<(string | number)[], DocumentRow>(sql);
      this.queryStatements.set(sql, statement);
    }
    return statement;
  }

  private columnOf(indexName: string): string {
    const column = INDEX_COLUMNS[this.indexNames.indexOf(indexName)];
    if (column === undefined) {
      const declared = this.indexNames.join(', ') || 'none';
      throw new Error(
        `Collection ${this.name} has no index named ${indexName} (declared: ${declared}).`,
      );
    }
    return column;
  }

  /** Serializes a document for writing, with a new ETag, its summary and its index values. */
  private documentParameters(key: string, value: T): DocumentParameters {
    let summary: string | null = null;
    if (this.summaryOmits !== null) {
      const summaryValue = { ...value } as Record<string, unknown>;
      for (const field of this.largeFields) delete summaryValue[field];
      summary = JSON.stringify(summaryValue);
    }
    return {
      collection: this.name,
      key,
      etag: newEtag(),
      body: JSON.stringify(value),
      summary,
      summaryOmits: this.summaryOmits,
      ...this.indexParameters(value),
      updatedAt: new Date().toISOString(),
    };
  }

  private indexParameters(value: T): Pick<DocumentParameters, 'index1' | 'index2' | 'index3'> {
    const [index1, index2, index3] = this.indexes.map((indexOf) => indexOf(value) ?? null);
    return { index1: index1 ?? null, index2: index2 ?? null, index3: index3 ?? null };
  }

  private exists(key: string): boolean {
    return this.statements.exists.get({ collection: this.name, key }) !== undefined;
  }

  /**
   * Returns the document with its body parsed on first use of `value`, so callers always get a
   * copy as `get` would return it, and writers that ignore the value do not parse it. `whole` is
   * false when a query left fields out of the body, which then has no `size`.
   */
  private toStored(row: { key: string; etag: string; body: string }, whole = true): Stored<T> {
    let value: T | undefined;
    return {
      key: row.key,
      etag: row.etag,
      get value(): T {
        value ??= JSON.parse(row.body) as T;
        return value;
      },
      ...(whole ? { size: row.body.length } : {}),
    };
  }

  /**
   * Recomputes the index columns of every document when the declared index names differ from
   * those the documents were written with, so that an index added in a new release also
   * finds older documents. ETags stay, because the documents themselves do not change.
   */
  private reindexIfDefinitionChanged(): void {
    const indexNames = JSON.stringify(this.indexNames);
    const isCurrent = () =>
      this.statements.getIndexNames.get(this.name)?.index_names === indexNames;
    if (isCurrent()) return;

    const reindex = this.db.transaction(() => {
      if (isCurrent()) return;

      for (const row of this.statements.listAll.all(this.name)) {
        const indexParameters = this.indexParameters(JSON.parse(row.body) as T);
        this.statements.setIndexValues.run({
          collection: this.name,
          key: row.key,
          ...indexParameters,
        });
      }
      this.statements.setIndexNames.run(this.name, indexNames);
    });
    reindex.immediate();
  }
}

interface AuditRow {
  sequence: number;
  record: string;
}

/** The audit trail. SQL triggers reject UPDATE, DELETE and INSERT OR REPLACE on its table. */
class SqliteAuditLog implements AuditLog {
  private readonly insert: Database.Statement<[string, string, string, string]>;

  constructor(private readonly db: Database.Database) {
    this.insert = db.prepare(
      'INSERT INTO audit (request_id, gallery_id, at, record) VALUES (?, ?, ?, ?)',
    );
  }

  async append(record: AuditRecord): Promise<void> {
    // The store assigns the sequence, so a caller's value is not kept.
    const fields: AuditRecord = { ...record };
    delete fields.sequence;
    this.insert.run(record.requestId, record.galleryId, record.at, JSON.stringify(fields));
  }

  async list(filter: { requestId?: string; galleryId?: string }): Promise<AuditRecord[]> {
    const conditions: string[] = [];
    const parameters: string[] = [];
    if (filter.requestId !== undefined) {
      conditions.push('request_id = ?');
      parameters.push(filter.requestId);
    }
    if (filter.galleryId !== undefined) {
      // The column is declared COLLATE NOCASE, so this comparison ignores ASCII case.
      conditions.push('gallery_id = ?');
      parameters.push(filter.galleryId);
    }
    if (conditions.length === 0) {
      throw new Error('The audit list filter is empty. Pass a requestId or a galleryId.');
    }

    const whereClause = conditions.join(' AND ');
    const sql = `SELECT sequence, record FROM audit WHERE ${whereClause} ORDER BY sequence`;
    const rows = this.db.prepare<string[], AuditRow>(sql).all(...parameters);
    return rows.map((row) => ({
      ...(JSON.parse(row.record) as AuditRecord),
      sequence: row.sequence,
    }));
  }
}

interface AcquireParameters {
  name: string;
  owner: string;
  expiresAtMs: number;
  nowInMs: number;
}

/** Named leases. An expiry time in epoch milliseconds makes an abandoned lease free again. */
class SqliteLeases implements Leases {
  private readonly upsert: Database.Statement<[AcquireParameters]>;
  private readonly delete: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    // One statement inserts a free lease, or takes over one that expired or that the same
    // owner already holds. A lease that someone else holds stays as it is (0 changes).
    this.upsert = db.prepare(
      `INSERT INTO leases (name, owner, expires_at_ms) VALUES (@name, @owner, @expiresAtMs)
       ON CONFLICT (name) DO UPDATE
       SET owner = excluded.owner, expires_at_ms = excluded.expires_at_ms
       WHERE leases.owner = excluded.owner OR leases.expires_at_ms <= @nowInMs`,
    );
    this.delete = db.prepare('DELETE FROM leases WHERE name = ? AND owner = ?');
  }

  async acquire(name: string, owner: string, durationInMs: number): Promise<boolean> {
    if (!Number.isFinite(durationInMs) || durationInMs <= 0) {
      throw new RangeError(
        `Invalid lease duration ${durationInMs} ms. Pass a positive number of milliseconds.`,
      );
    }

    const nowInMs = Date.now();
    const result = this.upsert.run({ name, owner, expiresAtMs: nowInMs + durationInMs, nowInMs });
    return result.changes === 1;
  }

  async release(name: string, owner: string): Promise<void> {
    this.delete.run(name, owner);
  }
}
