import { SqliteStore } from '../../src/store/sqlite-store';
import type { PublishRequest } from '../../src/workflow/request';
import { REQUESTS, RequestRepository } from '../../src/workflow/requests';
import { makeImages, makeRequest, makeSnapshot } from '../cards/request-factory';

describe('RequestRepository', () => {
  let store: SqliteStore;
  let requests: RequestRepository;

  beforeEach(async () => {
    store = new SqliteStore({ path: ':memory:' });
    requests = new RequestRepository(store);
    await requests.create(makeRequest({ id: 'r-1', state: 'pending' }));
  });

  afterEach(async () => {
    await store.close();
  });

  describe('listOpen', () => {
    const REQUESTER = makeRequest().requester.aadObjectId;

    it('leaves out the large fields', async () => {
      const [summary] = await requests.listOpen(REQUESTER);

      expect(summary?.id).toBe('r-1');
      expect(summary).not.toHaveProperty('snapshot');
      expect(summary).not.toHaveProperty('findings');
    });

    it('lists open requests newest first', async () => {
      const submitted = (day: number) => `2026-01-${String(day).padStart(2, '0')}T06:05:00Z`;
      await requests.create(makeRequest({ id: 'r-2', state: 'failed', submittedAt: submitted(9) }));
      await requests.create(
        makeRequest({ id: 'r-3', state: 'sharing', submittedAt: submitted(8) }),
      );
      await requests.create(
        makeRequest({ id: 'r-4', state: 'approved', submittedAt: submitted(3) }),
      );
      for (const state of ['draft', 'shared', 'denied', 'cancelled', 'expired'] as const) {
        await requests.create(makeRequest({ id: `r-${state}`, state }));
      }
      const someoneElse = { ...makeRequest().requester, aadObjectId: 'someone-else' };
      await requests.create(
        makeRequest({ id: 'r-other', state: 'pending', requester: someoneElse }),
      );

      const open = await requests.listOpen(REQUESTER);

      // r-1 is pending, submitted on the 7th.
      expect(open.map((summary) => summary.id)).toEqual(['r-2', 'r-3', 'r-1', 'r-4']);
      expect((await requests.listOpen('someone-else')).map((summary) => summary.id)).toEqual([
        'r-other',
      ]);
    });

    it('skips finished requests of older releases', async () => {
      // Until this release every request was indexed by requester, whatever its state.
      const older = store.collection<PublishRequest>({
        ...REQUESTS,
        indexes: { ...REQUESTS.indexes, requester: (request) => request.requester.aadObjectId },
      });
      await older.create('r-old-shared', makeRequest({ id: 'r-old-shared', state: 'shared' }));
      await older.create('r-old-pending', makeRequest({ id: 'r-old-pending', state: 'pending' }));

      const open = await requests.listOpen(REQUESTER);

      expect(open.map((summary) => summary.id).sort()).toEqual(['r-1', 'r-old-pending']);
    });

    it('drops a request once final', async () => {
      await requests.update('r-1', (current) => ({ ...current, state: 'shared' }));

      await expect(requests.listOpen(REQUESTER)).resolves.toEqual([]);
    });

    it('shares one frozen summary per version', async () => {
      const [first] = await requests.listOpen(REQUESTER);
      const [second] = await requests.listOpen(REQUESTER);

      expect(second).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(Object.isFrozen(first?.gallery)).toBe(true);
    });

    it('reads a changed request again', async () => {
      const [before] = await requests.listOpen(REQUESTER);
      await requests.update('r-1', (current) => ({ ...current, justification: 'changed' }));

      const [after] = await requests.listOpen(REQUESTER);

      expect(after).not.toBe(before);
      expect(after?.justification).toBe('changed');
      expect(before?.justification).not.toBe('changed');
    });
  });

  describe('get and find', () => {
    it('shares one frozen request per version', async () => {
      const first = await requests.get('r-1');
      const second = await requests.find('r-1');

      expect(second).toBe(first);
      expect(Object.isFrozen(first.snapshot.images[0])).toBe(true);
    });

    it('rereads a request another instance changed', async () => {
      const before = await requests.get('r-1');
      await new RequestRepository(store).update('r-1', (current) => ({
        ...current,
        justification: 'changed',
      }));

      const after = await requests.get('r-1');

      expect(after).not.toBe(before);
      expect(after.justification).toBe('changed');
    });

    it('hands update a copy of its own', async () => {
      const kept = await requests.get('r-1');

      await requests.update('r-1', (current) => {
        expect(current).not.toBe(kept);
        expect(Object.isFrozen(current)).toBe(false);
        return undefined;
      });
    });

    it('parses a large request on every read', async () => {
      // 100 image definitions make about 100 K characters of JSON, above the 64 K kept.
      const large = makeRequest({
        id: 'r-large',
        snapshot: makeSnapshot({ images: makeImages(100) }),
      });
      await requests.create(large);
      expect(JSON.stringify(large).length).toBeGreaterThan(64 * 1024);

      const first = await requests.get('r-large');
      const second = await requests.get('r-large');

      // Object.is keeps a failure short, because toBe would print the whole request.
      expect(Object.is(second, first)).toBe(false);
      expect(Object.isFrozen(first)).toBe(false);
    });

    it('raises for a request that does not exist', async () => {
      await expect(requests.get('missing')).rejects.toThrow('Request missing was not found.');
      await expect(requests.find('missing')).resolves.toBeUndefined();
    });
  });
});
