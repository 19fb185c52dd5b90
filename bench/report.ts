import os from 'node:os';
import type { ApproveFigures } from './approve-bench';
import type { ConcurrencyFigures } from './concurrency-bench';
import type { MemoryFigures } from './memory-bench';
import type { PreviewFigures } from './preview-bench';
import type { BenchProfile } from './profiles';
import type { Summary } from './stats';
import type { SqliteCommitFigures } from './sqlite-bench';
import type { Throughput } from './throughput';
import { VERSION_LIST_CONCURRENCY } from '../src/azure/inspect-gallery';
import { bullet, paragraph } from './markdown';
import { installedAzuriteVersion } from '../test/support/azurite';
import { limitsSection } from './report-limits';

/** Every figure of one run of the whole set. */
export interface RunFigures {
  /** The 1-minute load average of the machine when the run started. */
  loadAverageAtStart: number;
  echoThroughput: Throughput;
  preview: PreviewFigures[];
  concurrency: ConcurrencyFigures[];
  approve: ApproveFigures;
  /** The same on Azure Table Storage (Azurite); absent in figures saved before it was measured. */
  approveOnTables?: ApproveFigures;
  statusThroughput: Throughput;
  /** Size of the reply to Lynne's `status`, as JSON; absent in older figures. */
  statusReplyBytes?: number;
  memory: MemoryFigures;
  /** The same measurement on a fresh echo bot, every turn a message. */
  echoMemory: MemoryFigures;
  readiness: Summary;
  sqlite: SqliteCommitFigures;
  /** Warnings and errors logged by the bot processes, by message. */
  problems: ReadonlyMap<string, number>;
}

export interface ReportInput {
  profile: BenchProfile;
  machine: MachineFacts;
  startedAt: Date;
  runs: RunFigures[];
}

/** A target of the benchmarks: the figure of one run and whether it meets the target. */
interface Target {
  figure: string;
  target: string;
  valueOf(run: RunFigures): number | undefined;
  format(value: number): string;
  met(value: number): boolean;
}

export const CARD_LIMIT_BYTES = 28 * 1024;
const MEGABYTE = 1024 * 1024;

/** Renders the benchmark page as Markdown. */
export function renderReport(input: ReportInput): string {
  return (
    [
      header(input),
      machine(input),
      summaryTable(input),
      method(input.profile),
      previewSection(input),
      concurrencySection(input),
      approveSection(input),
      throughputSection(input),
      memorySection(input),
      readinessSection(input),
      problemsSection(input),
      howToRead(),
      limitsSection(input),
    ].join('\n\n') + '\n'
  );
}

function header(input: ReportInput): string {
  const note =
    input.profile.name === 'tiny'
      ? '\n\nThis page comes from the tiny profile (`--tiny`): a few turns of each benchmark, ' +
        'enough to check that the runner works. Its figures mean nothing.'
      : '';
  return (
    '# Benchmarks\n\n' +
    'Written by `npm run bench` (`bench/run.ts`); run it again rather than editing this page. ' +
    `Started ${input.startedAt.toISOString()}, ${input.runs.length} run(s) of the whole set.` +
    note
  );
}

/** The machine and Node.js that ran the benchmarks, read when they started. */
export interface MachineFacts {
  cpuCount: number;
  cpuModel: string;
  totalMemoryInBytes: number;
  os: string;
  nodeVersion: string;
  /** Absent in figures saved before Azurite was part of the benchmarks. */
  azuriteVersion?: string;
}

export function readMachineFacts(): MachineFacts {
  const cpus = os.cpus();
  return {
    cpuCount: cpus.length,
    cpuModel: cpus[0]?.model ?? 'unknown',
    totalMemoryInBytes: os.totalmem(),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    nodeVersion: process.version,
    azuriteVersion: installedAzuriteVersion(),
  };
}

