/**
 * Runs every benchmark and writes docs/benchmarks.md: `npm run bench`. Options:
 *   --tiny          a few turns of each benchmark, for the smoke test; figures mean nothing
 *   --runs <n>      how many times the whole set runs, to show the spread; default 2
 *   --out <file>    where the page goes; default docs/benchmarks.md
 *   --save <file>   also writes the raw figures as JSON
 *   --render <file> writes the page from figures saved earlier, without running anything
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { startEmulator, type Emulator } from '../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../sandbox/seed';
import { VERSION_LIST_CONCURRENCY } from '../src/azure/inspect-gallery';
import { personalMessage } from '../test/support/activities';
import { startFakeConnector, type FakeConnector } from '../test/support/fake-connector';
import { startAzurite } from '../test/support/azurite';
import { runApproveBench, submitOpenRequests, type ApproveFigures } from './approve-bench';
import { startBotChild, type BotChild } from './bot-child';
import { runConcurrencyBench } from './concurrency-bench';
import { runMemoryBench } from './memory-bench';
import { runPreviewBench } from './preview-bench';
import { BENCH_PROFILES, type BenchProfile } from './profiles';
import { runReadinessBench } from './readiness-bench';
import {
  readMachineFacts,
  renderReport,
  type MachineFacts,
  type ReportInput,
  type RunFigures,
} from './report';
import { runSqliteBench } from './sqlite-bench';
import { compareThroughput } from './throughput';
import { USERS, jsonBytes, messageTurn, personalChat } from './turns';

/** The JSON form of a report's input: the profile by name, the problems as entries. */
interface SavedFigures {
  profile: BenchProfile['name'];
  machine: MachineFacts;
  startedAt: string;
  runs: (Omit<RunFigures, 'problems'> & { problems: [string, number][] })[];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tiny: { type: 'boolean', default: false },
      runs: { type: 'string', default: '2' },
      out: { type: 'string', default: path.join(__dirname, '..', 'docs', 'benchmarks.md') },
      save: { type: 'string' },
      render: { type: 'string' },
    },
  });
  if (values.render !== undefined) {
    await writePage(values.out, renderReport(loadFigures(values.render)));
    log(`wrote ${values.out} from ${values.render}`);
    return;
  }
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 10) {
    throw new Error(`--runs must be an integer from 1 to 10, got ${values.runs}.`);
  }
  const profile = values.tiny ? BENCH_PROFILES.tiny : BENCH_PROFILES.full;

  const figures: RunFigures[] = [];
  const startedAt = new Date();
  for (let run = 1; run <= runs; run++) {
    log(`run ${run} of ${runs}`);
    figures.push(await runOnce(profile));
  }
  const input: ReportInput = { profile, machine: readMachineFacts(), startedAt, runs: figures };
  if (values.save !== undefined) {
    writeFileSync(values.save, JSON.stringify(saveFigures(input), null, 2));
    log(`saved the figures to ${values.save}`);
  }
  await writePage(values.out, renderReport(input));
  log(`wrote ${values.out}`);
}

/** Writes the page formatted by Prettier, so that `npm run format:check` accepts it. */
async function writePage(file: string, markdown: string): Promise<void> {
  const options = (await resolveConfig(file)) ?? {};
  writeFileSync(file, await format(markdown, { ...options, parser: 'markdown' }));
}

function saveFigures(input: ReportInput): SavedFigures {
  return {
    profile: input.profile.name,
    machine: input.machine,
    startedAt: input.startedAt.toISOString(),
    runs: input.runs.map((run) => ({ ...run, problems: [...run.problems] })),
  };
}

function loadFigures(file: string): ReportInput {
  const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedFigures;
  const profile = BENCH_PROFILES[saved.profile];
  if (!profile) throw new Error(`${file} names an unknown profile "${saved.profile}".`);
  return {
    profile,
    machine: saved.machine,
    startedAt: new Date(saved.startedAt),
    runs: saved.runs.map((run) => ({ ...run, problems: new Map(run.problems) })),
  };
}

/**
 * Runs every benchmark once. Bots run in child processes; the echo bot stays up beside the
 * bot under test so that baseline turns can alternate with measured ones.
 */
