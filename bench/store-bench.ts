/**
 * Measures the latency of store operations on both adapters on this machine: SQLite on a
 * temporary file, and Azure Table Storage on Azurite (the one AZURE_STORAGE_CONNECTION_STRING
 * names when it is on loopback, otherwise a private one started here). Operations run one at
 * a time, as one bot turn issues them, so the figures are latencies, not throughput.
 *
 *   npx tsx bench/store-bench.ts [--iterations 200]
 *
 * Prints Markdown tables for docs/scaling.md.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, platform, release, tmpdir, totalmem } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';

import { AzureTablesStore } from '../src/store/azure-tables-store';
import type { CollectionDefinition, Store } from '../src/store/port';
import { SqliteStore } from '../src/store/sqlite-store';
import { encodeBody } from '../src/store/table-body';
import type { PublishRequest } from '../src/workflow/request';
import { makeImages, makeRequest, makeSnapshot } from '../test/cards/request-factory';
import { installedAzuriteVersion, useAzurite } from '../test/support/azurite';

const STATES = ['draft', 'pending', 'approved', 'denied', 'shared'] as const;

interface Summary {
  operation: string;
  medianInMs: number;
  p95InMs: number;
}

function readIterations(argv: string[]): number {
  const index = argv.indexOf('--iterations');
  const value = index === -1 ? 200 : Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 10) {
    throw new Error(`--iterations must be an integer of at least 10; got ${argv[index + 1]}.`);
  }
  return value;
}

function summarize(operation: string, samplesInMs: number[]): Summary {
  const sorted = [...samplesInMs].sort((a, b) => a - b);
  const at = (fraction: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))] ?? NaN;
  return { operation, medianInMs: at(0.5), p95InMs: at(0.95) };
}

async function time(samplesInMs: number[], action: () => Promise<unknown>): Promise<void> {
  const start = performance.now();
  await action();
  samplesInMs.push(performance.now() - start);
}

/** Builds a request as the bot stores it, with `imageCount` image definitions. */
function request(id: string, imageCount: number, state: string): PublishRequest {
  return {
    ...makeRequest({ snapshot: makeSnapshot({ images: makeImages(imageCount) }) }),
    id,
    state: state as PublishRequest['state'],
  };
}

async function measure(store: Store, iterations: number): Promise<Summary[]> {
  const requests: CollectionDefinition<PublishRequest> = {
    name: `bench${randomBytes(4).toString('hex')}`,
    indexes: { state: (value) => value.state, gallery: (value) => value.galleryKey },
  };
  const collection = store.collection(requests);
  const samples: Record<string, number[]> = {};
  const sample = (name: string) => (samples[name] ??= []);

  // Warm up connections and the collection's index check.
  await collection.get('warm-up');

  const etags: string[] = [];
  for (let i = 0; i < iterations; i++) {
    const value = request(`r${i}`, 1, STATES[i % STATES.length]!);
    await time(sample('create (1 image, 3 KB)'), async () => {
      etags[i] = (await collection.create(value.id, value)).etag;
    });
  }
  for (let i = 0; i < iterations; i++) {
    await time(sample('get'), () => collection.get(`r${i}`));
  }
  for (let i = 0; i < iterations; i++) {
    const value = { ...request(`r${i}`, 1, STATES[i % STATES.length]!), updatedAt: 'replaced' };
    await time(sample('replace (If-Match)'), () => collection.replace(value.id, value, etags[i]!));
  }
  const matches = Math.ceil(iterations / STATES.length);
  for (let i = 0; i < 50; i++) {
    await time(sample(`query by state (${matches} of ${iterations} match)`), async () => {
      const found = await collection.query({ state: STATES[0] });
      if (found.length !== matches) {
        throw new Error(`The state query found ${found.length} documents, expected ${matches}.`);
      }
    });
  }
  for (let i = 0; i < iterations; i++) {
    await time(sample('audit append'), () =>
      store.audit.append({
        at: new Date().toISOString(),
        requestId: `r${i % 10}`,
        galleryId: 'bench',
        actor: { kind: 'system' },
        action: 'bench',
      }),
    );
  }
  for (let i = 0; i < 20; i++) {
    const large = request(`large${i}`, 1000, 'pending');
    await time(sample('create (1,000 images, 1 MB of JSON)'), () =>
      collection.create(large.id, large),
    );
    await time(sample('get (1,000 images, 1 MB of JSON)'), () => collection.get(large.id));
  }

  return Object.entries(samples).map(([operation, values]) => summarize(operation, values));
}

