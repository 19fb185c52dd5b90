import { randomBytes } from 'node:crypto';

import type { TableClient, TableEntityResult, TransactionAction } from '@azure/data-tables';

import type { AuditLog, AuditRecord } from './port';
import { decodeBody, encodeBody, type EntityProperties } from './table-body';
import { jitter, odataString, statusOf } from './table-client';

/** The one partition that contains the sequence counter and every record. */
const PARTITION = 'audit';
/** RowKey of the counter entity. Record RowKeys contain digits only, so they never clash. */
const COUNTER_ROW_KEY = 'sequence';
/** Record RowKeys are zero-padded, so RowKey order is sequence order. */
const SEQUENCE_DIGITS = 16;

/**
 * How often an append retries after losing the counter to another writer. Each round has a
 * winner, so this bounds the number of writers that can append at the same moment.
 */
export const MAX_APPEND_ATTEMPTS = 200;
/** Upper bound of the random wait before a retry, in milliseconds. */
const MAX_RETRY_DELAY_IN_MS = 20;

/**
 * The audit trail. Each append is one entity group transaction on the audit partition. It
 * replaces the counter entity on the condition of the ETag read just before (or creates it),
 * and inserts the record with the next sequence as RowKey. Table Storage applies both or
 * neither, so sequences are unique, gap-free and increasing across every process. The insert
 * fails on an existing RowKey, so an append never overwrites a record, and the store has no
 * operation that changes one. Unlike SQLite's triggers, nothing stops another client with
 * write access to the table from changing records.
 */
export class AzureTablesAuditLog implements AuditLog {
  constructor(
    private readonly table: TableClient,
    private readonly assertOpen: () => void,
  ) {}

  async append(record: AuditRecord): Promise<void> {
    this.assertOpen();
    // The store assigns the sequence, so a caller's value is not kept.
    const fields: AuditRecord = { ...record };
    delete fields.sequence;
    const json = JSON.stringify(fields);
    const properties: EntityProperties = {
      requestId: record.requestId,
      galleryKey: record.galleryId.toLowerCase(),
      // Identifies this append, to recognize it after a lost response.
      appendId: randomBytes(12).toString('base64url'),
    };

    for (let attempt = 1; ; attempt++) {
      const counter = await this.readCounter();
      const sequence = counter.value + 1;
      const rowKey = String(sequence).padStart(SEQUENCE_DIGITS, '0');
      const subject = `audit record ${sequence} of request ${record.requestId}`;
      const recordEntity = {
        partitionKey: PARTITION,
        rowKey,
        ...properties,
        ...encodeBody(PARTITION, rowKey, properties, json, subject),
      };
      const counterEntity = {
        partitionKey: PARTITION,
        rowKey: COUNTER_ROW_KEY,
        value: { value: sequence, type: 'Double' as const },
      };
      const counterAction: TransactionAction =
        counter.etag === undefined
          ? ['create', counterEntity]
          : ['update', counterEntity, 'Replace', { etag: counter.etag }];

      try {
        await this.table.submitTransaction([counterAction, ['create', recordEntity]]);
        return;
      } catch (error) {
        const lostRace = statusOf(error) === 412 || statusOf(error) === 409;
        if (!lostRace) throw error;
        // The SDK resends a transaction whose response was lost, and if the first attempt
        // committed, the resend fails on the counter. The record then carries this appendId.
        if (await this.isCommitted(rowKey, properties.appendId)) return;
        if (attempt >= MAX_APPEND_ATTEMPTS) throw error;
      }
      await jitter(MAX_RETRY_DELAY_IN_MS);
    }
  }

  async list(filter: { requestId?: string; galleryId?: string }): Promise<AuditRecord[]> {
    this.assertOpen();
    const conditions = [`PartitionKey eq ${odataString(PARTITION)}`];
    if (filter.requestId !== undefined) {
      conditions.push(`requestId eq ${odataString(filter.requestId)}`);
    }
    if (filter.galleryId !== undefined) {
      conditions.push(`galleryKey eq ${odataString(filter.galleryId.toLowerCase())}`);
    }
    if (conditions.length === 1) {
      throw new Error('The audit list filter is empty. Pass a requestId or a galleryId.');
    }

    const records: AuditRecord[] = [];
    const entities = this.table.listEntities<Record<string, unknown>>({
      queryOptions: { filter: conditions.join(' and ') },
    });
    for await (const entity of entities) {
      const sequence = Number(entity.rowKey);
      const json = decodeBody(entity, `audit record ${sequence}`);
      records.push({ ...(JSON.parse(json) as AuditRecord), sequence });
    }
    return records.sort((a, b) => (a.sequence ?? 0) - (b.sequence ?? 0));
  }

  private async isCommitted(rowKey: string, appendId: unknown): Promise<boolean> {
    try {
      const entity = await this.table.getEntity<{ appendId?: unknown }>(PARTITION, rowKey);
      return entity.appendId === appendId;
    } catch (error) {
      if (statusOf(error) === 404) return false;
      throw error;
    }
  }

  private async readCounter(): Promise<{ value: number; etag?: string }> {
    let entity: TableEntityResult<{ value?: unknown }>;
    try {
      entity = await this.table.getEntity<{ value?: unknown }>(PARTITION, COUNTER_ROW_KEY);
    } catch (error) {
      if (statusOf(error) === 404) return { value: 0 };
      throw error;
    }

    if (typeof entity.value !== 'number' || !Number.isSafeInteger(entity.value)) {
      throw new Error(
        `The audit sequence counter in table ${this.table.tableName} contains ` +
          `${JSON.stringify(entity.value)}, not an integer. Restore it to the highest ` +
          'sequence in the table.',
      );
    }
    return { value: entity.value, etag: entity.etag };
  }
}
