import type { ConversationReference } from 'botbuilder';
import type { Collection, Store } from '../../src/store/port';
import { SqliteStore } from '../../src/store/sqlite-store';
import { ConversationDirectory, type StoredReference } from '../../src/teams/conversations';

const FIFTEEN_MINUTES_MS = 15 * 60_000;

function personalReference(activityId: string): Partial<ConversationReference> {
  return {
    activityId,
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    user: { id: '29:user', name: 'Megan', aadObjectId: 'aad-megan' },
    bot: { id: '28:bot', name: 'Gallery Approvals' },
    conversation: {
      id: 'a:personal-chat',
      conversationType: 'personal',
      isGroup: false,
      name: '',
      tenantId: 'tenant',
    },
  };
}

/** Wraps a store so that the keys of all upserts are recorded, in order. */
function countingStore(store: Store): { store: Store; upserts: string[] } {
  const upserts: string[] = [];
  const counting: Store = {
    audit: store.audit,
    leases: store.leases,
    ping: () => store.ping(),
    close: () => store.close(),
    collection: <T>(definition: { name: string }) => {
      const inner = store.collection<T>(definition);
      const wrapped: Collection<T> = Object.create(inner) as Collection<T>;
      wrapped.upsert = (key, value) => {
        upserts.push(key);
        return inner.upsert(key, value);
      };
      return wrapped;
    },
  };
  return { store: counting, upserts };
}

describe('ConversationDirectory', () => {
  let sqlite: SqliteStore;
  let nowMs: number;

  beforeEach(() => {
    sqlite = new SqliteStore({ path: ':memory:' });
    nowMs = Date.parse('2026-12-04T10:00:00Z');
  });

  afterEach(async () => {
    await sqlite.close();
  });

  it('stores conversation and user keys', async () => {
    const directory = new ConversationDirectory(sqlite, () => nowMs);
    await directory.remember(personalReference('1'), 'aad-megan');

    expect((await directory.forConversation('a:personal-chat'))?.serviceUrl).toBe(
      'https://smba.trafficmanager.net/emea/',
    );
    expect((await directory.forUser('aad-megan'))?.conversation?.id).toBe('a:personal-chat');
  });

  it('stores no incoming activity id', async () => {
    const directory = new ConversationDirectory(sqlite, () => nowMs);
    await directory.remember(personalReference('1'), 'aad-megan');

    const stored = await directory.forConversation('a:personal-chat');
    expect(stored).toBeDefined();
    expect(stored).not.toHaveProperty('activityId');
  });

  it('skips rewriting an unchanged reference', async () => {
    const { store, upserts } = countingStore(sqlite);
    const directory = new ConversationDirectory(store, () => nowMs);

    await directory.remember(personalReference('1'), 'aad-megan');
    await directory.remember(personalReference('2'), 'aad-megan');
    nowMs += FIFTEEN_MINUTES_MS - 1;
    await directory.remember(personalReference('3'), 'aad-megan');

    expect(upserts).toEqual(['conversation:a:personal-chat', 'user:aad-megan']);
  });

  it('rewrites a changed reference', async () => {
    const { store, upserts } = countingStore(sqlite);
    const directory = new ConversationDirectory(store, () => nowMs);

    await directory.remember(personalReference('1'), 'aad-megan');
    const moved = {
      ...personalReference('2'),
      serviceUrl: 'https://smba.trafficmanager.net/amer/',
    };
    await directory.remember(moved, 'aad-megan');

    expect(upserts).toHaveLength(4);
    expect((await directory.forUser('aad-megan'))?.serviceUrl).toBe(
      'https://smba.trafficmanager.net/amer/',
    );
  });

  it('rewrites after fifteen minutes', async () => {
    const { store, upserts } = countingStore(sqlite);
    const directory = new ConversationDirectory(store, () => nowMs);
    const collection = sqlite.collection<StoredReference>({ name: 'conversations' });

    await directory.remember(personalReference('1'), 'aad-megan');
    nowMs += FIFTEEN_MINUTES_MS;
    await directory.remember(personalReference('2'), 'aad-megan');

    expect(upserts).toHaveLength(4);
    const stored = await collection.get('conversation:a:personal-chat');
    expect(stored?.value.updatedAt).toBe('2026-12-04T10:15:00.000Z');
  });

  it('writes the user key once known', async () => {
    const { store, upserts } = countingStore(sqlite);
    const directory = new ConversationDirectory(store, () => nowMs);

    await directory.remember(personalReference('1'));
    await directory.remember(personalReference('2'), 'aad-megan');

    expect(upserts).toEqual(['conversation:a:personal-chat', 'user:aad-megan']);
  });
});
