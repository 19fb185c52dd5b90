import { VERSION_LIST_CONCURRENCY } from '../src/azure/inspect-gallery';
import { paragraph } from './markdown';
import type { PreviewFigures } from './preview-bench';
import {
  bytes,
  megabytes,
  milliseconds,
  ratio,
  residentGrowth,
  type ReportInput,
  type RunFigures,
} from './report';

/**
 * Writes the section that explains what limits each figure. Its numbers come from the runs on
 * this page. Its causes come from profiles taken with `bench/profile.ts` and from reading the
 * measured code, so they name the files where a fix belongs.
 */
export function limitsSection(input: ReportInput): string {
  return [
    '## What limits the figures',
    previewSmall(input),
    previewLarge(input),
    concurrencyChoice(input),
    approve(input),
    throughput(input),
    memory(input),
    readiness(),
  ]
    .filter((paragraph) => paragraph !== '')
    .join('\n\n');
}

/** Formats the value of each run, joined with "/" when there is more than one run. */
function perRun(
  runs: RunFigures[],
  value: (run: RunFigures) => number | undefined,
  format: (value: number) => string,
): string {
  const values = runs.map(value).filter((item): item is number => item !== undefined);
  return values.length === 0 ? 'not measured' : values.map(format).join(' / ');
}

function mapDefined<T, R>(value: T | undefined, map: (value: T) => R): R | undefined {
  return value === undefined ? undefined : map(value);
}

/** Formats a time taken from the preview of `imageCount` images, for each run. */
function perPreview(
  runs: RunFigures[],
  imageCount: number,
  value: (figure: PreviewFigures) => number,
): string {
  return perRun(
    runs,
    (run) => {
      const figure = figureFor(run, imageCount);
      return figure && value(figure);
    },
    milliseconds,
  );
}

function figureFor(run: RunFigures, imageCount: number): PreviewFigures | undefined {
  return run.preview.find((figure) => figure.imageCount === imageCount);
}

