import { SqliteStore } from '../../src/store/sqlite-store';
import { RequestRepository } from '../../src/workflow/requests';
import { makeRequest } from '../cards/request-factory';

describe('RequestRepository.listSummaries', () => {
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