function machine(input: ReportInput): string {
  const { machine: facts } = input;
  const loads = input.runs
    .map((run, index) => `run ${index + 1}: ${run.loadAverageAtStart.toFixed(2)}`)
    .join(', ');
  return [
    '## Machine',
    '',
    `- CPU: ${facts.cpuCount} × ${facts.cpuModel}`,
    `- Memory: ${(facts.totalMemoryInBytes / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${facts.os}`,
    `- Node.js: ${facts.nodeVersion}`,
    ...(facts.azuriteVersion ? [`- Azurite: ${facts.azuriteVersion}`] : []),
    bullet(
      `Load average (1 min) when each run started: ${loads}. Other processes share this`,
      'machine, so absolute times vary between and within runs. Compare the ratios, whose two',
      'sides are measured side by side.',
    ),
    `- Profile: ${input.profile.name}`,
  ].join('\n');
}

function targets(input: ReportInput): Target[] {
  const latencyInMs = input.profile.latencyInMs;
  return [
    {
      figure: 'Preview of 10 images, p50 ÷ echo bot making the same reads, p50',
      target: '≤ 1.2×',
      valueOf: (run) => previewRatio(run, 10, 'reads'),
      format: ratio,
      met: (value) => value <= 1.2,
    },
    {
      figure: `Preview of 10 images, p50 ÷ (echo p50 + round trips × ${latencyInMs} ms)`,
      target: '≤ 1.2×',
      valueOf: (run) => previewRatio(run, 10, 'nominal', latencyInMs),
      format: ratio,
      met: (value) => value <= 1.2,
    },
    {
      figure: `Preview of 1,000 images, p50 ÷ echo bot making the same reads, ${VERSION_LIST_CONCURRENCY} in flight, p50`,
      target: '≤ 2×',
      valueOf: (run) => previewRatio(run, 1000, 'reads'),
      format: ratio,
      met: (value) => value <= 2,
    },
    {
      figure: `Preview of 1,000 images, p50 ÷ (echo p50 + round trips at concurrency ${VERSION_LIST_CONCURRENCY} × ${latencyInMs} ms)`,
      target: '≤ 2×',
      valueOf: (run) => previewRatio(run, 1000, 'nominal', latencyInMs),
      format: ratio,
      met: (value) => value <= 2,
    },
    {
      figure: 'Largest preview activity, any gallery size',
      target: `< 28 KB (${CARD_LIMIT_BYTES.toLocaleString('en-US')} B)`,
      valueOf: (run) => Math.max(...run.preview.map((figure) => figure.activityBytes)),
      format: bytes,
      met: (value) => value < CARD_LIMIT_BYTES,
    },
    {
      figure: '`status` turns per second at 20 concurrent ÷ echo bot',
      target: '≥ 0.8×',
      valueOf: (run) => run.statusThroughput.turnsPerSecond / run.echoThroughput.turnsPerSecond,
      format: ratio,
      met: (value) => value >= 0.8,
    },
    {
      figure: 'Approve to decision p95, SQLite, no Azure latency',
      target: '≤ 150 ms',
      valueOf: (run) => run.approve.latency.p95,
      format: milliseconds,
      met: (value) => value <= 150,
    },
    {
      figure: 'RSS growth: after forced GC − at start',
      target: '≤ 30 MB',
      valueOf: (run) => (run.memory.afterGc.rss - run.memory.start.rss) / MEGABYTE,
      format: (value) => `${value.toFixed(1)} MB`,
      met: (value) => value <= 30,
    },
  ];
}

