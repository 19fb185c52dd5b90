import type { TokenCredential } from '@azure/core-auth';
import { createAzureClients } from '../src/azure/clients';
import { inspectGallery } from '../src/azure/inspect-gallery';
import { benchGalleryName, benchSeed } from './gallery-seed';
import { startIndexedEmulator } from './indexed-emulator';
import { boundedRoundTrips } from './preview-bench';
import { summarize, type Summary } from './stats';

export interface ConcurrencySettings {
  imageCounts: readonly number[];
  concurrencies: readonly number[];
  latencyInMs: number;
  pageSize: number;
  /** Measured inspections per gallery size and concurrency, after one warm-up. */
  runsFor(imageCount: number): number;
}

export interface ConcurrencyFigures {
  imageCount: number;
  concurrency: number;
  /** Wall time of one inspection, in ms. */
  duration: Summary;
  requests: number;
  boundedRoundTrips: number;
}

const credential: TokenCredential = {
  getToken: async () => ({ token: 'bench-token', expiresOnTimestamp: Date.now() + 3600_000 }),
};

/**
 * Times `inspectGallery` alone, in this process, at each version list concurrency against the
 * indexed emulator with a fixed latency. The runner's other work is idle meanwhile.
 */
export async function runConcurrencyBench(
  settings: ConcurrencySettings,
): Promise<ConcurrencyFigures[]> {
  const emulator = await startIndexedEmulator({
    seed: benchSeed(settings.imageCounts),
    latencyInMs: settings.latencyInMs,
    pageSize: settings.pageSize,
  });
  const clients = createAzureClients(credential, {
    resourceManagerEndpoint: `${emulator.url}/`,
    caCertificate: emulator.caCertificate,
  });

  try {
    const figures: ConcurrencyFigures[] = [];
    for (const imageCount of settings.imageCounts) {
      const ref = {
        subscriptionId: '00000000-0000-0000-0000-000000000000',
        resourceGroup: 'sandbox-rg',
        galleryName: benchGalleryName(imageCount),
      };
      for (const concurrency of settings.concurrencies) {
        const durations: number[] = [];
        for (let run = 0; run <= settings.runsFor(imageCount); run++) {
          emulator.clearRequests();
          const started = performance.now();
          const snapshot = await inspectGallery(clients, ref, {
            versionListConcurrency: concurrency,
          });
          if (snapshot.images.length !== imageCount) {
            throw new Error(`Read ${snapshot.images.length} of ${imageCount} image definitions.`);
          }
          if (run > 0) durations.push(performance.now() - started);
        }
        figures.push({
          imageCount,
          concurrency,
          duration: summarize(durations),
          requests: emulator.requestCount,
          boundedRoundTrips: boundedRoundTrips(imageCount, settings.pageSize, concurrency),
        });
      }
    }
    return figures;
  } finally {
    await emulator.close();
  }
}
