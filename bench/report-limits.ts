import { VERSION_LIST_CONCURRENCY } from '../src/azure/inspect-gallery';
import { paragraph } from './markdown';
import type { PreviewFigures } from './preview-bench';
import { megabytes, milliseconds, ratio, type ReportInput, type RunFigures } from './report';

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
  return paragraph(
    `**Preview of small galleries.** The inspection makes only the unavoidable round trips (two`,
    `for ${smallest} images: the gallery, the image definition list and the application list`,
    `together, then the version lists). The rest of the turn is the bot's own work: ${cpu} of`,
    `CPU per ${smallest}-image preview, against ${echoCpu} per echo turn (figures per run). A`,
    `profile of the turn (\`npx tsx bench/profile.ts preview --images ${smallest}\`) spreads it over`,
    'the HTTPS requests through the Azure SDK pipeline, the rendering of the Adaptive Card, the',
    'checks and the store. The rendering includes `findDetailsStartPages`',
    '(src/cards/image-list-card.ts), which renders an empty image list page to measure it. In the',
    'code measured here the turn commits to SQLite four times before the reply (two',
    'conversation references, the draft request, its audit record) and once after it.',
    ...storage,
    'Outside the benchmark’s files, the turn would also gain from two changes. One skips the',
    'two conversation reference upserts when the stored reference has not changed',
    '(src/teams/conversations.ts). The other stops rendering an empty image list page for',
    'every card just to measure it (src/cards/image-list-card.ts).',
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
    const take = (value: (figure: PreviewFigures) => number) =>
      perRun(
        runs,
        (run) => {
          const figure = figureFor(run, imageCount);
          return figure && value(figure);
        },
        milliseconds,
      );
    return (
      `At ${imageCount.toLocaleString('en-US')} images a preview takes ${take((figure) => figure.latency.p50)}` +
      ` against round trips worth ${take((figure) => figure.boundedRoundTrips * latencyInMs)},` +
      ` with ${take((figure) => figure.cpuPerTurnInMs)} of bot CPU.`
    );
  });
  const stored = perRun(runs, (run) => figureFor(run, largest)?.storedRequestBytes, megabytes);
  return paragraph(
    `**Preview of large galleries.** Each image definition adds about ${perImage} of bot CPU`,
    `(per run). ${bySize.join(' ')} The emulator serves every HTTPS request from the runner`,
    'process, so the bot and the emulator share the machine’s two cores with other processes.',
    'The CPU at both ends of each request is therefore the likely limit rather than the round',
    'trips, although the emulator’s CPU time is not measured. Per image the bot sends and',
    'parses one more HTTPS request through the SDK pipeline, checks the definition and its',
    'version, hashes them, and stores them. The request document holds the whole snapshot',
    `(${stored} at ${largest.toLocaleString('en-US')} images). The store writes it when the draft is`,
    'created and again, after a `structuredClone`, when the card message is added (`addCards`',
    'in src/workflow/service.ts). Storing the snapshot once',
    'and the card messages in their own documents would halve that part. In Azure, Resource',
    'Manager throttling (see “How to read”) makes these previews much slower than any of this.',
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
  const full = perRun(runs, (run) => run.sqlite.fullInMs, milliseconds);

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

  const checks =
    '`findApprovers` (role assignments at the gallery’s scope, one role definition read per ' +
    'assigned role that is not Owner or Compute Gallery Sharing Admin, Microsoft Graph for ' +
    'group members and display names) and the re-inspection of the gallery for the hash check ' +
    '(gallery, image definition list, application list, one version list per image)';

  const azure = onlyWinnerChecks
    ? [
        `Azure calls stay on the path of one click per request only: ${requests} requests per round`,
        `(per run). They are ${checks}. The other clicks wait behind it, one click of a request`,
        'at a time, find the request decided in the store and are rejected without Azure calls.',
      ]
    : [
        `Azure calls stay on the path: ${requests} requests per round (per run), because ${checking}`,
        `of the ${clicks} clicks ran the checks. They are ${checks}. Every click that finds the request pending runs`,
        'these checks before the conditional write picks the one winner. Running the checks of',
        'one request for one click at a time (src/workflow) would let the waiting clicks find',
        'the request decided and respond without Azure calls.',
      ];
  return paragraph(
    `**Approve to decision.** All ${clicks} clicks arrive at once and the bot runs on one thread.`,
    `So the last response waits for roughly ${clicks} × the cost of one click: ${cpu} of CPU per`,
    `click, for a p95 of ${p95} (per run). The emulator adds no latency.`,
    ...azure,
    'What every click still pays is the bot’s own work. That is botbuilder’s handling of the',
    `invoke, two conversation reference commits that each wait for an fsync (${full} each, see the`,
    'preview above), reading the request, and rendering a full request card with the outcome',
    `(adaptivecards-templating). Meeting 150 ms for ${clicks} clicks that arrive together leaves`,
    `about ${(150 / Math.max(clicks, 1)).toFixed(1)} ms per click. Fixes outside the benchmark’s files: \`synchronous =`,
    'NORMAL` and skipping unchanged conversation references (src/store, src/teams), and',
    'rendering the card of a decided request once per version of the request and audience',
    '(src/teams/request-cards.ts) instead of once per click.',
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
  const blocked = perRun(runs, (run) => 2 * run.sqlite.fullInMs, milliseconds);
  return paragraph(
    `**\`status\` throughput.** A \`status\` turn costs ${status} of bot CPU against ${echo} for`,
    `an echo turn, for a ratio of ${ratios} in turns per second (figures per run). The two bots`,
    'are measured in alternating slices because the load from other processes changes from',
    'second to second. A profile (`npx tsx bench/profile.ts status`) puts most of the',
    'difference in three places. The first is rendering the status list card through',
    'adaptivecards-templating (`expandWithinBudget` in src/cards/adaptive-card.ts). The second',
    'is the query of the requester’s requests, which parses every stored request with its',
    'whole gallery snapshot to show one line for each (src/store, src/workflow/requests.ts).',
    'The third is the two conversation reference upserts, whose commits also block the thread',
    `for about ${blocked} of fsync per turn that the CPU figure does not show. Fixes outside the`,
    'benchmark’s files: skip unchanged conversation references and set `synchronous = NORMAL`.',
    'Give each request a summary (state, gallery, dates) that the list can read without the',
    'snapshot. Build the small status list card without the general templating engine, whose',
    'expansion is most of the card’s cost.',
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

  return paragraph(
    '**Memory.** Over the same turns, RSS after a full collection grows by',
    `${perRun(runs, (run) => growth(run.memory), megabytes)} for Gallery Approvals and by`,
    `${perRun(runs, (run) => growth(run.echoMemory), megabytes)} for the echo bot (per run).`,
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
    'The growth beyond the echo bot’s lies outside the JavaScript heap, since heap used stays',
    'within a few MB of the start. Its likely sources are native allocations that only this bot',
    'makes, such as SQLite and the TLS connections to Resource Manager, which the C allocator',
    'keeps after they are freed; this was not traced further.',
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