function summaryTable(input: ReportInput): string {
  const runHeads = input.runs.map((_, index) => `Run ${index + 1}`);
  const rows = targets(input).map((target) => {
    const values = input.runs.map((run) => target.valueOf(run));
    const measured = values.filter((value): value is number => value !== undefined);
    const verdict =
      measured.length === 0
        ? 'not measured'
        : measured.every(target.met)
          ? 'met'
          : measured.some(target.met)
            ? 'met in some runs'
            : '**missed**';
    const cells = values.map((value) => (value === undefined ? '–' : target.format(value)));
    return `| ${target.figure} | ${target.target} | ${cells.join(' | ')} | ${verdict} |`;
  });
  const echoBurst = input.runs.map((run) =>
    optionalMilliseconds(run.approve.echoBurstLatency?.p95),
  );
  rows.push(
    `| Echo bot, as many messages at once as clicks, p95 | none | ${echoBurst.join(' | ')} | – |`,
  );
  const onTables = input.runs.map((run) => optionalMilliseconds(run.approveOnTables?.latency.p95));
  rows.push(
    `| Approve to decision p95, Azure Table Storage on Azurite, no Azure latency | none | ${onTables.join(' | ')} | – |`,
  );
  const readiness = input.runs.map((run) => milliseconds(run.readiness.p50));
  rows.push(`| Start to \`/readyz\` 200, sandbox, p50 | none | ${readiness.join(' | ')} | – |`);
  return [
    '## Targets',
    '',
    `| Figure | Target | ${runHeads.join(' | ')} | Verdict |`,
    `| --- | --- | ${runHeads.map(() => '---:').join(' | ')} | --- |`,
    ...rows,
  ].join('\n');
}

