import { randomBytes, randomUUID } from 'node:crypto';

import { RestError, type PipelinePolicy, type PipelineRequest } from '@azure/core-rest-pipeline';
import type { TableClient } from '@azure/data-tables';

import { openStore } from '../../src/store/open-store';
import { AzureTablesStore, type AzureTablesStoreOptions } from '../../src/store/azure-tables-store';
import {
  AlreadyExistsError,
  PreconditionFailedError,
  type AuditRecord,
  type CollectionDefinition,
} from '../../src/store/port';
import {
  DocumentTooLargeError,
  MAX_STRING_PROPERTY_LENGTH,
  decodeBody,
  encodeBody,
  estimateEntitySize,
} from '../../src/store/table-body';
import { createTableClient } from '../../src/store/table-client';
import { compareKeys, decodeKey, encodeKey } from '../../src/store/table-keys';
import { makeImages, makeRequest, makeSnapshot } from '../cards/request-factory';
import { isLoopbackTableEndpoint, useAzurite, type Azurite } from '../support/azurite';
import { runStoreContract } from './store-contract';

interface Request {
  state?: string;
  gallery?: string;
  payload?: string;
}

const REQUESTS: CollectionDefinition<Request> = {
  name: 'requests',
  indexes: { state: (request) => request.state },
};

/** Table name prefix of this test file, so runs that share one Azurite stay apart. */
const PREFIX = `test${randomBytes(4).toString('hex')}`;

let azurite: Azurite;
const openStores: AzureTablesStore[] = [];
const usedPrefixes = new Set<string>();

beforeAll(async () => {
  azurite = await useAzurite();
}, 60_000);

afterEach(async () => {
  await Promise.all(openStores.splice(0).map((store) => store.close()));
});

afterAll(async () => {
  for (const prefix of usedPrefixes) {
    const store = await AzureTablesStore.open({
      connectionString: azurite.connectionString,
      tableNamePrefix: prefix,
    });
    await store.deleteTables();
  }
  await azurite.stop();
}, 60_000);

async function open(
  prefix = PREFIX,
  clientOptions?: AzureTablesStoreOptions['clientOptions'],
): Promise<AzureTablesStore> {
  usedPrefixes.add(prefix);
  const store = await AzureTablesStore.open({
    connectionString: azurite.connectionString,
    tableNamePrefix: prefix,
    clientOptions,
  });
  openStores.push(store);
  return store;
}

/**
 * Builds a pipeline policy that, once armed, lets the next request matching `matches` reach
 * the service and then reports a connection reset, as if the response were lost. The SDK's
 * retry policy then sends the request again.
 */
function responseLoser(matches: (request: PipelineRequest) => boolean) {
  const state = { armed: false, lost: 0 };
  const policy: PipelinePolicy = {
    name: 'responseLoser',
    async sendRequest(request, next) {
      const response = await next(request);
      if (state.armed && matches(request)) {
        state.armed = false;
        state.lost++;
        throw new RestError('The connection was reset after the request was sent.', {
          code: 'ECONNRESET',
          request,
        });
      }
      return response;
    },
  };
  const clientOptions = {
    additionalPolicies: [{ policy, position: 'perRetry' as const }],
    retryOptions: { retryDelayInMs: 10 },
  };
  return { state, clientOptions };
}

/** Returns a raw client on the documents table, to inspect what the store wrote. */
function documentsTable(prefix = PREFIX): TableClient {
  return createTableClient(azurite.connectionString, `${prefix}Documents`);
}

async function rawEntities(collection: string): Promise<Record<string, unknown>[]> {
  const entities: Record<string, unknown>[] = [];
  const filter = `PartitionKey eq '${encodeKey(collection)}'`;
  for await (const entity of documentsTable().listEntities({ queryOptions: { filter } })) {
    entities.push(entity);
  }
  return entities;
}

function auditRecord(requestId: string, action: string): AuditRecord {
  return {
    at: new Date().toISOString(),
    requestId,
    galleryId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Compute/galleries/g',
    actor: { kind: 'system' },
    action,
  };
}

