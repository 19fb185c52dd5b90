import type { MemorySettings } from './memory-bench';
import type { ThroughputSettings } from './throughput';

/** Counts and limits of one run of every benchmark. */
export interface BenchProfile {
  name: 'full' | 'tiny';
  /** Fixed delay of every Resource Manager request in the preview and concurrency figures. */
  latencyInMs: number;
  /** Items per page of the emulator's lists, its default. */
  pageSize: number;
  imageCounts: readonly number[];
  previewTurnsFor(imageCount: number): { warmUp: number; measured: number };
  concurrencyImageCounts: readonly number[];
  concurrencies: readonly number[];
  concurrencyRunsFor(imageCount: number): number;
  approve: { warmUpRounds: number; rounds: number; clicks: number };
  /** Requests of Lynne's left pending before the throughput figure, which her `status` lists. */
  statusOpenRequests: number;
  throughput: ThroughputSettings;
  /** Alternating slices of echo and `status` turns; `throughput` is split between them. */
  throughputSlices: number;
  memory: MemorySettings;
  readinessStarts: number;
  /** Single-row commits timed for each SQLite `synchronous` setting. */
  sqliteCommits: number;
}

const CONCURRENCIES = [8, 16, 32, 64];

export const BENCH_PROFILES: Record<BenchProfile['name'], BenchProfile> = {
  full: {
    name: 'full',
    latencyInMs: 20,
    pageSize: 50,
    imageCounts: [10, 100, 1000, 5000],
    previewTurnsFor: (imageCount) => {
      if (imageCount >= 5000) return { warmUp: 1, measured: 4 };
      if (imageCount >= 1000) return { warmUp: 1, measured: 8 };
      if (imageCount >= 100) return { warmUp: 3, measured: 20 };
      return { warmUp: 5, measured: 40 };
    },
    concurrencyImageCounts: [1000, 5000],
    concurrencies: CONCURRENCIES,
    concurrencyRunsFor: (imageCount) => (imageCount >= 5000 ? 1 : 3),
    approve: { warmUpRounds: 1, rounds: 5, clicks: 100 },
    statusOpenRequests: 6,
    throughput: { concurrency: 20, warmUpTurns: 200, turns: 4000, maxDurationInMs: 16_000 },
    throughputSlices: 4,
    memory: { turns: 10_000, concurrency: 10, maxDurationInMs: 240_000 },
    readinessStarts: 3,
    sqliteCommits: 500,
  },
  tiny: {
    name: 'tiny',
    latencyInMs: 20,
    pageSize: 50,
    imageCounts: [10],
    previewTurnsFor: () => ({ warmUp: 1, measured: 3 }),
    concurrencyImageCounts: [10],
    concurrencies: CONCURRENCIES,
    concurrencyRunsFor: () => 1,
    approve: { warmUpRounds: 1, rounds: 1, clicks: 8 },
    statusOpenRequests: 2,
    throughput: { concurrency: 20, warmUpTurns: 20, turns: 100, maxDurationInMs: 5_000 },
    throughputSlices: 2,
    memory: { turns: 100, concurrency: 10, maxDurationInMs: 30_000 },
    readinessStarts: 1,
    sqliteCommits: 20,
  },
};