function method(profile: BenchProfile): string {
  const { throughput, memory } = profile;
  return [
    '## Method',
    '',
    bullet(
      '**Processes.** Each bot runs alone in a child process (`bench/bot-process.ts`), started',
      'with `--expose-gc`. The runner process holds the Bot Connector stand-in',
      '(`test/support/fake-connector.ts`, plain HTTP on loopback), the Resource Manager',
      'emulator and the client that posts activities, so the bot’s CPU and memory are its own.',
    ),
    bullet(
      '**Baseline.** The echo bot (`bench/echo-bot.ts`) runs behind the same `startServer` as',
      'Gallery Approvals (restify, body parser, botbuilder `CloudAdapter`, no app id) and',
      'replies to each message with its text. It stays up beside the bot under test: echo',
      'turns precede each preview turn, and echo and `status` throughput alternate in slices,',
      'so that both sides of every ratio run under the same load from other processes.',
    ),
    bullet(
      '**Echo with the same reads.** For the preview, a second echo bot answers `read <gallery',
      'id>` only after it has read that gallery with the requests that the inspection makes.',
      'It sends them in the same order and with as many version lists in flight, through',
      'Node’s `https` with a keep-alive agent, and parses them with `JSON.parse`',
      '(`bench/plain-reads.ts`). It makes no SDK call,',
      'no check, no store write and no card. It is the turn of a bot that does nothing but the',
      'unavoidable round trips, and so the baseline of the preview targets. The nominal bound',
      'beside it counts only the fixed latency of those round trips.',
    ),
    bullet(
      '**Turns.** Activities are built like the integration tests’',
      '(`test/support/activities.ts`) and posted with `fetch`. A message turn ends when the',
      'reply reaches the connector, an invoke ends with the invoke response, and a throughput',
      'turn ends with the HTTP response, which the bot sends after its reply.',
    ),
    bullet(
      `**Preview.** Generated seeds (\`bench/gallery-seed.ts\`) add galleries of`,
      `${profile.imageCounts.map((count) => count.toLocaleString('en-US')).join(', ')} image`,
      'definitions with one version each, copied from readyGallery, so each preview is a card',
      `with no blocker. Every Resource Manager request waits ${profile.latencyInMs} ms, lists return`,
      `${profile.pageSize} items per page, and one \`publish\` is in flight at a time. The server is`,
      '`bench/indexed-emulator.ts`: the emulator’s own route handlers over an index of its',
      'world, because the emulator scans every resource on each request, so its CPU and not',
      'the bot’s would set the pace above 100 images. A test checks that both return the same',
      'snapshot.',
    ),
    bullet(
      '**Unavoidable round trips** for N image definitions and page size P: ⌈N / P⌉ + 1. The',
      'gallery, the first page of image definitions and the application list need nothing from',
      'each other. Every further page needs the previous `nextLink`, and the last page’s',
      'version lists follow it. **With concurrency C** for version lists: 1 + max(⌈N / C⌉,',
      '⌈N / P⌉). A nominal bound is the round trips times the fixed latency plus the echo turn.',
    ),
    bullet(
      '**Concurrency.** `inspectGallery` alone, in the runner, at each version list',
      'concurrency, against the indexed emulator with the same latency.',
    ),
    bullet(
      '**Approve to decision.** The emulator with the demonstration seed and no added latency.',
      'Per round Lynne (no role on the gallery) previews and submits readyGallery, the approval',
      'cards reach all four approvers (Alex, Megan, and Adele and Isaiah through a group), and',
      'then all clicks are sent at once, spread over the four. The round ends when the share',
      'has finished, and readyGallery is then made private again. The audit trail must show',
      'one approval per request. After each round the echo bot gets as many messages at once,',
      'as the baseline of a burst. The bot process is new, so a first round, left out of the',
      'figures, lets V8 optimize its code as it has the echo bot’s. Its clicks are shown apart',
      'as the first burst after start. The same rounds run again with a new bot whose state is',
      'in Azure Table Storage on a private Azurite (fresh tables, loopback,',
      '`--disableTelemetry`), with no echo burst after them.',
    ),
    bullet(
      `**Throughput.** \`status\` from Lynne, who has ${profile.statusOpenRequests} open requests`,
      '(submitted after the approve rounds and left pending), so that every reply lists them.',
      `${throughput.concurrency} in flight, closed loop, after`,
      `${throughput.warmUpTurns} warm-up turns, at most ${throughput.turns} turns or`,
      `${throughput.maxDurationInMs / 1000} s per bot, in ${profile.throughputSlices} slices that alternate with the echo`,
      'bot, which gets the same activities. CPU time per turn comes from the bot process’s',
      '`process.cpuUsage()`.',
    ),
    bullet(
      '**Memory.** A fresh bot process: `process.memoryUsage()` after start and `global.gc()`,',
      `after up to ${memory.turns.toLocaleString('en-US')} mixed turns (${memory.concurrency} in flight), and after`,
      '`global.gc()` again. The turns run in four quarters with `global.gc()` after each,',
      'which shows whether memory levels off. A fresh echo bot gets the same messages',
      'first, as the baseline. Each collection follows 2 s without turns. It runs with V8’s',
      '`--compact-on-every-full-gc` set for that collection only, so that it also moves objects',
      'off partly used old-generation pages and gives those back. V8 does the same by itself',
      'after about 8 s without work. RSS is then read once it falls by less than 256 KB in 100 ms, at',
      'most 3 s later. V8 gives freed pages back to the system on helper threads after',
      '`global.gc()` returns.',
    ),
    bullet(
      '**Start to `/readyz`.** `src/main.ts` in sandbox mode through tsx (as `npm start`),',
      'from spawning the process to the first 200, polled every 10 ms.',
    ),
    bullet('**Percentiles** are nearest-rank, so with fewer than 20 samples p95 is the maximum.'),
  ].join('\n');
}