function previewSmall(input: ReportInput): string {
  const runs = input.runs;
  const smallest = Math.min(...input.profile.imageCounts);
  const cpu = perRun(runs, (run) => figureFor(run, smallest)?.cpuPerTurnInMs, milliseconds);
  const echoCpu = perRun(runs, (run) => run.echoThroughput.cpuPerTurnInMs, milliseconds);
  const full = perRun(runs, (run) => run.sqlite.fullInMs, milliseconds);
  const normal = perRun(runs, (run) => run.sqlite.normalInMs, milliseconds);
  // An fsync that costs a tenth of a millisecond or more, several times NORMAL, is worth naming.
  const fsyncMatters = runs.some(
    (run) => run.sqlite.fullInMs >= 0.1 && run.sqlite.fullInMs >= 3 * run.sqlite.normalInMs,
  );
  const storage = fsyncMatters
    ? [
        'Each commit waits for an fsync of the write-ahead log, because the store keeps SQLite’s',
        `default \`synchronous=FULL\`: ${full} per commit on this machine, against ${normal} with`,
        '`synchronous=NORMAL`. Setting `synchronous = NORMAL` beside `journal_mode = WAL` in',
        'src/store/sqlite-store.ts would remove that wait (a WAL database stays consistent after',
        'a crash, and only the last commits can be lost when the machine loses power).',
      ]
    : [
        `A commit took ${full} with SQLite’s default \`synchronous=FULL\` in these runs (${normal}`,
        'with `synchronous=NORMAL`), so fsync did not limit them. Under heavy load from other',
        'processes a commit has taken over 1 ms on this machine, and then `synchronous = NORMAL`',
        'in src/store/sqlite-store.ts would matter.',
      ];
  const forSmallest = (value: (figure: PreviewFigures) => number) =>
    perPreview(runs, smallest, value);
  const latencyInMs = input.profile.latencyInMs;
  return paragraph(
    `**Preview of small galleries.** The inspection makes only the unavoidable round trips (two`,
    `for ${smallest} images: the gallery, the image definition list and the application list`,
    `together, then the version lists). The echo bot needs ${forSmallest((figure) => figure.readLatency.p50)}`,
    `(p50, per run) to make the same reads over plain HTTPS. The nominal bound allows`,
    `${forSmallest((figure) => figure.echoLatency.p50 + figure.boundedRoundTrips * latencyInMs)}.`,
    `The difference is that beyond the fixed ${latencyInMs} ms, each round trip costs TLS and HTTP`,
    'work in the client and in the emulator, on the same two cores. The preview takes',
    `${forSmallest((figure) => figure.latency.p50)}, so the bot's own work adds`,
    `${forSmallest((figure) => figure.latency.p50 - figure.readLatency.p50)} to the turn. That work is`,
    `${cpu} of CPU per ${smallest}-image preview, against ${echoCpu} per echo turn.`,
    'An instrumented run on 2026-12-05 timed 45 previews of 10 images, with timestamps from the',
    'bot and from the stand-in on one monotonic clock. A turn of about 55 ms took 49.5 ms for',
    'the reads and 1.0 ms for the checks. The two commits took 0.7 ms, rendering the card 1.4 ms,',
    'and the reply 2.4 ms until the connector had it. Of the reads, 40 ms is the fixed latency. The',
    'stand-in’s timers fired 0.5 to 0.9 ms late per round trip, and it spent 0.1 ms per request.',
    'The SDK took 1.3 ms from the start until the first request arrived, 1.0 ms from the image',
    'list’s response to the first version list call, and 2.2 ms more until the first version list',
    'arrived. The tenth call came 1.6 ms after the first, so the first request went out only after',
    'all ten had been prepared: their promise chains advance together. From the last response to',
    'the end of the reads took 1.7 ms. With',
    'no work at all after the reads, the turn would still be about 1.22× the nominal bound. Most',
    'of the CPU is',
    'in the HTTPS requests. In CPU profiles (`npx tsx bench/profile.ts preview --images',
    `${smallest}\` and \`--images 1000\`), Node’s HTTP and TLS code and the Azure SDK pipeline took`,
    `about 0.7 ms of CPU per request, and a ${smallest}-image preview makes ${smallest + 3}`,
    'requests. A separate micro-benchmark on this machine (2026-12-04) kept ten requests in',
    'flight to a loopback HTTPS server. There Node’s `https` alone took about 0.35 ms of client',
    'CPU per request, undici took the same, and the compute client 0.6 to 0.8 ms. A faster HTTP client',
    'under the SDK would therefore save little, because the SDK’s own pipeline (URL templates,',
    'headers, policies, serializers) costs as much as the HTTP and TLS work beneath it.',
    'Resource Manager has no call that lists the versions of every image definition in',
    'a gallery, so each image definition costs one request. The request card renders in about 1',
    'ms, because src/cards/template.ts expands the templates without the Adaptive Expressions',
    'interpreter. The turn commits to SQLite twice before the reply, for the draft request and',
    'its audit record. Conversation references are written only when they change.',
    ...storage,
  );
}

function previewLarge(input: ReportInput): string {
  const runs = input.runs;
  const largest = Math.max(...input.profile.imageCounts);
  const smallest = Math.min(...input.profile.imageCounts);
  if (largest === smallest) return '';
  const latencyInMs = input.profile.latencyInMs;
  const perImage = perRun(
    runs,
    (run) => {
      const large = figureFor(run, largest);
      const small = figureFor(run, smallest);
      if (!large || !small) return undefined;
      return (large.cpuPerTurnInMs - small.cpuPerTurnInMs) / (largest - smallest);
    },
    (value) => `${value.toFixed(2)} ms`,
  );
  const sizes = input.profile.imageCounts.filter((count) => count >= 1000);
  const bySize = sizes.map((imageCount) => {
    const take = (value: (figure: PreviewFigures) => number) => perPreview(runs, imageCount, value);
    return (
      `At ${imageCount.toLocaleString('en-US')} images a preview takes ${take((figure) => figure.latency.p50)}` +
      ` against round trips worth ${take((figure) => figure.boundedRoundTrips * latencyInMs)},` +
      ` with ${take((figure) => figure.cpuPerTurnInMs)} of bot CPU. The echo bot makes the same` +
      ` reads in ${take((figure) => figure.readLatency.p50)}.`
    );
  });
  const stored = perRun(runs, (run) => figureFor(run, largest)?.storedRequestBytes, megabytes);
  return paragraph(
    `**Preview of large galleries.** Each image definition adds about ${perImage} of bot CPU`,
    `(per run). ${bySize.join(' ')} The emulator serves every HTTPS request from the runner`,
    'process, so the bot and the emulator share the machine’s two cores with other processes.',
    'The CPU at both ends of each request is therefore the limit rather than the round trips:',
    'the echo bot, which spends nothing but that CPU, is above the nominal bound too. The',
    'stand-in itself used to cost about as much CPU per request as TLS, because each',
    'authorization check copied every role definition and the same paths were split and decoded',
    'again and again (bench/indexed-world.ts). After that was fixed on 2026-12-05, reading 1,000',
    'image definitions at 20 ms per request, client and stand-in in one process, took 552 ms in',
    'place of 727 ms. Per',
    'image the bot sends and parses one more HTTPS request through the SDK pipeline, which',
    `costs about 0.7 ms of CPU (see above). ${latencyInMs} ms spread over`,
    `${VERSION_LIST_CONCURRENCY} lists in flight leaves only`,
    `${(latencyInMs / VERSION_LIST_CONCURRENCY).toFixed(2)} ms per request. The bot also checks the`,
    'definition and its version, hashes them, and stores them. So the CPU, and not the round trips, sets',
    'the pace of a large preview on this machine. The request document holds the whole snapshot',
    `(${stored} at ${largest.toLocaleString('en-US')} images). The store writes it when the draft is`,
    'created and again when the card message is added (`addCards` in src/workflow/service.ts).',
    'Storing the card messages in their own documents would save the second write. In Azure,',
    'Resource Manager throttling (see “How to read”) makes these previews much slower than any',
    'of this.',
  );
}

