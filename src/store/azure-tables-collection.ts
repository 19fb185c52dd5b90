import { randomBytes } from 'node:crypto';

import type { TableClient, TableEntityResult } from '@azure/data-tables';

import {
  AlreadyExistsError,
  NotFoundError,
  PreconditionFailedError,
  type Collection,
  type CollectionDefinition,
  type QueryOptions,
  type Stored,
} from './port';
import {
  DocumentTooLargeError,
  decodeBody,
  encodeBody,
  pickBodyProperties,
  type EntityProperties,
} from './table-body';
import { isTableEtag, odataString, serviceCodeOf, statusOf } from './table-client';
import { compareKeys, decodeKey, encodeKeyChecked } from './table-keys';

/** A collection can declare at most this many indexes, as in the SQLite adapter. */
export const MAX_INDEXES = 3;

/**
 * Partition of the documents table that records each collection's index names. Encoded
 * collection names never start with `!c`, because `encodeKey` writes `!` only before two hex
 * digits, so this partition cannot collide with a collection's.
 */
export const DEFINITIONS_PARTITION = '!collections';

const INDEX_PROPERTY_PREFIX = 'index_';
/** Property with a random id per write, to recognize a write whose response was lost. */
const WRITE_ID = 'writeId';
const INDEX_NAME = /^[A-Za-z0-9_]{1,100}$/;

type Entity = TableEntityResult<Record<string, unknown>>;

/**
 * One collection: a partition of the documents table whose PartitionKey is the encoded
 * collection name and whose RowKeys are the encoded document keys. Index values are string
 * properties `index_<name>`, left out when the index function returns undefined.
 */
export class AzureTablesCollection<T> implements Collection<T> {
  private readonly name: string;
  private readonly partitionKey: string;
  private readonly indexNames: string[];
  private readonly indexes: ((value: T) => string | undefined)[];

  constructor(
    private readonly table: TableClient,
    definition: CollectionDefinition<T>,
    private readonly ready: () => Promise<void>,
  ) {
    this.name = definition.name;
    this.partitionKey = encodeKeyChecked(definition.name, `collection ${definition.name}`);
    this.indexNames = Object.keys(definition.indexes ?? {});
    this.indexes = Object.values(definition.indexes ?? {});
    if (this.indexNames.length > MAX_INDEXES) {
      throw new Error(
        `Collection ${this.name} declares ${this.indexNames.length} indexes ` +
          `(${this.indexNames.join(', ')}), but the store supports at most ${MAX_INDEXES}. ` +
          'Remove the extra indexes from its definition.',
      );
    }
    const invalid = this.indexNames.find((indexName) => !INDEX_NAME.test(indexName));
    if (invalid !== undefined) {
      throw new Error(
        `Collection ${this.name} declares the index name "${invalid}", which cannot be an ` +
          'Azure Table Storage property name. Use letters, digits and underscores only.',
      );
    }
  }

  async get(key: string): Promise<Stored<T> | undefined> {
    await this.ready();
    const entity = await this.read(key);
    return entity && this.toStored(entity);
  }

  async create(key: string, value: T): Promise<Stored<T>> {
    await this.ready();
    const { entity, json, writeId } = this.toEntity(key, value);
    try {
      const response = await this.table.createEntity(entity);
      return this.written(key, response.etag, json);
    } catch (error) {
      if (statusOf(error) !== 409) throw this.translate(error, key);

      const own = await this.readOwnWrite(key, writeId);
      if (own) return this.written(key, own.etag, json);
      throw new AlreadyExistsError(this.name, key);
    }
  }

  async replace(key: string, value: T, etag: string): Promise<Stored<T>> {
    await this.ready();
    const { entity, json, writeId } = this.toEntity(key, value);
    if (!isTableEtag(etag)) {
      // No entity ever has this ETag, so the write would fail. This read only chooses the error.
      if (await this.read(key)) throw new PreconditionFailedError(this.name, key);
      throw new NotFoundError(this.name, key);
    }

    try {
      const response = await this.table.updateEntity(entity, 'Replace', { etag });
      return this.written(key, response.etag, json);
    } catch (error) {
      if (statusOf(error) === 404) throw new NotFoundError(this.name, key);
      if (statusOf(error) !== 412) throw this.translate(error, key);

      const own = await this.readOwnWrite(key, writeId);
      if (own) return this.written(key, own.etag, json);
      throw new PreconditionFailedError(this.name, key);
    }
  }

