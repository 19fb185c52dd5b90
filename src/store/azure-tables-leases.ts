import type { TableClient, TableEntityResult } from '@azure/data-tables';

import type { Leases } from './port';
import { statusOf } from './table-client';
import { encodeKeyChecked } from './table-keys';

const PARTITION = 'lease';

/**
 * How many read-then-write rounds one acquire makes. A round decides the result unless
 * another writer changed the lease between the read and the write.
 */
const MAX_ACQUIRE_ATTEMPTS = 10;

interface LeaseProperties {
  owner?: unknown;
  expiresAtMs?: unknown;
}

type LeaseEntity = TableEntityResult<LeaseProperties>;

/**
 * Named leases, one entity each with the owner and the expiry in epoch milliseconds. A free
 * lease is taken by creating its entity. An expired lease, or one the same owner has, is
 * taken by replacing the entity on the condition of the ETag just read. So of several
 * processes racing for a lease, exactly one gets it. Expiry is compared with the local clock
 * of the process that calls `acquire`, so instances need synchronized clocks.
 */
export class AzureTablesLeases implements Leases {
  constructor(
    private readonly table: TableClient,
    private readonly assertOpen: () => void,
  ) {}

  async acquire(name: string, owner: string, durationInMs: number): Promise<boolean> {
    this.assertOpen();
    if (!Number.isFinite(durationInMs) || durationInMs <= 0) {
      throw new RangeError(
        `Invalid lease duration ${durationInMs} ms. Pass a positive number of milliseconds.`,
      );
    }
    const rowKey = encodeKeyChecked(name, `lease ${name}`);

    for (let attempt = 1; attempt <= MAX_ACQUIRE_ATTEMPTS; attempt++) {
      const nowInMs = Date.now();
      const entity = {
        partitionKey: PARTITION,
        rowKey,
        owner,
        expiresAtMs: { value: nowInMs + durationInMs, type: 'Double' as const },
      };

      const current = await this.read(rowKey);
      if (current === undefined) {
        if (await this.succeeds(() => this.table.createEntity(entity), 409)) return true;
        continue;
      }

      const heldByOther = current.owner !== owner;
      const expired = typeof current.expiresAtMs !== 'number' || current.expiresAtMs <= nowInMs;
      if (heldByOther && !expired) return false;

      const replace = () => this.table.updateEntity(entity, 'Replace', { etag: current.etag });
      if (await this.succeeds(replace, 412, 404)) return true;
    }

    // Every round lost to another writer, so someone else holds the lease now.
    return false;
  }

  async release(name: string, owner: string): Promise<void> {
    this.assertOpen();
    const rowKey = encodeKeyChecked(name, `lease ${name}`);
    const current = await this.read(rowKey);
    if (current === undefined || current.owner !== owner) return;

    // The ETag condition keeps a lease that another owner took over after expiry.
    await this.succeeds(
      () => this.table.deleteEntity(PARTITION, rowKey, { etag: current.etag }),
      412,
      404,
    );
  }

  private async read(rowKey: string): Promise<LeaseEntity | undefined> {
    try {
      return await this.table.getEntity<LeaseProperties>(PARTITION, rowKey);
    } catch (error) {
      if (statusOf(error) === 404) return undefined;
      throw error;
    }
  }

  /** Runs a conditional write and returns false when it fails with one of `lostStatuses`. */
  private async succeeds(write: () => Promise<unknown>, ...lostStatuses: number[]) {
    try {
      await write();
      return true;
    } catch (error) {
      const status = statusOf(error);
      if (status !== undefined && lostStatuses.includes(status)) return false;
      throw error;
    }
  }
}