function concurrencyChoice(input: ReportInput): string {
  const runs = input.runs;
  const counts = input.profile.concurrencyImageCounts;
  const lines = counts.map((imageCount) => {
    const cells = input.profile.concurrencies.map((concurrency) => {
      const value = perRun(
        runs,
        (run) =>
          run.concurrency.find(
            (figure) => figure.imageCount === imageCount && figure.concurrency === concurrency,
          )?.duration.p50,
        milliseconds,
      );
      return `${concurrency}: ${value}`;
    });
    return `  ${imageCount.toLocaleString('en-US')} images, p50 by concurrency: ${cells.join('; ')}.`;
  });
  return [
    `**Version list concurrency.** The bot keeps ${VERSION_LIST_CONCURRENCY} version lists in flight`,
    '(`VERSION_LIST_CONCURRENCY` in src/azure/inspect-gallery.ts). Measured here:',
    '',
    ...lines.map((line) => `- ${line.trim()}`),
    '',
    paragraph(
      'With the image definition list at 50 items per page, a concurrency above 50 cannot beat',
      'the chain of pages (⌈N / 50⌉ + 1 round trips). A concurrency below it leaves the',
      'version lists as the slower chain (1 + ⌈N / C⌉). 64 is the smallest power of two above',
      'the page size, so it reaches the bound of the page chain, and nothing above it gains',
      'while pages hold 50 items. The concurrency does not change how many reads a preview',
      'makes, so it does not change when Resource Manager starts to throttle; the bot holds about',
      '64 connections to Resource Manager during a large preview. With real latency (tens',
      'to hundreds of milliseconds per list) round trips weigh more than here, which favours',
      'the higher concurrency further.',
    ),
  ].join('\n');
}