/** Keys with characters that Table Storage rejects in keys, `%`, `'` and the escape character. */
const AWKWARD_KEYS = [
  'a/b\\c#d?e',
  'tab\there\nnewline\u0000nul\u007fdel\u009fapc',
  "percent%20 and quote'",
  '!2F is not an escape',
  '!',
  'emoji 🙂 and Ünïcode',
  '',
];

describe('AzureTablesStore contract', () => {
  runStoreContract(() => open());
});

describe('table key encoding', () => {
  it.each(AWKWARD_KEYS)('round-trips %j', (key) => {
    const encoded = encodeKey(key);

    expect(decodeKey(encoded)).toBe(key);
    // eslint-disable-next-line no-control-regex -- the control characters Table Storage rejects
    expect(encoded).not.toMatch(/[\u0000-\u001f\u007f-\u009f/\\#?%']/);
  });

  it('keeps ordinary characters unchanged', () => {
    expect(encodeKey('19:abc@thread.tacv2;messageid=1 Ü')).toBe(
      '19:abc@thread.tacv2;messageid=1 Ü',
    );
  });

  it('compares keys by code point', () => {
    // UTF-16 code unit order puts U+1F642 (a surrogate pair) before U+FF01.
    expect(compareKeys('\u{1F642}', '\uFF01')).toBeGreaterThan(0);
    expect(compareKeys('a', 'ab')).toBeLessThan(0);
    expect(compareKeys('b', 'ab')).toBeGreaterThan(0);
    expect(compareKeys('same', 'same')).toBe(0);
  });
});

describe('table body encoding', () => {
  it('chunks never split surrogate pairs', () => {
    const json = JSON.stringify({ payload: 'ab' + '🙂'.repeat(MAX_STRING_PROPERTY_LENGTH) });

    const properties = encodeBody('p', 'r', {}, json, 'test document');

    const chunks = Object.keys(properties)
      .filter((name) => name.startsWith('body_'))
      .map((name) => properties[name] as string);
    expect(chunks.length).toBeGreaterThan(2);
    for (const chunk of chunks) {
      expect(chunk.length).toBeLessThanOrEqual(MAX_STRING_PROPERTY_LENGTH);
      expect(chunk).not.toMatch(/[\uD800-\uDBFF]$/);
    }
    expect(decodeBody(properties, 'test document')).toBe(json);
  });

  it('estimates entity size like azure', () => {
    const size = estimateEntitySize('pk', 'rk', {
      text: 'abc',
      bytes: new Uint8Array(10),
      count: { value: 1, type: 'Int32' },
    });

    // 4 + keys 4 * 2 + text (8 + 4 * 2 + 4 + 3 * 2) + bytes (8 + 5 * 2 + 4 + 10) + count (8 + 5 * 2 + 4)
    expect(size).toBe(4 + 8 + 26 + 32 + 22);
  });

  it('missing chunk raises on decode', () => {
    const properties = encodeBody('p', 'r', {}, 'x'.repeat(40_000), 'test document');
    delete properties.body_1;

    expect(() => decodeBody(properties, 'requests/a')).toThrow(
      /requests\/a is missing body properties \(expected 2\)/,
    );
  });
});

describe('AzureTablesStore documents', () => {
  it('awkward keys round-trip through azurite', async () => {
    const documents = (await open()).collection<Request>({
      name: `keys-${randomUUID()}`,
      indexes: { state: (request) => request.state },
    });

    for (const key of AWKWARD_KEYS) {
      await documents.create(key, { state: 'pending', payload: key });
    }

    for (const key of AWKWARD_KEYS) {
      const stored = await documents.get(key);
      expect(stored?.key).toBe(key);
      expect(stored?.value.payload).toBe(key);
    }
    const listed = await documents.query({ state: 'pending' });
    expect(listed.map((stored) => stored.key)).toEqual([...AWKWARD_KEYS].sort(compareKeys));
  });

  it('overlong key raises', async () => {
    const documents = (await open()).collection<Request>(REQUESTS);

    await expect(documents.create('/'.repeat(200), {})).rejects.toThrow(/more than the 512/);
  });

  it('large body spans string properties', async () => {
    const name = `large-${randomUUID()}`;
    const documents = (await open()).collection<Request>({ name });
    const payload = randomBytes(150_000).toString('base64');

    const created = await documents.create('a', { payload });

    expect((await documents.get('a'))?.value.payload).toBe(payload);
    const [entity] = await rawEntities(name);
    expect(entity?.bodyChunks).toBe(Math.ceil((payload.length + 14) / MAX_STRING_PROPERTY_LENGTH));
    expect(typeof entity?.body_0).toBe('string');
    expect(entity?.bodyEncoding).toBeUndefined();
    expect(entity?.etag).toBe(created.etag);
  });

  it('thousand image request is compressed', async () => {
    const name = `requests-${randomUUID()}`;
    const documents = (await open()).collection({ name });
    const request = makeRequest({ snapshot: makeSnapshot({ images: makeImages(1000) }) });
    expect(JSON.stringify(request).length).toBeGreaterThan(1_000_000);

    const created = await documents.create(request.id, request);
    const replaced = await documents.replace(
      request.id,
      { ...request, state: 'pending' },
      created.etag,
    );

    expect(await documents.get(request.id)).toEqual(replaced);
    const [entity] = await rawEntities(name);
    expect(entity?.bodyEncoding).toBe('gzip');
    expect(entity?.body_0).toBeInstanceOf(Uint8Array);
  });

  it('oversize document raises clearly', async () => {
    const documents = (await open()).collection<Request>({ name: `huge-${randomUUID()}` });
    // Random base64 compresses to about three quarters, so this stays over 1 MiB after gzip.
    const payload = randomBytes(1_200_000).toString('base64');

    const created = documents.create('a', { payload });

    await expect(created).rejects.toBeInstanceOf(DocumentTooLargeError);
    await expect(created).rejects.toThrow(
      /huge-.*\/a does not fit one Azure Table Storage entity because it needs \d+ bytes/,
    );
    await expect(documents.get('a')).resolves.toBeUndefined();
  });

  it('query escapes quotes in values', async () => {
    const documents = (await open()).collection<Request>({
      name: `quotes-${randomUUID()}`,
      indexes: { state: (request) => request.state },
    });
    await documents.create('a', { state: "O'Brien" });
    await documents.create('b', { state: 'other' });

    const exact = await documents.query({ state: "O'Brien" });
    const injected = await documents.query({ state: "x' or PartitionKey ne '" });

    expect(exact.map((stored) => stored.key)).toEqual(['a']);
    expect(injected).toEqual([]);
  });

  it('new index covers older documents', async () => {
    const name = `widened-${randomUUID()}`;
    const created = await (await open())
      .collection<Request>({ name, indexes: { state: (request) => request.state } })
      .create('a', { state: 'pending', gallery: 'g' });

    const widened = (await open()).collection<Request>({
      name,
      indexes: { gallery: (request) => request.gallery, state: (request) => request.state },
    });

    const [byGallery] = await widened.query({ gallery: 'g' });
    expect(byGallery?.value).toEqual(created.value);
    expect(await widened.query({ state: 'pending' })).toHaveLength(1);
  });

  it('index names must be property names', async () => {
    const store = await open();

    expect(() =>
      store.collection<Request>({ name: 'bad', indexes: { 'by-state': (r) => r.state } }),
    ).toThrow(/by-state.*letters, digits and underscores/);
  });

  it('more than three indexes raise', async () => {
    const store = await open();
    const name = (value: { n: string }) => value.n;

    expect(() =>
      store.collection({ name: 'wide', indexes: { a: name, b: name, c: name, d: name } }),
    ).toThrow(/at most 3/);
  });
});

describe('AzureTablesStore setup', () => {
  it('rejects plain http off loopback', async () => {
    const connectionString =
      'DefaultEndpointsProtocol=http;AccountName=account;AccountKey=a2V5;' +
      'TableEndpoint=http://storage.example.invalid/account;';

    await expect(AzureTablesStore.open({ connectionString })).rejects.toThrow(
      /neither HTTPS nor a loopback Azurite endpoint/,
    );
  });

  it('rejects an invalid table prefix', async () => {
    await expect(
      AzureTablesStore.open({ connectionString: azurite.connectionString, tableNamePrefix: '1x' }),
    ).rejects.toThrow(/table name 1xDocuments is invalid/);
  });

  it('open store selects azure tables', async () => {
    const store = await openStore('azure-tables', { connectionString: azurite.connectionString });
    try {
      expect(store).toBeInstanceOf(AzureTablesStore);
      expect((store as AzureTablesStore).tableNames).toEqual([
        'GalleryApprovalsDocuments',
        'GalleryApprovalsAudit',
        'GalleryApprovalsLeases',
      ]);
      await expect(store.ping()).resolves.toBeUndefined();
    } finally {
      await store.close();
    }
  });

  it('closed store raises', async () => {
    const store = await open();

    await store.close();

    await expect(store.ping()).rejects.toThrow(/not open/);
    await expect(store.collection(REQUESTS).get('a')).rejects.toThrow(/not open/);
    await expect(store.leases.acquire('l', 'o', 1000)).rejects.toThrow(/not open/);
  });
});

describe('AzureTablesStore sharing one account', () => {
  it('second store sees writes', async () => {
    const [first, second] = [await open(), await open()];

    const created = await first.collection(REQUESTS).create(randomUUID(), { state: 'pending' });
    await first.audit.append(auditRecord(created.key, 'created'));

    await expect(second.collection(REQUESTS).get(created.key)).resolves.toEqual(created);
    await expect(second.audit.list({ requestId: created.key })).resolves.toHaveLength(1);
  });

  it('two stores race on replace', async () => {
    const stores = [await open(), await open()];
    const key = randomUUID();
    const created = await stores[0]!.collection(REQUESTS).create(key, { state: 'pending' });

    const attempts = Array.from({ length: 50 }, (_, i) =>
      stores[i % 2]!.collection(REQUESTS).replace(key, { state: `s${i}` }, created.etag),
    );
    const results = await Promise.allSettled(attempts);

    const winners = results.filter((result) => result.status === 'fulfilled');
    expect(winners).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(PreconditionFailedError);
      }
    }
    expect(await stores[1]!.collection(REQUESTS).get(key)).toEqual(winners[0]?.value);
  });

  it('two stores race on create', async () => {
    const stores = [await open(), await open()];
    const key = randomUUID();

    const attempts = Array.from({ length: 50 }, (_, i) =>
      stores[i % 2]!.collection(REQUESTS).create(key, { state: `s${i}` }),
    );
    const results = await Promise.allSettled(attempts);

    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) {
      if (result.status === 'rejected') {
        expect(result.reason).toBeInstanceOf(AlreadyExistsError);
      }
    }
  });

  it('two stores race on leases', async () => {
    const stores = [await open(), await open()];
    const name = randomUUID();

    const attempts = Array.from({ length: 50 }, (_, i) =>
      stores[i % 2]!.leases.acquire(name, `owner-${i}`, 60_000),
    );
    const results = await Promise.all(attempts);

    expect(results.filter((acquired) => acquired)).toHaveLength(1);
  });

  it('two stores race on expired lease', async () => {
    const stores = [await open(), await open()];
    const name = randomUUID();
    await stores[0]!.leases.acquire(name, 'owner-expired', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));

    const attempts = Array.from({ length: 50 }, (_, i) =>
      stores[i % 2]!.leases.acquire(name, `owner-${i}`, 60_000),
    );
    const results = await Promise.all(attempts);

    expect(results.filter((acquired) => acquired)).toHaveLength(1);
  });

  it('expired lease moves between stores', async () => {
    const [first, second] = [await open(), await open()];
    const name = randomUUID();
    await first.leases.acquire(name, 'owner-1', 50);

    await new Promise((resolve) => setTimeout(resolve, 100));

    await expect(second.leases.acquire(name, 'owner-2', 60_000)).resolves.toBe(true);
    await first.leases.release(name, 'owner-1');
    await expect(first.leases.acquire(name, 'owner-1', 60_000)).resolves.toBe(false);
  });

  it('interleaved appends keep writer order', async () => {
    const stores = [await open(), await open()];
    const requestId = randomUUID();

    await Promise.all(
      stores.map(async (store, writer) => {
        for (let i = 0; i < 25; i++) {
          await store.audit.append(auditRecord(requestId, `writer-${writer}/${i}`));
        }
      }),
    );

    const records = await stores[0]!.audit.list({ requestId });
    const sequences = records.map((record) => record.sequence ?? Number.NaN);
    expect(records).toHaveLength(50);
    expect(sequences.at(-1)! - sequences[0]!).toBe(49);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
    for (const writer of [0, 1]) {
      const own = records
        .map((record) => record.action)
        .filter((action) => action.startsWith(`writer-${writer}/`));
      expect(own).toEqual(Array.from({ length: 25 }, (_, i) => `writer-${writer}/${i}`));
    }
  });

  it('concurrent appends get unique sequences', async () => {
    const stores = [await open(), await open()];
    const requestId = randomUUID();

    await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        stores[i % 2]!.audit.append(auditRecord(requestId, `append-${i}`)),
      ),
    );

    const records = await stores[1]!.audit.list({ requestId });
    const sequences = records.map((record) => record.sequence ?? Number.NaN);
    expect(new Set(records.map((record) => record.action)).size).toBe(50);
    expect(new Set(sequences).size).toBe(50);
    expect(sequences.at(-1)! - sequences[0]!).toBe(49);
    expect([...sequences].sort((a, b) => a - b)).toEqual(sequences);
  });
});