  async upsert(key: string, value: T): Promise<Stored<T>> {
    await this.ready();
    const { entity, json } = this.toEntity(key, value);
    try {
      const response = await this.table.upsertEntity(entity, 'Replace');
      return this.written(key, response.etag, json);
    } catch (error) {
      throw this.translate(error, key);
    }
  }

  async delete(key: string, etag?: string): Promise<void> {
    await this.ready();
    const rowKey = this.rowKey(key);
    if (etag !== undefined && !isTableEtag(etag)) {
      if (await this.read(key)) throw new PreconditionFailedError(this.name, key);
      return;
    }

    try {
      await this.table.deleteEntity(this.partitionKey, rowKey, { etag: etag ?? '*' });
    } catch (error) {
      if (statusOf(error) === 404) return;
      if (statusOf(error) === 412) throw new PreconditionFailedError(this.name, key);
      throw error;
    }
  }

  /**
   * Lists matching documents. Table Storage indexes only PartitionKey and RowKey, so the
   * service scans the collection's partition for the index values. Results are sorted here
   * by decoded key, because escaped characters change the order of the stored RowKeys.
   */
  async query<K extends keyof T & string = never>(
    where: Record<string, string>,
    options: QueryOptions<K> = {},
  ): Promise<Stored<Omit<T, K>>[]> {
    const conditions = [`PartitionKey eq ${odataString(this.partitionKey)}`];
    for (const [indexName, value] of Object.entries(where)) {
      conditions.push(`${this.propertyOf(indexName)} eq ${odataString(value)}`);
    }
    await this.ready();

    // NOTE: a limit is applied after reading every match, for the reason above.
    const found = await this.list(conditions.join(' and '));
    const sorted = found.map((entity) => this.toStored(entity));
    sorted.sort((a, b) => compareKeys(a.key, b.key));
    const limited = options.limit === undefined ? sorted : sorted.slice(0, options.limit);

    // The body is one JSON document, so omitted fields are parsed and then dropped.
    const omit = options.omit ?? [];
    if (omit.length === 0) return limited;
    for (const stored of limited) {
      for (const field of omit) delete stored.value[field];
      delete stored.size;
    }
    return limited;
  }

  /** Identifies this collection's definition, for the store's once-per-definition check. */
  definitionKey(): string {
    return JSON.stringify([this.name, this.indexNames]);
  }

  /**
   * Rewrites the index properties of every document when the declared index names differ
   * from those recorded for the collection, so that an index added in a new release also
   * finds older documents. Each rewrite is conditional on the document's ETag and is skipped
   * when another writer changed the document first. The rewrite changes the ETags of the
   * documents it touches, unlike the SQLite adapter's.
   */
  async reindexIfDefinitionChanged(): Promise<void> {
    const definitionRowKey = this.partitionKey;
    const indexNames = JSON.stringify([...this.indexNames].sort());
    const recorded = await this.readEntity(DEFINITIONS_PARTITION, definitionRowKey);
    if (recorded?.indexNames === indexNames) return;

    const documents = await this.list(`PartitionKey eq ${odataString(this.partitionKey)}`);
    for (const document of documents) {
      await this.rewriteIndexes(document);
    }
    await this.table.upsertEntity(
      { partitionKey: DEFINITIONS_PARTITION, rowKey: definitionRowKey, indexNames },
      'Replace',
    );
  }

