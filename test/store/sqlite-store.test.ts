import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';

import { PreconditionFailedError, type CollectionDefinition } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite-store';
import type { RaceResult, RaceTask } from './race-worker';
import { runStoreContract } from './store-contract';

interface Request {
  state?: string;
  gallery?: string;
}

const REQUESTS: CollectionDefinition<Request> = {
  name: 'requests',
  indexes: { state: (request) => request.state },
};

let directory: string;
const openStores: SqliteStore[] = [];

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'gallery-approvals-store-'));
});

afterEach(async () => {
  await Promise.all(openStores.splice(0).map((store) => store.close()));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function newPath(): string {
  return join(directory, `${randomUUID()}.db`);
}

function openStore(path: string): SqliteStore {
  const store = new SqliteStore({ path });
  openStores.push(store);
  return store;
}

/** Opens the file with a second, raw connection to look at what the store wrote. */
function inspect<T>(path: string, read: (db: Database.Database) => T): T {
  const db = new Database(path);
  try {
    return read(db);
  } finally {
    db.close();
  }
}

describe('SqliteStore contract', () => {
  runStoreContract(async () => new SqliteStore({ path: newPath() }));
});

describe('SqliteStore contract in memory', () => {
  runStoreContract(async () => new SqliteStore({ path: ':memory:' }));
});

describe('SqliteStore schema', () => {
  it('creates folder, schema and wal', () => {
    const path = join(directory, randomUUID(), 'nested', 'store.db');

    openStore(path);

    expect(existsSync(path)).toBe(true);
    inspect(path, (db) => {
      expect(db.pragma('user_version', { simple: true })).toBe(2);
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const tables = db
        .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
        .all()
        .map((row) => row.name);
      expect(tables).toEqual(expect.arrayContaining(['documents', 'audit', 'leases']));
    });
  });

  it('sets a busy timeout', () => {
    const store = openStore(newPath());

    // better-sqlite3 exposes no getter, so read the pragma through the store's own connection.
    const db = (store as unknown as { db: Database.Database }).db;

    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('keeps documents after reopening', async () => {
    const path = newPath();
    const first = openStore(path);
    const created = await first.collection(REQUESTS).create('a', { state: 'pending' });
    await first.close();

    const second = openStore(path);

    await expect(second.collection(REQUESTS).get('a')).resolves.toEqual(created);
  });

  it('rejects a newer schema version', () => {
    const path = newPath();
    openStore(path);
    inspect(path, (db) => db.pragma('user_version = 99'));

    expect(() => openStore(path)).toThrow(/schema is version 99/);
  });

  it('audit rows reject every change', async () => {
    const path = newPath();
    const store = openStore(path);
    await store.audit.append({
      at: '2026-01-01T00:00:00.000Z',
      requestId: 'r1',
      galleryId: 'g1',
      actor: { kind: 'system' },
      action: 'created',
    });

    inspect(path, (db) => {
      expect(() => db.prepare("UPDATE audit SET request_id = 'r2'").run()).toThrow(/append-only/);
      expect(() => db.prepare('DELETE FROM audit').run()).toThrow(/append-only/);
      expect(() =>
        db
          .prepare(
            `INSERT OR REPLACE INTO audit (sequence, request_id, gallery_id, at, record)
             SELECT sequence, 'r1', 'g1', at, '{}' FROM audit`,
          )
          .run(),
      ).toThrow(/append-only/);
    });
    const records = await store.audit.list({ requestId: 'r1' });
    expect(records).toHaveLength(1);
    expect(records[0]?.action).toBe('created');
  });

  it('audit list needs a filter', async () => {
    const store = openStore(newPath());

    await expect(store.audit.list({})).rejects.toThrow(/Pass a requestId or a galleryId/);
  });

  it('index queries use sql indexes', () => {
    const path = newPath();
    openStore(path);

    const plan = inspect(path, (db) =>
      db
        .prepare<[], { detail: string }>(
          `EXPLAIN QUERY PLAN SELECT key, etag, body FROM documents
           WHERE collection = 'requests' AND index_2 = 'pending' ORDER BY key`,
        )
        .all()
        .map((row) => row.detail)
        .join('\n'),
    );

    expect(plan).toMatch(/USING INDEX documents_index_2/);
    expect(plan).not.toMatch(/TEMP B-TREE/);
  });

  it('new index covers older documents', async () => {
    const store = openStore(newPath());
    const created = await store
      .collection(REQUESTS)
      .create('a', { state: 'pending', gallery: 'g' });

    const widened = store.collection<Request>({
      name: 'requests',
      indexes: { gallery: (request) => request.gallery, state: (request) => request.state },
    });

    const byGallery = await widened.query({ gallery: 'g' });
    const byState = await widened.query({ state: 'pending' });
    expect(byGallery).toEqual([created]);
    expect(byState).toEqual([created]);
  });

  it('summary omits large fields', async () => {
    const store = openStore(newPath());
    interface Doc {
      state: string;
      snapshot: string;
      cards: string[];
    }
    const plain = store.collection<Doc>({
      name: 'summaries',
      indexes: { state: (doc) => doc.state },
    });
    const withSummary = store.collection<Doc>({
      name: 'summaries',
      indexes: { state: (doc) => doc.state },
      largeFields: ['snapshot', 'cards'],
    });
    // Written before the collection declared its large fields, so it has no summary.
    await plain.create('old', { state: 'pending', snapshot: 'large', cards: ['c'] });
    await withSummary.create('new', { state: 'pending', snapshot: 'large', cards: ['c'] });
    const created = await withSummary.create('changed', {
      state: 'pending',
      snapshot: 'large',
      cards: [],
    });
    await withSummary.replace(
      'changed',
      { state: 'pending', snapshot: 'x', cards: [] },
      created.etag,
    );

    const exact = await withSummary.query({ state: 'pending' }, { omit: ['cards', 'snapshot'] });
    const fewer = await withSummary.query({ state: 'pending' }, { omit: ['snapshot'] });

    expect(exact.map((stored) => stored.value)).toEqual([
      { state: 'pending' },
      { state: 'pending' },
      { state: 'pending' },
    ]);
    expect(fewer.map((stored) => stored.value)).toEqual([
      { state: 'pending', cards: [] },
      { state: 'pending', cards: ['c'] },
      { state: 'pending', cards: ['c'] },
    ]);
    expect((await withSummary.get('new'))?.value.snapshot).toBe('large');
  });

  it('summary ignored after older writer', async () => {
    const path = newPath();
    const store = openStore(path);
    const documents = store.collection<{ state: string; snapshot: string }>({
      name: 'summaries',
      indexes: { state: (doc) => doc.state },
      largeFields: ['snapshot'],
    });
    await documents.create('a', { state: 'pending', snapshot: 'large' });

    // A process of the release before summaries updates the body and the ETag alone.
    inspect(path, (db) =>
      db
        .prepare("UPDATE documents SET body = ?, etag = '\"older\"' WHERE key = 'a'")
        .run(JSON.stringify({ state: 'pending', snapshot: 'large', note: 'older writer' })),
    );

    const [found] = await documents.query({ state: 'pending' }, { omit: ['snapshot'] });
    expect(found?.value).toEqual({ state: 'pending', note: 'older writer' });
  });

  it('more than three indexes raise', () => {
    const store = openStore(newPath());
    const name = (value: { n: string }) => value.n;

    expect(() =>
      store.collection({ name: 'wide', indexes: { a: name, b: name, c: name, d: name } }),
    ).toThrow(/at most 3/);
  });

  it('rejects invalid lease durations', async () => {
    const store = openStore(newPath());

    await expect(store.leases.acquire('lease', 'owner', 0)).rejects.toThrow(RangeError);
    await expect(store.leases.acquire('lease', 'owner', Number.NaN)).rejects.toThrow(RangeError);
  });

  it('ping fails after close', async () => {
    const store = openStore(newPath());

    await store.close();

    await expect(store.ping()).rejects.toThrow(/not open/);
    await expect(store.close()).resolves.toBeUndefined();
  });
});

describe('SqliteStore sharing one file', () => {
  it('second store sees writes', async () => {
    const path = newPath();
    const first = openStore(path);
    const second = openStore(path);

    const created = await first.collection(REQUESTS).create('a', { state: 'pending' });
    await first.audit.append({
      at: '2026-01-01T00:00:00.000Z',
      requestId: 'r1',
      galleryId: 'g1',
      actor: { kind: 'system' },
      action: 'created',
    });

    await expect(second.collection(REQUESTS).get('a')).resolves.toEqual(created);
    await expect(second.audit.list({ requestId: 'r1' })).resolves.toHaveLength(1);
  });

  it('two stores race on replace', async () => {
    const path = newPath();
    const stores = [openStore(path), openStore(path)];
    const created = await stores[0]!.collection(REQUESTS).create('a', { state: 'pending' });

    const attempts = Array.from({ length: 50 }, (_, i) =>
      stores[i % 2]!.collection(REQUESTS).replace('a', { state: `s${i}` }, created.etag),
    );
    const results = await Promise.allSettled(attempts);

    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(PreconditionFailedError);
      }
    }
  });

  it('two stores race on leases', async () => {
    const path = newPath();
    const stores = [openStore(path), openStore(path)];

    const attempts = Array.from({ length: 50 }, (_, i) =>
      stores[i % 2]!.leases.acquire('share', `owner-${i}`, 60_000),
    );
    const results = await Promise.all(attempts);

    expect(results.filter((acquired) => acquired)).toHaveLength(1);
  });
});

describe('SqliteStore across processes', () => {
  const PROCESSES = 4;
  const ATTEMPTS_PER_PROCESS = 25;

  /** Forks the workers, waits until all opened the file, then starts them together. */
  async function race(path: string, task: RaceTask): Promise<RaceResult[]> {
    const workers = Array.from({ length: PROCESSES }, () =>
      fork(join(__dirname, 'race-worker.ts'), [path], {
        execArgv: ['--import', 'tsx'],
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      }),
    );
    try {
      await Promise.all(workers.map((worker) => nextMessage(worker, 'ready')));
      const results = workers.map((worker) => nextMessage(worker, 'result'));
      workers.forEach((worker) => worker.send(task));
      return (await Promise.all(results)).map((message) => message.result as RaceResult);
    } finally {
      workers.forEach((worker) => worker.kill());
    }
  }

  function nextMessage(
    worker: ChildProcess,
    type: string,
  ): Promise<{ type: string; result?: RaceResult }> {
    return new Promise((resolve, reject) => {
      const onMessage = (message: { type: string; result?: RaceResult }) => {
        if (message.type === type) resolve(message);
      };
      worker.on('message', onMessage);
      worker.once('exit', (code) => reject(new Error(`race-worker exited with ${code}`)));
    });
  }

  function total(results: RaceResult[]) {
    return {
      wins: results.reduce((sum, result) => sum + result.wins, 0),
      losses: results.reduce((sum, result) => sum + result.losses, 0),
      errors: results.flatMap((result) => result.errors),
    };
  }

  it('processes race on replace', async () => {
    const path = newPath();
    const store = openStore(path);
    const created = await store.collection({ name: 'race' }).create('a', { writer: 'parent' });

    const results = await race(path, {
      kind: 'replace',
      collection: 'race',
      key: 'a',
      etag: created.etag,
      attempts: ATTEMPTS_PER_PROCESS,
    });

    const { wins, losses, errors } = total(results);
    expect(errors).toEqual([]);
    expect(wins).toBe(1);
    expect(losses).toBe(PROCESSES * ATTEMPTS_PER_PROCESS - 1);
    const stored = await store.collection<{ writer: string }>({ name: 'race' }).get('a');
    expect(stored?.value.writer).toMatch(/^process-\d+\/\d+$/);
  });

  it('processes race on create', async () => {
    const path = newPath();
    openStore(path);

    const results = await race(path, {
      kind: 'create',
      collection: 'race',
      key: 'a',
      attempts: ATTEMPTS_PER_PROCESS,
    });

    const { wins, errors } = total(results);
    expect(errors).toEqual([]);
    expect(wins).toBe(1);
  });

  it('processes race on a lease', async () => {
    const path = newPath();
    openStore(path);

    const results = await race(path, { kind: 'acquire', lease: 'share', attempts: 1 });

    const { wins, errors } = total(results);
    expect(errors).toEqual([]);
    expect(wins).toBe(1);
  });

  it('processes create a new file', async () => {
    const path = newPath();

    const results = await race(path, { kind: 'acquire', lease: 'share', attempts: 1 });

    expect(total(results).errors).toEqual([]);
    expect(inspect(path, (db) => db.pragma('user_version', { simple: true }))).toBe(2);
  });
});