describe('AzureTablesStore lost responses', () => {
  it('lost create response succeeds', async () => {
    const loser = responseLoser((request) => request.method === 'POST');
    const documents = (await open(PREFIX, loser.clientOptions)).collection(REQUESTS);

    loser.state.armed = true;
    const created = await documents.create('a', { state: 'pending' });

    expect(loser.state.lost).toBe(1);
    await expect(documents.get('a')).resolves.toEqual(created);
  });

  it('lost replace response succeeds', async () => {
    const loser = responseLoser((request) => request.method === 'PUT');
    const documents = (await open(PREFIX, loser.clientOptions)).collection(REQUESTS);
    const created = await documents.create(randomUUID(), { state: 'pending' });

    loser.state.armed = true;
    const replaced = await documents.replace(created.key, { state: 'approved' }, created.etag);

    expect(loser.state.lost).toBe(1);
    await expect(documents.get(created.key)).resolves.toEqual(replaced);
  });

  it('lost replace still loses races', async () => {
    const loser = responseLoser((request) => request.method === 'PUT');
    const documents = (await open(PREFIX, loser.clientOptions)).collection(REQUESTS);
    const created = await documents.create(randomUUID(), { state: 'pending' });
    await documents.replace(created.key, { state: 'denied' }, created.etag);

    loser.state.armed = true;
    const stale = documents.replace(created.key, { state: 'approved' }, created.etag);

    await expect(stale).rejects.toBeInstanceOf(PreconditionFailedError);
    expect((await documents.get(created.key))?.value.state).toBe('denied');
  });

  it('lost append response records once', async () => {
    const loser = responseLoser((request) => request.url.includes('$batch'));
    const store = await open(PREFIX, loser.clientOptions);
    const requestId = randomUUID();

    loser.state.armed = true;
    await store.audit.append(auditRecord(requestId, 'approve'));

    expect(loser.state.lost).toBe(1);
    const records = await store.audit.list({ requestId });
    expect(records.map((record) => record.action)).toEqual(['approve']);
  });
});

describe('azurite test support', () => {
  it.each([
    ['DefaultEndpointsProtocol=http;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;', true],
    ['TableEndpoint=http://localhost:10002/devstoreaccount1', true],
    ['UseDevelopmentStorage=true', true],
    [
      'DefaultEndpointsProtocol=https;AccountName=prod;AccountKey=a2V5;EndpointSuffix=core.windows.net',
      false,
    ],
    ['TableEndpoint=https://prod.table.core.windows.net/;SharedAccessSignature=sv=1', false],
    ['TableEndpoint=not a url', false],
  ])('classifies %s', (connectionString, expected) => {
    expect(isLoopbackTableEndpoint(connectionString)).toBe(expected);
  });
});
