/**
 * A child process for the cross-process race tests: it opens the SQLite file given as its
 * first argument, reports `ready`, and on a `RaceTask` message runs the writes as fast as it
 * can, then reports a `RaceResult` and exits. Started with `node --import tsx`.
 */
import { AlreadyExistsError, PreconditionFailedError } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite-store';

export type RaceTask =
  | { kind: 'replace'; collection: string; key: string; etag: string; attempts: number }
  | { kind: 'create'; collection: string; key: string; attempts: number }
  | { kind: 'acquire'; lease: string; attempts: number };

export interface RaceResult {
  wins: number;
  losses: number;
  /** Messages of errors other than the expected AlreadyExists and PreconditionFailed. */
  errors: string[];
}

async function runTask(store: SqliteStore, task: RaceTask, writer: string): Promise<RaceResult> {
  const result: RaceResult = { wins: 0, losses: 0, errors: [] };

  for (let attempt = 0; attempt < task.attempts; attempt++) {
    try {
      const won = await attemptOnce(store, task, `${writer}/${attempt}`);
      if (won) result.wins++;
      else result.losses++;
    } catch (err) {
      if (err instanceof PreconditionFailedError || err instanceof AlreadyExistsError) {
        result.losses++;
      } else {
        result.errors.push(err instanceof Error ? err.message : String(err));
      }
    }
  }

  return result;
}

async function attemptOnce(store: SqliteStore, task: RaceTask, writer: string): Promise<boolean> {
  switch (task.kind) {
    case 'replace':
      await store.collection({ name: task.collection }).replace(task.key, { writer }, task.etag);
      return true;
    case 'create':
      await store.collection({ name: task.collection }).create(task.key, { writer });
      return true;
    case 'acquire':
      return store.leases.acquire(task.lease, writer, 60_000);
  }
}

function main(): void {
  const path = process.argv[2];
  const send = process.send?.bind(process);
  if (path === undefined || send === undefined) {
    throw new Error('race-worker needs a database path argument and an IPC channel (fork).');
  }

  const store = new SqliteStore({ path, busyTimeoutInMs: 10_000 });
  const writer = `process-${process.pid}`;
  process.once('message', (task: RaceTask) => {
    void runTask(store, task, writer).then(async (result) => {
      await store.close();
      send({ type: 'result', result }, undefined, undefined, () => process.disconnect());
    });
  });
  send({ type: 'ready' });
}

main();