  private async rewriteIndexes(document: Entity): Promise<void> {
    const rowKey = rowKeyOf(document);
    const key = decodeKey(rowKey);
    const value = JSON.parse(decodeBody(document, this.describe(key))) as T;
    const expected = this.indexProperties(value);
    const current = Object.keys(document).filter((name) => name.startsWith(INDEX_PROPERTY_PREFIX));
    const unchanged =
      current.length === Object.keys(expected).length &&
      current.every((name) => document[name] === expected[name]);
    if (unchanged) return;

    const entity = {
      partitionKey: this.partitionKey,
      rowKey,
      ...pickBodyProperties(document),
      ...expected,
    };
    try {
      await this.table.updateEntity(entity, 'Replace', { etag: document.etag });
    } catch (error) {
      // A writer that changed or deleted the document in between wrote its own index values.
      if (statusOf(error) !== 412 && statusOf(error) !== 404) throw error;
    }
  }

  /**
   * Returns the stored entity if it carries `writeId`. The SDK resends a request whose
   * response was lost, and when the first attempt did commit, the resend fails with 409 or
   * 412 although the write took effect. Reading the write id tells the two cases apart.
   */
  private async readOwnWrite(key: string, writeId: string): Promise<Entity | undefined> {
    const current = await this.read(key);
    return current?.[WRITE_ID] === writeId ? current : undefined;
  }

  private async read(key: string): Promise<Entity | undefined> {
    return this.readEntity(this.partitionKey, this.rowKey(key));
  }

  private async readEntity(partitionKey: string, rowKey: string): Promise<Entity | undefined> {
    try {
      return await this.table.getEntity(partitionKey, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  private async list(filter: string): Promise<Entity[]> {
    const entities: Entity[] = [];
    for await (const entity of this.table.listEntities({ queryOptions: { filter } })) {
      entities.push(entity);
    }
    return entities;
  }

  private toEntity(key: string, value: T) {
    const rowKey = this.rowKey(key);
    const json = JSON.stringify(value);
    const writeId = randomBytes(12).toString('base64url');
    const properties = { ...this.indexProperties(value), [WRITE_ID]: writeId };
    const body = encodeBody(this.partitionKey, rowKey, properties, json, this.describe(key));
    const entity = { partitionKey: this.partitionKey, rowKey, ...properties, ...body };
    return { entity, json, writeId };
  }

  private indexProperties(value: T): EntityProperties {
    const properties: EntityProperties = {};
    this.indexes.forEach((indexOf, position) => {
      const indexValue = indexOf(value);
      if (indexValue !== undefined) {
        properties[`${INDEX_PROPERTY_PREFIX}${this.indexNames[position]}`] = indexValue;
      }
    });
    return properties;
  }

  private propertyOf(indexName: string): string {
    if (!this.indexNames.includes(indexName)) {
      const declared = this.indexNames.join(', ') || 'none';
      throw new Error(
        `Collection ${this.name} has no index named ${indexName} (declared: ${declared}).`,
      );
    }
    return `${INDEX_PROPERTY_PREFIX}${indexName}`;
  }

  private rowKey(key: string): string {
    return encodeKeyChecked(key, this.describe(key));
  }

  private describe(key: string): string {
    return `${this.name}/${key}`;
  }

  /** Returns what was written, parsed from its JSON so callers get a copy as `get` would. */
  private written(key: string, etag: string | undefined, json: string): Stored<T> {
    if (etag === undefined) {
      throw new Error(`Azure Table Storage returned no ETag for ${this.describe(key)}.`);
    }
    return { key, etag, value: JSON.parse(json) as T, size: json.length };
  }

  private toStored(entity: Entity): Stored<T> {
    const key = decodeKey(rowKeyOf(entity));
    const json = decodeBody(entity, this.describe(key));
    return { key, etag: entity.etag, value: JSON.parse(json) as T, size: json.length };
  }

  /** Reports a size rejection by the service as DocumentTooLargeError and passes others on. */
  private translate(error: unknown, key: string): unknown {
    const code = serviceCodeOf(error);
    if (code === 'EntityTooLarge' || code === 'PropertyValueTooLarge') {
      return new DocumentTooLargeError(this.describe(key), `the service rejected it (${code})`);
    }
    return error;
  }
}

function rowKeyOf(entity: Entity): string {
  if (entity.rowKey === undefined) {
    throw new Error('Azure Table Storage returned an entity without its RowKey.');
  }
  return entity.rowKey;
}