function approve(input: ReportInput): string {
  const runs = input.runs;
  const clicks = runs[0]?.approve.clicks ?? 0;
  const cpu = perRun(runs, (run) => run.approve.cpuPerClickInMs, milliseconds);
  const p95 = perRun(runs, (run) => run.approve.latency.p95, milliseconds);
  const echoP95 = perRun(runs, (run) => run.approve.echoBurstLatency?.p95, milliseconds);
  const firstP95 = perRun(runs, (run) => run.approve.firstBurstLatency?.p95, milliseconds);
  const echoAboveTarget = runs.every((run) => (run.approve.echoBurstLatency?.p95 ?? 0) > 150);
  const botMeetsTarget = runs.every((run) => run.approve.latency.p95 <= 150);

  // Every click that runs the Azure checks reads the role assignments once.
  const checkingClicks = (run: RunFigures) =>
    (run.approve.requestsPerClick['role assignments'] ?? 0) * run.approve.clicks;
  const checking = perRun(runs, checkingClicks, (value) => value.toFixed(0));
  const requests = perRun(
    runs,
    (run) =>
      Object.entries(run.approve.requestsPerClick)
        .filter(([kind]) => !kind.startsWith('share') && kind !== 'community gallery')
        .reduce((sum, [, count]) => sum + count, 0) * run.approve.clicks,
    (value) => value.toFixed(0),
  );
  const onlyWinnerChecks = runs.every((run) => checkingClicks(run) <= 1.5);
  const tablesP95 = perRun(runs, (run) => run.approveOnTables?.latency.p95, milliseconds);
  const tablesCpu = perRun(runs, (run) => run.approveOnTables?.cpuPerClickInMs, milliseconds);
  const onTables = runs.some((run) => run.approveOnTables)
    ? [
        `On Azure Table Storage (Azurite) the same bursts had a p95 of ${tablesP95}, with`,
        `${tablesCpu} of bot CPU per click. There each click reads the request with an HTTP`,
        'request through @azure/data-tables in place of a SQLite read. In the store benchmark of',
        'docs/scaling.md a get took 1.70 ms against 0.01 ms, and Azurite itself runs on the same',
        'two cores. No target applies to that store. On Azure, each read also waits for the round',
        'trip to the storage account.',
      ]
    : [];

  const checks =
    '`findApprovers` and the re-inspection of the gallery for the hash check. `findApprovers` ' +
    'reads the role assignments at the gallery’s scope, then the role definitions of assigned ' +
    'roles other than Owner and Compute Gallery Sharing Admin, then group members and display ' +
    'names from Microsoft Graph. Each step makes its reads side by side. The re-inspection ' +
    'reads the gallery, the image definition list, the application list and one version list ' +
    'per image';

  const azure = onlyWinnerChecks
    ? [
        `Azure calls stay on the path of one click per request only: ${requests} requests per round`,
        `(per run). They are ${checks}. The other clicks wait behind it, one click of a request`,
        'at a time (src/workflow/decisions.ts), find the request decided in the store and are',
        'rejected without Azure calls.',
      ]
    : [
        `Azure calls stay on the path: ${requests} requests per round (per run), because ${checking}`,
        `of the ${clicks} clicks ran the checks. They are ${checks}.`,
      ];
  return paragraph(
    `**Approve to decision.** All ${clicks} clicks arrive at once and the bot runs on one thread.`,
    `So the last response waits for roughly ${clicks} × the cost of one click: ${cpu} of CPU per`,
    `click, for a p95 of ${p95} (per run). The emulator adds no latency. The first burst after`,
    `the bot process started, which these figures leave out, had a p95 of ${firstP95}, because`,
    'V8 had not yet optimized the code that a click runs.',
    ...azure,
    'A rejected click reads the request, which stays parsed and frozen while its version is',
    'the same (src/workflow/requests.ts). Its card comes from the cache of rendered request',
    'cards (src/cards/request-card.ts), whose key hashes that frozen request once. What every',
    'click still pays is the HTTP and botbuilder handling of an invoke, without building new',
    'Bot Connector clients for it (src/teams/reused-clients.ts). The',
    `echo bot, given ${clicks} messages at once after each round, answered them with a p95 of`,
    `${echoP95} (per run).`,
    ...(echoAboveTarget && botMeetsTarget
      ? [
          'An echo turn ends only when its reply has reached the Bot Connector stand-in, in a',
          'second HTTP request of its own, while the response to an invoke carries the card. So',
          'a burst of clicks is answered sooner than a burst of messages of the same size.',
        ]
      : echoAboveTarget
        ? [
            'So on this machine the target is out of reach of any bot on this stack that handles',
            'a burst of that size in one process. Several bot instances behind a load balancer',
            'share such a burst (docs/scaling.md).',
          ]
        : [
            'The difference between the two p95 figures is what the bot’s own work adds to a',
            'burst.',
          ]),
    ...onTables,
  );
}

