import { SqliteStore } from '../../src/store/sqlite-store';
import { RequestRepository } from '../../src/workflow/requests';
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

  describe('listSummaries', () => {
    it('leaves out the large fields', async () => {
      const [summary] = await requests.listSummaries({ state: 'pending' });

      expect(summary?.id).toBe('r-1');
      expect(summary).not.toHaveProperty('snapshot');
      expect(summary).not.toHaveProperty('findings');
    });

    it('shares one frozen summary per version', async () => {
      const [first] = await requests.listSummaries({ state: 'pending' });
      const [second] = await requests.listSummaries({ state: 'pending' });

      expect(second).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(Object.isFrozen(first?.gallery)).toBe(true);
    });

    it('reads a changed request again', async () => {
      const [before] = await requests.listSummaries({ state: 'pending' });
      await requests.update('r-1', (current) => ({ ...current, justification: 'changed' }));

      const [after] = await requests.listSummaries({ state: 'pending' });

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
