import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import { findEligiblePrincipals } from '../../src/azure/approvers';
import { createAzureClients, requestTimeoutPolicy } from '../../src/azure/clients';
import { AzureCallError } from '../../src/azure/errors';
import { inspectGallery } from '../../src/azure/inspect-gallery';
import { beginShare } from '../../src/azure/share';
import { SUBSCRIPTION_ID, staticCredential } from '../support/bot-harness';

const TIMEOUT_IN_MS = 500;
const ref = {
  subscriptionId: SUBSCRIPTION_ID,
  resourceGroup: 'sandbox-rg',
  galleryName: 'readyGallery',
};
const GALLERY_PATH = `/subscriptions/${SUBSCRIPTION_ID}/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery`;

describe('resource manager request timeout', () => {
  let emulator: Emulator;

  beforeEach(async () => {
    emulator = await startEmulator({
      seed: loadSeed(DEMO_SEED_PATH),
      port: 0,
      retryAfterInSeconds: 0,
    });
  });

  afterEach(async () => {
    await emulator.close();
  });

  function clients(requestTimeoutInMs = TIMEOUT_IN_MS) {
    return createAzureClients(staticCredential, {
      resourceManagerEndpoint: `${emulator.url}/`,
      caCertificate: emulator.caCertificate,
      requestTimeoutInMs,
    });
  }

  async function failureOf(work: Promise<unknown>): Promise<AzureCallError> {
    const error = await work.then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(AzureCallError);
    return error as AzureCallError;
  }

  function requestsTo(path: string, method = 'GET'): number {
    return emulator.requests.filter(
      (request) => request.method === method && request.path.toLowerCase() === path.toLowerCase(),
    ).length;
  }

  it('hanging gallery read times out', async () => {
    emulator.inject({ method: 'GET', path: GALLERY_PATH, answer: 'hang' });

    const error = await failureOf(inspectGallery(clients(), ref));

    expect(error.code).toBe('Timeout');
    expect(error.statusCode).toBeUndefined();
    expect(error.message).toContain('Reading gallery');
    expect(error.message).toContain('readyGallery');
    expect(error.message).toMatch(
      /timed out\. No response from https:\/\/127\.0\.0\.1:\d+ within 500 ms\./,
    );
    expect(error.fix).toMatch(/try again/i);
    // The timed-out read is not sent again.
    expect(requestsTo(GALLERY_PATH)).toBe(1);
  });

  it('hanging share post times out', async () => {
    emulator.inject({ method: 'POST', path: /\/share$/i, answer: 'hang' });

    const error = await failureOf(beginShare(clients(), ref, 'EnableCommunity'));

    expect(error.code).toBe('Timeout');
    expect(error.statusCode).toBeUndefined();
    expect(error.message).toContain('Sharing gallery readyGallery');
    expect(emulator.shareCalls()).toHaveLength(1);
  });

  it('hanging operation poll times out', async () => {
    const started = await beginShare(clients(), ref, 'EnableCommunity', { pollIntervalInMs: 10 });
    emulator.inject({ method: 'GET', path: /\/capsOperations\//i, answer: 'hang' });

    const error = await failureOf(started.wait());

    expect(error.code).toBe('Timeout');
    expect(error.message).toContain('Following the sharing operation of readyGallery');
    expect(emulator.shareCalls()).toHaveLength(1);
  });

  it('hanging role assignment list times out', async () => {
    emulator.inject({ method: 'GET', path: /roleAssignments$/i, answer: 'hang' });

    const error = await failureOf(findEligiblePrincipals(clients(), ref));

    expect(error.code).toBe('Timeout');
  });

  it('slow answer within bound succeeds', async () => {
    await emulator.close();
    emulator = await startEmulator({
      seed: loadSeed(DEMO_SEED_PATH),
      port: 0,
      retryAfterInSeconds: 0,
      latencyInMs: 100,
    });

    const snapshot = await inspectGallery(clients(2000), ref);

    expect(snapshot.gallery.name).toBe('readyGallery');
  });

  it('caller abort keeps its own error', async () => {
    emulator.inject({ method: 'GET', path: GALLERY_PATH, answer: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const error = await failureOf(
      inspectGallery(clients(60_000), ref, { abortSignal: controller.signal }),
    );

    expect(error.message).not.toContain('No response from');
  });

  it('rejects a non-integer timeout', () => {
    expect(() => requestTimeoutPolicy(0)).toThrow(RangeError);
    expect(() => requestTimeoutPolicy(1.5)).toThrow(/positive integer/);
  });
});