/** Finds the largest image count whose request still fits one entity, by bisection. */
function largestFittingImageCount(fits: (imageCount: number) => boolean): number {
  let low = 1;
  let high = 50_000;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** Serializes a request whose image descriptions end in random text, which gzip cannot shrink. */
function variedRequest(imageCount: number): string {
  const images = makeImages(imageCount).map((image) => ({
    ...image,
    description: `${image.description} ${randomBytes(24).toString('hex')}`,
  }));
  return JSON.stringify(makeRequest({ snapshot: makeSnapshot({ images }) }));
}

function documentLimits(): string[] {
  const json = JSON.stringify(request('r', 1000, 'pending'));
  const fitsPlain = (imageCount: number) => {
    const body = encodeBody('requests', 'r', {}, variedRequest(imageCount), 'bench');
    return body.bodyEncoding === undefined;
  };
  const fitsCompressed = (imageCount: number) => {
    try {
      encodeBody('requests', 'r', {}, variedRequest(imageCount), 'bench');
      return true;
    } catch {
      return false;
    }
  };
  return [
    `- 1,000-image request: ${json.length} characters of JSON, ${gzipSync(json).length} bytes gzip`,
    `- largest request stored as plain strings: ${largestFittingImageCount(fitsPlain)} images`,
    `- largest request stored compressed: ${largestFittingImageCount(fitsCompressed)} images`,
  ];
}

function table(results: { adapter: string; summaries: Summary[] }[]): string[] {
  const operations = results[0]?.summaries.map((summary) => summary.operation) ?? [];
  const lines = [
    `| Operation | ${results.map((result) => `${result.adapter} median / p95 (ms)`).join(' | ')} |`,
    `| --- | ${results.map(() => '---').join(' | ')} |`,
  ];
  for (const operation of operations) {
    const cells = results.map((result) => {
      const summary = result.summaries.find((candidate) => candidate.operation === operation);
      return summary ? `${summary.medianInMs.toFixed(2)} / ${summary.p95InMs.toFixed(2)}` : '';
    });
    lines.push(`| ${operation} | ${cells.join(' | ')} |`);
  }
  return lines;
}

async function main(): Promise<void> {
  const iterations = readIterations(process.argv.slice(2));
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-bench-'));
  const azurite = await useAzurite();
  const results: { adapter: string; summaries: Summary[] }[] = [];

  try {
    const sqlite = new SqliteStore({ path: path.join(folder, 'bench.db') });
    results.push({ adapter: 'SQLite', summaries: await measure(sqlite, iterations) });
    await sqlite.close();

    const tables = await AzureTablesStore.open({
      connectionString: azurite.connectionString,
      tableNamePrefix: `bench${randomBytes(4).toString('hex')}`,
    });
    try {
      results.push({ adapter: 'Azurite', summaries: await measure(tables, iterations) });
    } finally {
      await tables.deleteTables();
    }
  } finally {
    await azurite.stop();
    rmSync(folder, { recursive: true, force: true });
  }

  const azuriteVersion = installedAzuriteVersion();
  const cpu = cpus();
  console.log(
    [
      `Machine: ${cpu[0]?.model ?? 'unknown CPU'}, ${cpu.length} cores, ` +
        `${Math.round(totalmem() / 2 ** 30)} GiB, ${platform()} ${release()}`,
      `Node ${process.version}, Azurite ${azuriteVersion}, ${iterations} iterations`,
      '',
      ...table(results),
      '',
      ...documentLimits(),
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