function previewSection(input: ReportInput): string {
  const latencyInMs = input.profile.latencyInMs;
  const rows = input.runs.flatMap((run, index) =>
    run.preview.map((figure) => {
      const nominal = figure.echoLatency.p50 + figure.boundedRoundTrips * latencyInMs;
      const reads = figure.readLatency.p50;
      return [
        index + 1,
        figure.imageCount.toLocaleString('en-US'),
        figure.latency.count,
        `${milliseconds(figure.echoLatency.p50)} / ${milliseconds(figure.echoLatency.p95)}`,
        milliseconds(figure.latency.p50),
        milliseconds(figure.latency.p95),
        milliseconds(figure.cpuPerTurnInMs),
        figure.requestsPerTurn.toLocaleString('en-US'),
        `${figure.boundedRoundTrips} → ${milliseconds(nominal)}`,
        ratio(figure.latency.p50 / nominal),
        milliseconds(reads),
        ratio(figure.latency.p50 / reads),
        bytes(figure.cardBytes),
        bytes(figure.activityBytes),
        figure.storedRequestBytes === undefined ? '–' : bytes(figure.storedRequestBytes),
      ].join(' | ');
    }),
  );
  return [
    '## Preview turn by gallery size',
    '',
    paragraph(
      'Each preview turn follows two turns of the echo bot: a plain one, and one in which it',
      'first reads the same gallery with the same requests over plain HTTPS. The nominal bound',
      `is the plain echo turn plus the round trips (with ${VERSION_LIST_CONCURRENCY} version lists in`,
      `flight) times ${latencyInMs} ms. It leaves out what the round trips themselves cost in TLS,`,
      'HTTP and the emulator, which the echo turn with the same reads includes.',
    ),
    '',
    '| Run | Images | Turns | Echo p50 / p95 | p50 | p95 | Bot CPU per turn | Requests | ' +
      'Round trips → nominal bound | p50 ÷ nominal bound | Echo with the same reads p50 | ' +
      'p50 ÷ echo with the same reads | Card | Activity | Stored request |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function concurrencySection(input: ReportInput): string {
  const latencyInMs = input.profile.latencyInMs;
  const rows = input.runs.flatMap((run, index) =>
    run.concurrency.map((figure) => {
      const bound = figure.boundedRoundTrips * latencyInMs;
      return [
        index + 1,
        figure.imageCount.toLocaleString('en-US'),
        figure.concurrency,
        figure.duration.count,
        milliseconds(figure.duration.p50),
        milliseconds(figure.duration.max),
        figure.requests.toLocaleString('en-US'),
        `${figure.boundedRoundTrips} → ${milliseconds(bound)}`,
        ratio(figure.duration.p50 / bound),
      ].join(' | ');
    }),
  );
  return [
    '## Version list concurrency',
    '',
    `\`inspectGallery\` alone at ${latencyInMs} ms per request. The bot uses ` +
      `\`VERSION_LIST_CONCURRENCY = ${VERSION_LIST_CONCURRENCY}\` (\`src/azure/inspect-gallery.ts\`).`,
    '',
    '| Run | Images | Concurrency | Runs | p50 | Max | Requests | Round trips → bound | p50 ÷ bound |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function approveSection(input: ReportInput): string {
  const row = (run: number, store: string, figures: ApproveFigures) =>
    [
      run,
      store,
      `${figures.rounds} × ${figures.clicks}`,
      milliseconds(figures.latency.p50),
      milliseconds(figures.latency.p95),
      milliseconds(figures.latency.max),
      optionalMilliseconds(figures.echoBurstLatency?.p50),
      optionalMilliseconds(figures.echoBurstLatency?.p95),
      optionalMilliseconds(figures.firstBurstLatency?.p95),
      milliseconds(figures.cpuPerClickInMs),
      figures.decisionsPerSecond.toFixed(0),
      `${figures.singleApprovalRounds} of ${figures.rounds}`,
    ].join(' | ');
  const rows = input.runs.flatMap((run, index) => [
    row(index + 1, 'SQLite', run.approve),
    ...(run.approveOnTables ? [row(index + 1, 'Azurite', run.approveOnTables)] : []),
  ]);
  const kinds = new Set(input.runs.flatMap((run) => Object.keys(run.approve.requestsPerClick)));
  const kindRows = [...kinds].sort().map((kind) => {
    const cells = input.runs.map((run) => (run.approve.requestsPerClick[kind] ?? 0).toFixed(2));
    return `| ${kind} | ${cells.join(' | ')} |`;
  });
  return [
    '## Approve to decision',
    '',
    'Invoke responses per second of burst count every click, the one that decides and those',
    'that are refused because another click decided first. The echo burst is the echo bot',
    'answering as many messages sent at once, after each round: what the same HTTP and',
    'botbuilder stack needs to take in a burst of that size. It runs after the SQLite rounds only.',
    '',
    '| Run | Store | Rounds × clicks | p50 | p95 | Max | Echo burst p50 | Echo burst p95 | First burst after start, p95 | Bot CPU per click | Invoke responses per second | One approval recorded |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
    '',
    'Emulator requests during a SQLite burst, per click, by kind (the share and its polls follow',
    'the one approval and run in the background):',
    '',
    `| Kind | ${input.runs.map((_, index) => `Run ${index + 1}`).join(' | ')} |`,
    `| --- | ${input.runs.map(() => '---:').join(' | ')} |`,
    ...kindRows,
  ].join('\n');
}

function throughputSection(input: ReportInput): string {
  const rows = input.runs.map((run, index) =>
    [
      index + 1,
      `${run.echoThroughput.turnsPerSecond.toFixed(0)} (${run.echoThroughput.turns} turns)`,
      `${run.statusThroughput.turnsPerSecond.toFixed(0)} (${run.statusThroughput.turns} turns)`,
      ratio(run.statusThroughput.turnsPerSecond / run.echoThroughput.turnsPerSecond),
      optionalMilliseconds(run.echoThroughput.cpuPerTurnInMs),
      optionalMilliseconds(run.statusThroughput.cpuPerTurnInMs),
      milliseconds(run.echoThroughput.latency.p95),
      milliseconds(run.statusThroughput.latency.p95),
      run.statusReplyBytes === undefined ? '–' : bytes(run.statusReplyBytes),
    ].join(' | '),
  );
  return [
    '## `status` throughput',
    '',
    '| Run | Echo turns/s | `status` turns/s | Ratio | Echo CPU per turn | `status` CPU per turn | Echo p95 | `status` p95 | `status` reply |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function memorySection(input: ReportInput): string {
  const mix = Object.entries(input.runs[0]?.memory.mix ?? {})
    .map(([name, share]) => `${name} ${(share * 100).toFixed(0)}%`)
    .join(', ');
  const row = (run: number, bot: string, memory: MemoryFigures) =>
    [
      run,
      bot,
      memory.turns.toLocaleString('en-US'),
      megabytes(memory.start.rss),
      megabytes(memory.afterTurns.rss),
      megabytes(memory.afterGc.rss),
      megabytes(memory.afterGc.rss - memory.start.rss),
      residentGrowth(memory),
      `${megabytes(memory.start.heapUsed)} → ${megabytes(memory.afterTurns.heapUsed)} → ${megabytes(memory.afterGc.heapUsed)}`,
      megabytes(memory.afterGc.heapUsed - memory.start.heapUsed),
      memory.afterGcByQuarter.map((quarter) => megabytes(quarter.rss)).join(' → '),
      memory.afterGcByQuarter.map((quarter) => megabytes(quarter.heapUsed)).join(' → '),
    ].join(' | ');
  const rows = input.runs.flatMap((run, index) => [
    row(index + 1, 'echo', run.echoMemory),
    row(index + 1, 'Gallery Approvals', run.memory),
  ]);
  return [
    '## Memory',
    '',
    paragraph(
      `Mix of turns: ${mix}. The echo bot gets the same messages, and a \`status\` message in`,
      'place of each invoke.',
    ),
    '',
    '| Run | Bot | Turns | RSS at start | After turns | After GC | RSS growth | Of it anonymous / file-backed | Heap used: start → after turns → after GC | Heap growth | RSS after GC by quarter | Heap after GC by quarter |',
    '| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((line) => `| ${line} |`),
  ].join('\n');
}

/** Growth of anonymous and of file-backed resident pages, start to after GC, or a dash. */
export function residentGrowth(memory: MemoryFigures): string {
  const start = memory.start.resident;
  const end = memory.afterGc.resident;
  if (!start || !end) return '–';
  return `${megabytes(end.anonymous - start.anonymous)} / ${megabytes(end.fileBacked - start.fileBacked)}`;
}

function readinessSection(input: ReportInput): string {
  const rows = input.runs.map((run, index) =>
    [
      index + 1,
      run.readiness.count,
      milliseconds(run.readiness.min),
      milliseconds(run.readiness.p50),
      milliseconds(run.readiness.max),
    ].join(' | '),
  );
  return [
    '## Start to `/readyz`',
    '',
    '| Run | Starts | Min | p50 | Max |',
    '| ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

function problemsSection(input: ReportInput): string {
  const totals = new Map<string, number>();
  for (const run of input.runs) {
    for (const [message, count] of run.problems) {
      totals.set(message, (totals.get(message) ?? 0) + count);
    }
  }
  const lines =
    totals.size === 0
      ? ['None.']
      : [...totals].map(([message, count]) => `- ${count} × ${message}`);
  return ['## Warnings and errors the bots logged', '', ...lines].join('\n');
}

function howToRead(): string {
  return [
    '## How to read these figures',
    '',
    '- A ratio compares two figures of the same run, so load from other processes affects',
    '  both sides. Differences between runs show how much noise there is.',
    '- The echo bot with the same reads is what a bot would reach that adds no work of its own',
    '  to the round trips. A ratio of 1.2× means that the bot adds a fifth of that turn in SDK',
    '  request handling, checks, storage and the card. The nominal bound is lower still,',
    '  because it also counts the round trips as free of CPU at both ends.',
    '- Real Resource Manager latency is not a fixed 20 ms, and above 250 reads per',
    '  subscription and principal Resource Manager throttles reads to 25 per second (token',
    '  bucket, Microsoft Learn, “Understand how Azure Resource Manager throttles requests”).',
    '  A preview of N image definitions makes about N + 3 reads, so the figures for 1,000',
    '  and 5,000 images are the best case. In Azure such a preview takes at least',
    '  (N + 3 − 250) ÷ 25 seconds once the bucket is empty.',
    '- Card sizes count the Adaptive Card and the whole activity as UTF-8 JSON, against the',
    '  28 KB budget that src/cards/adaptive-card.ts enforces (`MAX_CARD_BYTES`).',
    '- RSS includes memory that V8 and the allocator keep after a collection; heap used',
    '  after GC is the live JavaScript data.',
  ].join('\n');
}

/**
 * A preview's p50 latency divided by its baseline: `reads` is the echo bot that makes the same
 * reads over plain HTTPS, `nominal` the plain echo turn plus the round trips at the fixed
 * latency. Undefined when the run has no preview of that size.
 */
export function previewRatio(
  run: RunFigures,
  imageCount: number,
  baseline: 'reads' | 'nominal',
  latencyInMs = 0,
): number | undefined {
  const figure = run.preview.find((candidate) => candidate.imageCount === imageCount);
  if (!figure) return undefined;
  if (baseline === 'reads') {
    return figure.latency.p50 / figure.readLatency.p50;
  }
  return figure.latency.p50 / (figure.echoLatency.p50 + figure.boundedRoundTrips * latencyInMs);
}

export function ratio(value: number): string {
  return `${value.toFixed(2)}×`;
}

export function milliseconds(value: number): string {
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  return value >= 10 ? `${value.toFixed(1)} ms` : `${value.toFixed(2)} ms`;
}

function optionalMilliseconds(value: number | undefined): string {
  return value === undefined ? '–' : milliseconds(value);
}

export function bytes(value: number): string {
  return `${value.toLocaleString('en-US')} B`;
}

export function megabytes(value: number): string {
  return `${(value / MEGABYTE).toFixed(1)} MB`;
}