function throughput(input: ReportInput): string {
  const runs = input.runs;
  const status = perRun(runs, (run) => run.statusThroughput.cpuPerTurnInMs, milliseconds);
  const echo = perRun(runs, (run) => run.echoThroughput.cpuPerTurnInMs, milliseconds);
  const ratios = perRun(
    runs,
    (run) => run.statusThroughput.turnsPerSecond / run.echoThroughput.turnsPerSecond,
    ratio,
  );
  const allowance = perRun(
    runs,
    (run) => mapDefined(run.echoThroughput.cpuPerTurnInMs, (cpu) => cpu * 0.25),
    milliseconds,
  );
  const own = perRun(
    runs,
    (run) =>
      mapDefined(run.echoThroughput.cpuPerTurnInMs, (echoCpu) =>
        mapDefined(run.statusThroughput.cpuPerTurnInMs, (statusCpu) => statusCpu - echoCpu),
      ),
    milliseconds,
  );
  const cut = perRun(
    runs,
    (run) =>
      mapDefined(run.echoThroughput.cpuPerTurnInMs, (echoCpu) =>
        mapDefined(run.statusThroughput.cpuPerTurnInMs, (statusCpu) =>
          Math.max(0, statusCpu - echoCpu * 1.25),
        ),
      ),
    milliseconds,
  );
  const replyBytes = perRun(runs, (run) => run.statusReplyBytes, bytes);
  return paragraph(
    `**\`status\` throughput.** A \`status\` turn costs ${status} of bot CPU against ${echo} for`,
    `an echo turn, for a ratio of ${ratios} in turns per second (figures per run). The two bots`,
    'are measured in alternating slices because the load from other processes changes from',
    'second to second. Turns per second follow the bot’s CPU per turn, so 0.8× allows a',
    `\`status\` turn a quarter more CPU than an echo turn: ${allowance}. The turn reads the`,
    'requester’s requests from a summary column that leaves out the snapshots',
    '(src/store/sqlite-store.ts) and reuses the summaries already parsed for the same ETags',
    '(src/workflow/requests.ts). It takes the status list card, frozen and shared, from a cache',
    'keyed by the listed fields (src/cards/status-list-card.ts), and it writes no conversation',
    'reference unless it changed. Profiles of both bots under the same load (`npx tsx',
    'bench/profile.ts status` and `npx tsx bench/profile.ts echo`, 8,000 turns each, six open',
    'requests listed, 2026-12-05) put about 0.22 ms more per `status` turn on the main thread,',
    `spread over many parts. The reply is ${replyBytes} with the card. Serializing it took about`,
    '0.04 ms more than the echo’s text, in `serializeRequestBody` and the serializer of',
    '@azure/core-client (through botframework-connector). The SQLite query took about 0.06 ms,',
    'and the extra garbage collection 0.01 to 0.04 ms. The two pino child loggers of a turn took',
    'about 0.015 ms, and the cache lookups, the conversation reference check and the card cache',
    'key about 0.02 ms together. Experiments that were not kept replied with a short text in',
    'place of the 6.4 KB card of an earlier list. In two alternating runs that raised the ratio',
    'from 0.78× / 0.75× to 0.86× / 0.80×, so sending the card cost about 0.08 ms per turn. Leaving',
    'out both child loggers',
    'changed nothing that the spread between slices (about ±10 %) would show.',
    'The query is one statement of about 4 µs when timed alone in a loop on a copy of the same',
    'database. Timed inside the bot under this load it averaged 27 µs. With 4 MB of memory',
    'touched between statements the loop took 10 µs, so CPU caches left cold by the rest of',
    'the turn explain part of that. Each statement also takes and releases the WAL read lock',
    '(two `fcntl` calls per turn under `strace -c`). Reading only the keys and ETags first, to',
    'skip the summaries already parsed, cost as much as the query it saved, so that was not',
    `kept. Meeting 0.8× would take ${cut} off the bot’s own ${own} per turn (per run). The`,
    'largest parts of that are the card the user asked for and one read of the store.',
  );
}

