import { benchGalleryName, benchSeed } from '../../bench/gallery-seed';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../sandbox/emulator';
import { createAzureClients } from '../../src/azure/clients';
import { inspectGallery } from '../../src/azure/inspect-gallery';
import { staticCredential } from '../sandbox/sandbox-clients';

const IMAGE_COUNT = 20;
const ref = {
  subscriptionId: '00000000-0000-0000-0000-000000000000',
  resourceGroup: 'sandbox-rg',
  galleryName: benchGalleryName(IMAGE_COUNT),
};

/** Polls `condition` every 10 ms for up to 5 seconds and returns whether it became true. */
async function waitUntil(condition: () => boolean): Promise<boolean> {
  for (let attempt = 0; attempt < 500; attempt++) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return false;
}

describe('inspectGallery', () => {
  let emulator: Emulator;

  async function start(options: Partial<EmulatorOptions> = {}): Promise<void> {
    emulator = await startEmulator({
      seed: benchSeed([IMAGE_COUNT]),
      port: 0,
      retryAfterInSeconds: 0,
      ...options,
    });
  }

  function clients() {
    return createAzureClients(staticCredential, {
      resourceManagerEndpoint: `${emulator.url}/`,
      caCertificate: emulator.caCertificate,
      maxRetries: 0,
    });
  }

  const isVersionList = (path: string) => /\/images\/[^/]+\/versions$/i.test(path);
  const isImagePage = (path: string) => /\/images$/i.test(path);

  afterEach(async () => {
    await emulator.close();
  });

  it('reads every image definition and version', async () => {
    await start();
    const snapshot = await inspectGallery(clients(), ref);

    expect(snapshot.images).toHaveLength(IMAGE_COUNT);
    expect(snapshot.images.map((image) => image.name)).toEqual(
      [...snapshot.images.map((image) => image.name)].sort(),
    );
    expect(snapshot.images.every((image) => image.versions.length === 1)).toBe(true);
    expect(emulator.requestCount).toBe(1 + 1 + 1 + IMAGE_COUNT);
  });

  it('lists versions before the last page', async () => {
    await start({ pageSize: 4 });
    await inspectGallery(clients(), ref);

    const requests = emulator.requests;
    const imagePages = requests.filter((request) => isImagePage(request.path));
    const firstVersionList = requests.find((request) => isVersionList(request.path));
    expect(imagePages).toHaveLength(IMAGE_COUNT / 4);
    expect(firstVersionList?.sequence).toBeLessThan(imagePages.at(-1)?.sequence ?? 0);
  });

  it('lists while the gallery read is pending', async () => {
    await start();
    emulator.inject({ path: new RegExp(`/galleries/${ref.galleryName}$`, 'i'), answer: 'hang' });
    const inspection = inspectGallery(clients(), ref);
    inspection.catch(() => undefined);

    const listed = await waitUntil(() =>
      ['images', 'applications'].every((collection) =>
        emulator.requests.some((request) => request.path.endsWith(`/${collection}`)),
      ),
    );
    expect(listed).toBe(true);
  });

  it('reports the gallery error over list errors', async () => {
    await start();
    emulator.inject({
      path: new RegExp(`/galleries/${ref.galleryName}$`, 'i'),
      answer: {
        status: 403,
        body: { error: { code: 'AuthorizationFailed', message: 'The client may not read it.' } },
      },
    });
    emulator.inject({
      path: /\/images$/i,
      answer: { status: 404, body: { error: { code: 'ResourceNotFound', message: 'Gone.' } } },
    });

    await expect(inspectGallery(clients(), ref)).rejects.toThrow(
      /Reading gallery .* not allowed \(AuthorizationFailed\)/,
    );
  });

  it('reports a failed image list', async () => {
    await start();
    emulator.inject({
      path: /\/images$/i,
      answer: { status: 400, body: { error: { code: 'BadRequest', message: 'No list.' } } },
    });

    await expect(inspectGallery(clients(), ref)).rejects.toThrow(
      /Listing the image definitions of bench20Images failed \(BadRequest\)/,
    );
  });

  it('stops listing versions after a failure', async () => {
    await start();
    emulator.inject({
      path: /\/images\/image-00000\/versions$/i,
      answer: { status: 400, body: { error: { code: 'BadRequest', message: 'No versions.' } } },
    });

    await expect(inspectGallery(clients(), ref, { versionListConcurrency: 2 })).rejects.toThrow(
      /Listing the versions of image definition image-00000 failed/,
    );
    const versionLists = emulator.requests.filter((request) => isVersionList(request.path));
    expect(versionLists).toHaveLength(2);
  });
});
