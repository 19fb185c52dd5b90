import { benchGalleryName, benchSeed } from '../../bench/gallery-seed';
import { IndexedWorld } from '../../bench/indexed-world';
import { startIndexedEmulator, type IndexedEmulator } from '../../bench/indexed-emulator';
import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { World } from '../../sandbox/world';
import { findEligiblePrincipals } from '../../src/azure/approvers';
import { createAzureClients } from '../../src/azure/clients';
import { inspectGallery } from '../../src/azure/inspect-gallery';
import { staticCredential } from '../sandbox/sandbox-clients';

const IMAGE_COUNT = 120;
const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
const ref = {
  subscriptionId: SUBSCRIPTION_ID,
  resourceGroup: 'sandbox-rg',
  galleryName: benchGalleryName(IMAGE_COUNT),
};

/** Reads what the bot reads through one server: a gallery, its approvers, a missing gallery. */
async function readThrough(server: Emulator | IndexedEmulator) {
  const clients = createAzureClients(staticCredential, {
    resourceManagerEndpoint: `${server.url}/`,
    graphEndpoint: server.url,
    caCertificate: server.caCertificate,
    maxRetries: 0,
  });
  const now = () => new Date(0);
  const snapshot = await inspectGallery(clients, ref, { now, versionListConcurrency: 1 });
  const approvers = await findEligiblePrincipals(clients, { ...ref, galleryName: 'readyGallery' });
  const missing = await inspectGallery(clients, { ...ref, galleryName: 'noSuchGallery' }).then(
    () => 'no error',
    (error: Error) => error.message,
  );
  return { snapshot, approvers, missing, requestCount: server.requestCount };
}

describe('indexed emulator', () => {
  const seed = benchSeed([IMAGE_COUNT]);
  let emulator: Emulator;
  let indexed: IndexedEmulator;

  beforeAll(async () => {
    emulator = await startEmulator({ seed, port: 0, logger: { warn: () => undefined } });
    indexed = await startIndexedEmulator({ seed });
  });

  afterAll(async () => {
    await emulator.close();
    await indexed.close();
  });

  it('matches the emulator for reads', async () => {
    const expected = await readThrough(emulator);
    const actual = await readThrough(indexed);

    expect(expected.snapshot.images).toHaveLength(IMAGE_COUNT);
    expect(actual.snapshot).toEqual(expected.snapshot);
    expect(actual.approvers).toEqual(expected.approvers);
    expect(actual.missing).toBe(expected.missing);
    expect(actual.requestCount).toBe(expected.requestCount);
  });
});

describe('IndexedWorld', () => {
  const galleryId = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/${benchGalleryName(2)}`;

  it('lists a collection in id order', () => {
    const world = new IndexedWorld(benchSeed([2]));
    expect(world.inCollection(`${galleryId}/images`).map((image) => image.name)).toEqual([
      'image-00000',
      'image-00001',
    ]);
  });

  it('follows put and delete like World', () => {
    const worlds = [new World(benchSeed([2])), new IndexedWorld(benchSeed([2]))];
    for (const world of worlds) {
      world.inCollection(`${galleryId}/images`);
      world.ofType('Microsoft.Compute/galleries/images');
      const added = world.get(`${galleryId}/images/image-00001`)!;
      world.put({ ...added, id: `${galleryId}/images/image-0000a`, name: 'image-0000a' });
      world.delete(`${galleryId}/images/image-00000`);
    }
    const [plain, indexed] = worlds as [World, IndexedWorld];

    expect(indexed.inCollection(`${galleryId}/images`).map((image) => image.name)).toEqual([
      'image-00001',
      'image-0000a',
    ]);
    expect(indexed.inCollection(`${galleryId}/images`)).toEqual(
      plain.inCollection(`${galleryId}/images`),
    );
    expect(indexed.ofType('Microsoft.Compute/galleries/images')).toEqual(
      plain.ofType('Microsoft.Compute/galleries/images'),
    );
  });

  it('rejects changes to returned resources', () => {
    const world = new IndexedWorld(benchSeed([2]));
    const [first] = world.inCollection(`${galleryId}/images`);
    const gallery = world.get(galleryId);

    expect(() => {
      first!.name = 'changed';
    }).toThrow(TypeError);
    expect(() => {
      gallery!.properties!.description = 'changed';
    }).toThrow(TypeError);
    expect(world.inCollection(`${galleryId}/images`)[0]?.name).toBe('image-00000');
  });

  it('finds a subscription added later', () => {
    const world = new IndexedWorld(benchSeed([2]));
    const elsewhere = '/subscriptions/11111111-1111-1111-1111-111111111111';
    expect(world.hasSubscription('11111111-1111-1111-1111-111111111111')).toBe(false);

    world.put({
      ...world.get(galleryId)!,
      id: `${elsewhere}/resourceGroups/rg/providers/Microsoft.Compute/galleries/moved`,
    });

    expect(world.hasSubscription('11111111-1111-1111-1111-111111111111')).toBe(true);
  });
});