function memory(input: ReportInput): string {
  const runs = input.runs;
  const growth = (figures: RunFigures['memory']) => figures.afterGc.rss - figures.start.rss;
  const heapGrowth = (figures: RunFigures['memory']) =>
    figures.afterGc.heapUsed - figures.start.heapUsed;
  // Growth between the last two quarters, once code and caches have warmed up.
  const lateGrowth = (figures: RunFigures['memory'], field: 'rss' | 'heapUsed') => {
    const quarters = figures.afterGcByQuarter;
    const last = quarters.at(-1)?.[field] ?? 0;
    return last - (quarters.at(-2)?.[field] ?? last);
  };
  const heapLevelsOff = runs.every(
    (run) => Math.abs(lateGrowth(run.memory, 'heapUsed')) < 1024 * 1024,
  );
  const rssLevelsOff = runs.every((run) => lateGrowth(run.memory, 'rss') < 10 * 1024 * 1024);
  const beyondEcho = (run: RunFigures) => growth(run.memory) - growth(run.echoMemory);
  const sharedStackMostly = runs.every((run) => growth(run.echoMemory) > beyondEcho(run));
  const botMostly = runs.every((run) => growth(run.echoMemory) <= beyondEcho(run));
  // How much the growth of one bot differs between runs of the same code.
  const spread = (value: (run: RunFigures) => number) =>
    Math.max(...runs.map(value)) - Math.min(...runs.map(value));
  const anonymousGrowth = (figures: RunFigures['memory']) =>
    (figures.afterGc.resident?.anonymous ?? 0) - (figures.start.resident?.anonymous ?? 0);
  // True when the runs differ mostly in anonymous pages while the live heap stays level.
  const keptMemoryVaries =
    runs.every((run) => run.memory.start.resident !== undefined) &&
    spread((run) => anonymousGrowth(run.memory)) >= 0.8 * spread((run) => growth(run.memory)) &&
    spread((run) => heapGrowth(run.memory)) < 2 * 1024 * 1024;
  const variation =
    runs.length > 1 && keptMemoryVaries
      ? [
          `Between runs of the same code the growth differs by ${megabytes(spread((run) => growth(run.memory)))}`,
          `for Gallery Approvals and by ${megabytes(spread((run) => growth(run.echoMemory)))} for the echo`,
          'bot, and nearly all of it is anonymous memory while the heap after a collection stays',
          'level. That is memory outside the compacted heap, such as what the C allocator keeps',
          'after the turns, and how much differs from run to run.',
        ]
      : [];

  return paragraph(
    '**Memory.** Over the same turns, RSS after a full collection grows by',
    `${perRun(runs, (run) => growth(run.memory), megabytes)} for Gallery Approvals and by`,
    `${perRun(runs, (run) => growth(run.echoMemory), megabytes)} for the echo bot (per run).`,
    runs.every((run) => run.memory.start.resident && run.echoMemory.start.resident)
      ? `As anonymous / file-backed pages that is ${runs.map((run) => residentGrowth(run.memory)).join(' and ')}` +
          ` for Gallery Approvals and ${runs.map((run) => residentGrowth(run.echoMemory)).join(' and ')}` +
          ' for the echo bot (from /proc/self/status). File-backed pages are code and data of the' +
          ' executable and libraries, read in once and shared, which the system can drop again.'
      : '',
    'A leak would show in the heap in use after a full collection. It grows by',
    `${perRun(runs, (run) => heapGrowth(run.memory), megabytes)} for Gallery Approvals (echo:`,
    `${perRun(runs, (run) => heapGrowth(run.echoMemory), megabytes)}). Between the last two`,
    `quarters of the turns it changes by ${perRun(runs, (run) => lateGrowth(run.memory, 'heapUsed'), megabytes)}:`,
    heapLevelsOff
      ? 'it levels off once code and caches have warmed up, so the turns leak nothing that shows.'
      : 'it is still growing at the end, which a heap snapshot diff should explain.',
    `RSS changes by ${perRun(runs, (run) => lateGrowth(run.memory, 'rss'), megabytes)} between the`,
    rssLevelsOff
      ? 'last two quarters, so it does not keep growing either.'
      : 'last two quarters, so it is still growing at the end.',
    `The growth beyond the echo bot’s is ${perRun(runs, beyondEcho, megabytes)},`,
    sharedStackMostly
      ? 'so most of the growth comes with the stack that both bots share.'
      : botMostly
        ? 'so most of the growth is the bot’s own.'
        : 'so which of the two grows more changes from run to run.',
    ...variation,
    'Before RSS was read only after it stopped falling (see Method), it counted 30 to 85 MB of',
    'pages that V8 had freed but not yet unmapped. Before the forced collection compacted, it left',
    '41 to 48 MB free in partly used old-generation pages, for 39 to 40 MB of live objects',
    '(`v8.getHeapSpaceStatistics()`), so the growth read 26 to 60 MB for the same code. Reading',
    '/proc/self/smaps_rollup during earlier',
    'runs put the rest of the growth in three places. SQLite’s page cache filled up to the 16',
    'MB that better-sqlite3 12 builds in, until src/store/sqlite-store.ts set SQLite’s own 2 MB.',
    'Code that V8 compiled as the turns warmed up takes about 5 MB, and pages of the node',
    'binary read in once about 6.5 MB.',
  );
}

function readiness(): string {
  return paragraph(
    '**Start to `/readyz`.** The figure includes starting Node.js, tsx compiling the',
    'TypeScript sources (as `npm start` runs them), the sandbox emulator generating its',
    'certificate and loading the seed, opening SQLite, and the readiness check’s HEAD request',
    'to the emulator. `npm run build` and `node dist/src/main.js` would skip the compilation,',
    'but the sandbox cannot run from dist (the demonstration seed is not copied there).',
  );
}