async function runOnce(profile: BenchProfile): Promise<RunFigures> {
  const loadAverageAtStart = os.loadavg()[0] ?? 0;
  const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-bench-'));
  const connector = await startFakeConnector();
  const problems = new Map<string, number>();
  const collect = (bot: { problems: ReadonlyMap<string, number> }) => {
    for (const [message, count] of bot.problems) {
      problems.set(message, (problems.get(message) ?? 0) + count);
    }
  };
  const emulator = await startEmulator({
    seed: loadSeed(DEMO_SEED_PATH),
    port: 0,
    latencyInMs: 0,
    retryAfterInSeconds: 0,
    logger: { warn: (_details, message) => problems.set(`emulator: ${message}`, 1) },
  });
  const echo = await startBotChild({ kind: 'echo', logLevel: 'info' });

  try {
    log(`preview turns for ${profile.imageCounts.join(', ')} image definitions`);
    const preview = await runPreviewBench(
      {
        imageCounts: profile.imageCounts,
        latencyInMs: profile.latencyInMs,
        pageSize: profile.pageSize,
        concurrency: VERSION_LIST_CONCURRENCY,
        turnsFor: profile.previewTurnsFor,
        databaseFile: path.join(folder, 'preview.db'),
      },
      connector,
    );
    collect(preview);

    log(`version list concurrency ${profile.concurrencies.join(', ')}`);
    const concurrency = await runConcurrencyBench({
      imageCounts: profile.concurrencyImageCounts,
      concurrencies: profile.concurrencies,
      latencyInMs: profile.latencyInMs,
      pageSize: profile.pageSize,
      runsFor: profile.concurrencyRunsFor,
    });

    log(`approve to decision, ${profile.approve.clicks} clicks at once`);
    const databaseFile = path.join(folder, 'approve.db');
    const gallery = await startBotChild({
      kind: 'gallery',
      resourceManagerUrl: emulator.url,
      caCertificate: emulator.caCertificate,
      databaseFile,
      logLevel: 'info',
    });
    const approve = await runApproveBench(
      { ...profile.approve, storage: { databaseFile } },
      gallery,
      connector,
      emulator,
      echo,
    );

    log('status turns per second, alternating with the echo bot');
    await submitOpenRequests(gallery, connector, profile.statusOpenRequests);
    const chat = personalChat(connector, USERS.lynne);
    const statusReply = await messageTurn(gallery.url, connector, chat, 'status');
    const statusReplyBytes = jsonBytes(statusReply.reply.body);
    const throughput = await compareThroughput(
      echo,
      gallery,
      (index) => {
        if (index % 500 === 0) connector.reset();
        return personalMessage(chat, 'status');
      },
      profile.throughput,
      profile.throughputSlices,
    );
    connector.reset();
    collect(gallery);
    await gallery.stop();
    await echo.stop();

    log(`approve to decision on Azure Table Storage (Azurite), ${profile.approve.clicks} clicks`);
    const approveOnTables = await runApproveOnAzurite(profile, emulator, connector, collect);

    log(`memory over ${profile.memory.turns} mixed turns, echo bot then Gallery Approvals`);
    const freshEcho = await startBotChild({ kind: 'echo', logLevel: 'info' });
    const echoMemory = await runMemoryBench(profile.memory, freshEcho, connector, { echo: true });
    await freshEcho.stop();
    const fresh = await startBotChild({
      kind: 'gallery',
      resourceManagerUrl: emulator.url,
      caCertificate: emulator.caCertificate,
      databaseFile: path.join(folder, 'memory.db'),
      logLevel: 'info',
    });
    const memory = await runMemoryBench(profile.memory, fresh, connector);
    collect(fresh);
    await fresh.stop();

    log('start to /readyz');
    const readiness = await runReadinessBench(profile.readinessStarts);
    const sqlite = runSqliteBench(profile.sqliteCommits);
    return {
      loadAverageAtStart,
      echoThroughput: throughput.baseline,
      statusThroughput: throughput.subject,
      statusReplyBytes,
      preview: preview.figures,
      concurrency,
      approve,
      approveOnTables,
      memory,
      echoMemory,
      readiness,
      sqlite,
      problems,
    };
  } finally {
    await echo.stop();
    await emulator.close();
    await connector.close();
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Measures approve to decision with a new bot whose state is in Azure Table Storage, on a
 * private Azurite with fresh tables, started on loopback without telemetry.
 */
async function runApproveOnAzurite(
  profile: BenchProfile,
  emulator: Emulator,
  connector: FakeConnector,
  collect: (bot: BotChild) => void,
): Promise<ApproveFigures> {
  const azurite = await startAzurite();
  try {
    const storage = { tablesConnectionString: azurite.connectionString };
    const bot = await startBotChild({
      kind: 'gallery',
      resourceManagerUrl: emulator.url,
      caCertificate: emulator.caCertificate,
      ...storage,
      logLevel: 'info',
    });
    try {
      return await runApproveBench({ ...profile.approve, storage }, bot, connector, emulator);
    } finally {
      connector.reset();
      collect(bot);
      await bot.stop();
    }
  } finally {
    await azurite.stop();
  }
}

function log(message: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
