import { randomUUID } from 'node:crypto';

import {
  AlreadyExistsError,
  NotFoundError,
  PreconditionFailedError,
  type AuditRecord,
  type CollectionDefinition,
  type Store,
} from '../../src/store/port';

/** Creates a store for one test. The suite closes it after the test. */
export type StoreFactory = () => Promise<Store>;

interface TestDocument {
  title: string;
  state?: string;
  gallery?: string;
}

/** Defines a collection with two indexes and a unique name, so tests can share one store. */
function testCollection(): CollectionDefinition<TestDocument> {
  return {
    name: `contract-${randomUUID()}`,
    indexes: {
      state: (document) => document.state,
      gallery: (document) => document.gallery?.toLowerCase(),
    },
  };
}

function auditRecord(fields: Partial<AuditRecord> & { requestId: string }): AuditRecord {
  return {
    at: new Date().toISOString(),
    galleryId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g',
    actor: { kind: 'system' },
    action: 'created',
    ...fields,
  };
}

function sleep(durationInMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, durationInMs));
}

/**
 * Registers the behaviour every Store adapter must have: create-only inserts, ETag-conditional
 * replaces and deletes, index queries, the append-only audit trail, leases, and exactly one
 * winner among concurrent conditional writes. Call it inside a `describe` of the adapter.
 */
