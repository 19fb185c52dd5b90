import type { TableClient, TableServiceClientOptions } from '@azure/data-tables';

import { AzureTablesAuditLog } from './azure-tables-audit';
import { AzureTablesCollection, DEFINITIONS_PARTITION } from './azure-tables-collection';
import { AzureTablesLeases } from './azure-tables-leases';
import type { AuditLog, Collection, CollectionDefinition, Leases, Store } from './port';
import { createTableClient, statusOf } from './table-client';

export const DEFAULT_TABLE_NAME_PREFIX = 'GalleryApprovals';

export interface AzureTablesStoreOptions {
  /** `AZURE_STORAGE_CONNECTION_STRING`: an account key or SAS connection string. */
  connectionString: string;
  /**
   * Prefix of the three table names (`<prefix>Documents`, `<prefix>Audit`, `<prefix>Leases`),
   * so that several deployments or test runs can share one storage account.
   */
  tableNamePrefix?: string;
  /** Options for every table client, such as retry options or extra pipeline policies. */
  clientOptions?: TableServiceClientOptions;
}

/** The tables one store uses. */
export interface StoreTables {
  /** Documents of every collection, one partition per collection. */
  documents: TableClient;
  /** The audit trail and its sequence counter, in one partition. */
  audit: TableClient;
  leases: TableClient;
}

const TABLE_NAME = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

/**
 * The storage port on Azure Table Storage through `@azure/data-tables`. Every conditional
 * write is one request with `If-Match` (or a create that fails on an existing key), so the
 * service decides which of several racing writers, in any process, succeeds.
 */
export class AzureTablesStore implements Store {
  readonly audit: AuditLog;
  readonly leases: Leases;
  readonly tableNames: readonly string[];
  private readonly tables: StoreTables;
  /** Index checks already done or running, per collection name and index names. */
  private readonly checkedDefinitions = new Map<string, Promise<void>>();
  private closed = false;

  private constructor(tables: StoreTables) {
    this.tables = tables;
    this.tableNames = [tables.documents.tableName, tables.audit.tableName, tables.leases.tableName];
    this.audit = new AzureTablesAuditLog(tables.audit, () => this.assertOpen());
    this.leases = new AzureTablesLeases(tables.leases, () => this.assertOpen());
  }

  /** Connects to the account and creates the tables when missing. */
  static async open(options: AzureTablesStoreOptions): Promise<AzureTablesStore> {
    const prefix = options.tableNamePrefix ?? DEFAULT_TABLE_NAME_PREFIX;
    const client = (suffix: string) => {
      const tableName = `${prefix}${suffix}`;
      if (!TABLE_NAME.test(tableName)) {
        throw new Error(
          `The table name ${tableName} is invalid: Azure Table Storage needs 3 to 63 letters ` +
            'and digits starting with a letter. Change the table name prefix.',
        );
      }
      return createTableClient(options.connectionString, tableName, options.clientOptions);
    };

    const tables = {
      documents: client('Documents'),
      audit: client('Audit'),
      leases: client('Leases'),
    };
    await Promise.all(Object.values(tables).map((table) => table.createTable()));
    return new AzureTablesStore(tables);
  }

  collection<T>(definition: CollectionDefinition<T>): Collection<T> {
    const collection: AzureTablesCollection<T> = new AzureTablesCollection(
      this.tables.documents,
      definition,
      () => this.ready(collection),
    );
    return collection;
  }

  async ping(): Promise<void> {
    this.assertOpen();
    try {
      await this.tables.documents.getEntity(DEFINITIONS_PARTITION, '!ping');
    } catch (error) {
      // A missing entity proves that the account and the table exist and respond.
      if (statusOf(error) !== 404) throw error;
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  /** Deletes the store's tables and everything in them. For tests and benchmarks. */
  async deleteTables(): Promise<void> {
    await Promise.all(Object.values(this.tables).map((table) => table.deleteTable()));
  }

  /** Checks once per store that the collection's documents carry its declared indexes. */
  private async ready<T>(collection: AzureTablesCollection<T>): Promise<void> {
    this.assertOpen();
    const definitionKey = collection.definitionKey();
    let check = this.checkedDefinitions.get(definitionKey);
    if (check === undefined) {
      check = collection.reindexIfDefinitionChanged();
      this.checkedDefinitions.set(definitionKey, check);
      // A failed check is not remembered, so the next operation tries again.
      check.catch(() => this.checkedDefinitions.delete(definitionKey));
    }
    await check;
  }

  private assertOpen(): void {
    if (this.closed) {
      throw new Error(
        'The Azure Table Storage store is not open because it was closed. Open a new one.',
      );
    }
  }
}