export function runStoreContract(createStore: StoreFactory): void {
  let store: Store;

  beforeEach(async () => {
    store = await createStore();
  });

  afterEach(async () => {
    await store.close();
  });

  describe('documents', () => {
    it('create stores a new document', async () => {
      const documents = store.collection(testCollection());

      const created = await documents.create('a', { title: 'first' });
      const read = await documents.get('a');

      expect(created.key).toBe('a');
      expect(created.value).toEqual({ title: 'first' });
      expect(created.etag).toMatch(/^(W\/)?".+"$/);
      expect(read).toEqual(created);
    });

    it('get reports the length of the stored JSON', async () => {
      const documents = store.collection(testCollection());
      const value = { title: 'ä title with 🚀', state: 'pending' };
      await documents.create('a', value);

      const found = await documents.get('a');

      expect(found?.size).toBe(JSON.stringify(value).length);
    });

    it('get of missing key returns undefined', async () => {
      const documents = store.collection(testCollection());

      await expect(documents.get('missing')).resolves.toBeUndefined();
    });

    it('create rejects an existing key', async () => {
      const documents = store.collection(testCollection());
      const first = await documents.create('a', { title: 'first' });

      const second = documents.create('a', { title: 'second' });

      await expect(second).rejects.toBeInstanceOf(AlreadyExistsError);
      await expect(second).rejects.toMatchObject({ code: 'AlreadyExists' });
      await expect(documents.get('a')).resolves.toEqual(first);
    });

    it('replace with current etag succeeds', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'first' });

      const replaced = await documents.replace('a', { title: 'second' }, created.etag);

      expect(replaced.value).toEqual({ title: 'second' });
      expect(replaced.etag).not.toBe(created.etag);
      await expect(documents.get('a')).resolves.toEqual(replaced);
    });

    it('replace with stale etag fails', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'first' });
      const current = await documents.replace('a', { title: 'second' }, created.etag);

      const stale = documents.replace('a', { title: 'third' }, created.etag);

      await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(stale).rejects.toMatchObject({ code: 'PreconditionFailed' });
      await expect(documents.get('a')).resolves.toEqual(current);
    });

    it('replace of missing key fails', async () => {
      const documents = store.collection(testCollection());

      const replaced = documents.replace('missing', { title: 'x' }, '"anything"');

      await expect(replaced).rejects.toBeInstanceOf(NotFoundError);
      await expect(replaced).rejects.toMatchObject({ code: 'NotFound' });
      await expect(documents.get('missing')).resolves.toBeUndefined();
    });

    it('upsert creates then overwrites', async () => {
      const documents = store.collection(testCollection());

      const created = await documents.upsert('a', { title: 'first' });
      const overwritten = await documents.upsert('a', { title: 'second' });

      expect(created.value).toEqual({ title: 'first' });
      expect(overwritten.value).toEqual({ title: 'second' });
      expect(overwritten.etag).not.toBe(created.etag);
      await expect(documents.get('a')).resolves.toEqual(overwritten);
    });

    it('every write changes the etag', async () => {
      const documents = store.collection(testCollection());
      const etags = new Set<string>();

      let current = await documents.create('a', { title: 'same' });
      etags.add(current.etag);
      for (let i = 0; i < 5; i++) {
        current = await documents.replace('a', { title: 'same' }, current.etag);
        etags.add(current.etag);
      }
      etags.add((await documents.upsert('a', { title: 'same' })).etag);

      expect(etags.size).toBe(7);
    });

    it('delete without etag removes document', async () => {
      const documents = store.collection(testCollection());
      await documents.create('a', { title: 'first' });

      await documents.delete('a');

      await expect(documents.get('a')).resolves.toBeUndefined();
    });

    it('delete with current etag removes document', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'first' });

      await documents.delete('a', created.etag);

      await expect(documents.get('a')).resolves.toBeUndefined();
    });

    it('delete with stale etag fails', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'first' });
      const current = await documents.replace('a', { title: 'second' }, created.etag);

      const deleted = documents.delete('a', created.etag);

      await expect(deleted).rejects.toBeInstanceOf(PreconditionFailedError);
      await expect(documents.get('a')).resolves.toEqual(current);
    });

    it('delete of missing key is ignored', async () => {
      const documents = store.collection(testCollection());

      await expect(documents.delete('missing')).resolves.toBeUndefined();
      await expect(documents.delete('missing', '"anything"')).resolves.toBeUndefined();
    });

    it('collections keep keys apart', async () => {
      const first = store.collection(testCollection());
      const second = store.collection(testCollection());

      await first.create('a', { title: 'in first' });
      await second.create('a', { title: 'in second' });

      expect((await first.get('a'))?.value.title).toBe('in first');
      expect((await second.get('a'))?.value.title).toBe('in second');
    });

    it('keys keep special characters', async () => {
      const documents = store.collection(testCollection());
      const key = '19:abc@thread.tacv2;messageid=1/2?x#y Ünïcode';

      await documents.create(key, { title: 'special' });

      expect((await documents.get(key))?.key).toBe(key);
    });
  });

  describe('queries', () => {
    it('query by state index', async () => {
      const documents = store.collection(testCollection());
      await documents.create('a', { title: 'a', state: 'pending', gallery: 'g1' });
      await documents.create('b', { title: 'b', state: 'shared', gallery: 'g1' });
      await documents.create('c', { title: 'c', state: 'pending', gallery: 'g2' });

      const pending = await documents.query({ state: 'pending' });

      expect(pending.map((stored) => stored.key)).toEqual(['a', 'c']);
      expect(pending[0]?.value).toEqual({ title: 'a', state: 'pending', gallery: 'g1' });
    });

    it('query by gallery index', async () => {
      const documents = store.collection(testCollection());
      await documents.create('a', { title: 'a', state: 'pending', gallery: 'Gallery-1' });
      await documents.create('b', { title: 'b', state: 'shared', gallery: 'gallery-1' });
      await documents.create('c', { title: 'c', state: 'pending', gallery: 'gallery-2' });

      const found = await documents.query({ gallery: 'gallery-1' });

      expect(found.map((stored) => stored.key)).toEqual(['a', 'b']);
    });

    it('query by two indexes', async () => {
      const documents = store.collection(testCollection());
      await documents.create('a', { title: 'a', state: 'pending', gallery: 'g1' });
      await documents.create('b', { title: 'b', state: 'shared', gallery: 'g1' });
      await documents.create('c', { title: 'c', state: 'pending', gallery: 'g2' });

      const found = await documents.query({ state: 'pending', gallery: 'g1' });

      expect(found.map((stored) => stored.key)).toEqual(['a']);
    });

    it('query returns current etags', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'a', state: 'pending' });
      const replaced = await documents.replace('a', { title: 'b', state: 'pending' }, created.etag);

      const [found] = await documents.query({ state: 'pending' });

      expect(found).toEqual(replaced);
    });

    it('document leaves index when undefined', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'a', state: 'pending', gallery: 'g' });

      await documents.replace('a', { title: 'a', gallery: 'g' }, created.etag);

      await expect(documents.query({ state: 'pending' })).resolves.toEqual([]);
      expect(await documents.query({ gallery: 'g' })).toHaveLength(1);
    });

    it('document moves between index values', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'a', state: 'pending' });

      await documents.replace('a', { title: 'a', state: 'shared' }, created.etag);

      await expect(documents.query({ state: 'pending' })).resolves.toEqual([]);
      expect(await documents.query({ state: 'shared' })).toHaveLength(1);
    });

    it('upsert and delete update indexes', async () => {
      const documents = store.collection(testCollection());
      await documents.upsert('a', { title: 'a', state: 'pending' });
      await documents.upsert('b', { title: 'b', state: 'pending' });

      await documents.upsert('a', { title: 'a', state: 'denied' });
      await documents.delete('b');

      await expect(documents.query({ state: 'pending' })).resolves.toEqual([]);
      expect((await documents.query({ state: 'denied' })).map((stored) => stored.key)).toEqual([
        'a',
      ]);
    });

    it('query omits named fields', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', {
        title: 'a',
        state: 'pending',
        gallery: 'g1',
      });

      const found = await documents.query({ state: 'pending' }, { omit: ['title', 'gallery'] });

      expect(found).toEqual([{ key: 'a', etag: created.etag, value: { state: 'pending' } }]);
      expect((await documents.get('a'))?.value.title).toBe('a');
    });

    it('query orders results by key', async () => {
      const documents = store.collection(testCollection());
      for (const key of ['m', 'c', 'x', 'a', 'k']) {
        await documents.create(key, { title: key, state: 'pending' });
      }

      const found = await documents.query({ state: 'pending' });

      expect(found.map((stored) => stored.key)).toEqual(['a', 'c', 'k', 'm', 'x']);
    });

    it('query applies the limit', async () => {
      const documents = store.collection(testCollection());
      for (const key of ['d', 'b', 'c', 'a']) {
        await documents.create(key, { title: key, state: 'pending' });
      }

      const found = await documents.query({ state: 'pending' }, { limit: 2 });

      expect(found.map((stored) => stored.key)).toEqual(['a', 'b']);
    });

    it('empty query lists the collection', async () => {
      const documents = store.collection(testCollection());
      await documents.create('b', { title: 'b' });
      await documents.create('a', { title: 'a', state: 'pending' });

      const found = await documents.query({});

      expect(found.map((stored) => stored.key)).toEqual(['a', 'b']);
    });

    it('query by undeclared index raises', async () => {
      const documents = store.collection(testCollection());

      await expect(documents.query({ requester: 'x' })).rejects.toThrow(/requester/);
    });

    it('query stays within its collection', async () => {
      const first = store.collection(testCollection());
      const second = store.collection(testCollection());
      await first.create('a', { title: 'a', state: 'pending' });
      await second.create('b', { title: 'b', state: 'pending' });

      const found = await first.query({ state: 'pending' });

      expect(found.map((stored) => stored.key)).toEqual(['a']);
    });
  });

  describe('audit', () => {
    it('lists records of one request', async () => {
      const requestId = randomUUID();
      await store.audit.append(auditRecord({ requestId, action: 'submitted' }));
      await store.audit.append(auditRecord({ requestId: randomUUID(), action: 'other' }));
      await store.audit.append(
        auditRecord({
          requestId,
          action: 'approved',
          actor: { kind: 'user', aadObjectId: 'object-id', name: 'Megan' },
          fromState: 'pending',
          toState: 'approved',
          eligibleRoles: ['Owner at /subscriptions/0'],
          metadataHash: 'sha256:abc',
          details: { nested: { value: 1 } },
        }),
      );

      const records = await store.audit.list({ requestId });

      expect(records.map((record) => record.action)).toEqual(['submitted', 'approved']);
      expect(records[1]).toMatchObject({
        requestId,
        actor: { kind: 'user', aadObjectId: 'object-id', name: 'Megan' },
        fromState: 'pending',
        toState: 'approved',
        eligibleRoles: ['Owner at /subscriptions/0'],
        metadataHash: 'sha256:abc',
        details: { nested: { value: 1 } },
      });
    });

    it('lists gallery records ignoring case', async () => {
      const resourceGroup = `/subscriptions/${randomUUID()}/resourceGroups/RG`;
      const galleryId = `${resourceGroup}/providers/Microsoft.Compute/galleries/MyGallery`;
      await store.audit.append(auditRecord({ requestId: randomUUID(), galleryId }));
      await store.audit.append(
        auditRecord({ requestId: randomUUID(), galleryId: galleryId.toLowerCase() }),
      );

      const byUpperCase = await store.audit.list({ galleryId: galleryId.toUpperCase() });
      const byOriginal = await store.audit.list({ galleryId });

      expect(byUpperCase).toHaveLength(2);
      expect(byOriginal).toHaveLength(2);
      expect(byOriginal[0]?.galleryId).toBe(galleryId);
    });

    it('lists records oldest first', async () => {
      const requestId = randomUUID();
      const actions = ['created', 'submitted', 'approved', 'sharing', 'shared'];
      for (const action of actions) {
        await store.audit.append(auditRecord({ requestId, action }));
      }

      const records = await store.audit.list({ requestId });
      const sequences = records.map((record) => record.sequence ?? -1);

      expect(records.map((record) => record.action)).toEqual(actions);
      expect(sequences.every((sequence) => Number.isInteger(sequence))).toBe(true);
      expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
      expect(new Set(sequences).size).toBe(actions.length);
    });

    it('store assigns the sequence', async () => {
      const requestId = randomUUID();
      await store.audit.append(auditRecord({ requestId, sequence: 1_000_000_000 }));
      await store.audit.append(auditRecord({ requestId, sequence: 1 }));

      const [first, second] = await store.audit.list({ requestId });

      expect(first?.sequence).toBeLessThan(second?.sequence ?? -1);
      expect(first?.sequence).not.toBe(1_000_000_000);
    });

    it('unknown request lists nothing', async () => {
      await expect(store.audit.list({ requestId: randomUUID() })).resolves.toEqual([]);
    });
  });

  describe('leases', () => {
    it('acquires a free lease', async () => {
      const name = randomUUID();

      await expect(store.leases.acquire(name, 'owner-1', 60_000)).resolves.toBe(true);
    });

    it('lease held by another fails', async () => {
      const name = randomUUID();
      await store.leases.acquire(name, 'owner-1', 60_000);

      await expect(store.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(false);
    });

    it('owner re-acquires its lease', async () => {
      const name = randomUUID();
      await store.leases.acquire(name, 'owner-1', 60_000);

      await expect(store.leases.acquire(name, 'owner-1', 60_000)).resolves.toBe(true);
      await expect(store.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(false);
    });

    it('renewal extends the expiry', async () => {
      const name = randomUUID();
      await store.leases.acquire(name, 'owner-1', 200);

      await sleep(100);
      await store.leases.acquire(name, 'owner-1', 60_000);
      await sleep(200);

      await expect(store.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(false);
    });

    it('expired lease can be taken', async () => {
      const name = randomUUID();
      await store.leases.acquire(name, 'owner-1', 50);

      await sleep(100);

      await expect(store.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(true);
      await expect(store.leases.acquire(name, 'owner-1', 60_000)).resolves.toBe(false);
    });

    it('release frees the lease', async () => {
      const name = randomUUID();
      await store.leases.acquire(name, 'owner-1', 60_000);

      await store.leases.release(name, 'owner-1');

      await expect(store.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(true);
    });

    it('release by another owner is ignored', async () => {
      const name = randomUUID();
      await store.leases.acquire(name, 'owner-1', 60_000);

      await store.leases.release(name, 'owner-2');

      await expect(store.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(false);
    });

    it('leases with different names coexist', async () => {
      await expect(store.leases.acquire(randomUUID(), 'owner-1', 60_000)).resolves.toBe(true);
      await expect(store.leases.acquire(randomUUID(), 'owner-2', 60_000)).resolves.toBe(true);
    });
  });

  describe('concurrency', () => {
    it('concurrent replaces have one winner', async () => {
      const documents = store.collection(testCollection());
      const created = await documents.create('a', { title: 'start', state: 'pending' });

      const attempts = Array.from({ length: 50 }, (_, i) =>
        documents.replace('a', { title: `writer ${i}`, state: 'approved' }, created.etag),
      );
      const results = await Promise.allSettled(attempts);

      const winners = results.filter((result) => result.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      for (const loser of losers) {
        expect(loser.reason).toBeInstanceOf(PreconditionFailedError);
      }
      const stored = await documents.get('a');
      expect(stored).toEqual(winners[0]?.value);
    });

    it('concurrent creates have one winner', async () => {
      const documents = store.collection(testCollection());

      const attempts = Array.from({ length: 50 }, (_, i) =>
        documents.create('a', { title: `writer ${i}` }),
      );
      const results = await Promise.allSettled(attempts);

      const winners = results.filter((result) => result.status === 'fulfilled');
      const losers = results.filter((result) => result.status === 'rejected');
      expect(winners).toHaveLength(1);
      for (const loser of losers) {
        expect(loser.reason).toBeInstanceOf(AlreadyExistsError);
      }
    });

    it('concurrent acquires have one holder', async () => {
      const name = randomUUID();

      const attempts = Array.from({ length: 50 }, (_, i) =>
        store.leases.acquire(name, `owner-${i}`, 60_000),
      );
      const results = await Promise.all(attempts);

      expect(results.filter((acquired) => acquired)).toHaveLength(1);
    });
  });

  describe('health', () => {
    it('ping succeeds when open', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}
