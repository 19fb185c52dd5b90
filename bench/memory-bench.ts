import type { Activity } from 'botbuilder';
import { adaptiveCardAction, personalMessage } from '../test/support/activities';
import { cardOf, requestIdOf } from '../test/support/bot-harness';
import type { FakeConnector } from '../test/support/fake-connector';
import type { BotChild, BotUsage } from './bot-child';
import type { ResidentKinds } from './bot-protocol';
import { measureThroughput } from './throughput';
import { USERS, messageTurn, personalChat } from './turns';

export interface MemorySettings {
  turns: number;
  concurrency: number;
  maxDurationInMs: number;
}

/** Resident set size and V8 heap in use, in bytes, with the resident set by kind of page. */
export interface MemoryReading {
  rss: number;
  heapUsed: number;
  resident?: ResidentKinds;
}

export interface MemoryFigures {
  turns: number;
  start: MemoryReading;
  afterTurns: MemoryReading;
  afterGc: MemoryReading;
  /** RSS and heap used after a full collection at the end of each quarter of the turns. */
  afterGcByQuarter: { turns: number; rss: number; heapUsed: number }[];
  /** The share of each kind of turn in the mix, by name. */
  mix: Record<string, number>;
}

/** Kinds of turns in the mix, each repeated `weight` times in every 10 turns. */
const MIX: { name: string; weight: number }[] = [
  { name: 'status', weight: 4 },
  { name: 'help', weight: 2 },
  { name: 'publish readyGallery', weight: 2 },
  { name: 'unknown command', weight: 1 },
  { name: 'refresh card invoke', weight: 1 },
];

/**
 * Measures a fresh bot process's memory: at start (after a full garbage collection), after
 * `turns` mixed turns sent `concurrency` at a time, and after another full collection. The
 * heap is also collected and read after each quarter of the turns. With `echo`, every turn
 * is a message with the same texts, for the echo bot.
 */
export async function runMemoryBench(
  settings: MemorySettings,
  bot: BotChild,
  connector: FakeConnector,
  options: { echo: boolean } = { echo: false },
): Promise<MemoryFigures> {
  // Collected first, so that heap used at start is live data, like the figure after the turns.
  const start = await bot.usage({ collectGarbage: true });
  const requester = personalChat(connector, USERS.lynne);
  const preview = await messageTurn(
    bot.url,
    connector,
    personalChat(connector, USERS.alex),
    'publish sandbox-rg/readyGallery',
  );
  const requestId = options.echo ? undefined : requestIdOf(cardOf(preview.reply.body));
  const schedule = MIX.flatMap((kind) => Array<string>(kind.weight).fill(kind.name));

  const activityFor = (index: number): Partial<Activity> => {
    if (index % 500 === 0) connector.reset();
    switch (schedule[index % schedule.length]) {
      case 'status':
        return personalMessage(requester, 'status');
      case 'help':
        return personalMessage(requester, 'help');
      case 'publish readyGallery':
        return personalMessage(
          personalChat(connector, USERS.alex),
          'publish sandbox-rg/readyGallery',
        );
      case 'unknown command':
        return personalMessage(requester, `hello ${index}`);
      default:
        // The echo bot handles no invokes, so it gets a message in their place.
        if (options.echo) return personalMessage(requester, 'status');
        return adaptiveCardAction(personalChat(connector, USERS.alex), {
          verb: 'refreshRequest',
          data: { verb: 'refreshRequest', requestId },
          replyToId: preview.reply.activityId,
          trigger: 'automatic',
        });
    }
  };
  // The turns run in quarters with a full collection after each, to show whether memory keeps
  // growing or levels off once code and caches have warmed up.
  const quarters: MemoryFigures['afterGcByQuarter'] = [];
  let turns = 1;
  let afterTurns: BotUsage | undefined;
  let afterGc: BotUsage | undefined;
  for (let quarter = 0; quarter < 4; quarter++) {
    const load = await measureThroughput(bot, (index) => activityFor(turns + index), {
      concurrency: settings.concurrency,
      warmUpTurns: 0,
      turns: Math.ceil(settings.turns / 4),
      maxDurationInMs: settings.maxDurationInMs / 4,
    });
    turns += load.turns;
    connector.reset();
    if (quarter === 3) afterTurns = await bot.usage();
    afterGc = await bot.usage({ collectGarbage: true });
    quarters.push({ turns, rss: afterGc.memory.rss, heapUsed: afterGc.memory.heapUsed });
  }

  const pick = (usage: BotUsage): MemoryReading => ({
    rss: usage.memory.rss,
    heapUsed: usage.memory.heapUsed,
    resident: usage.resident,
  });
  return {
    turns,
    start: pick(start),
    afterTurns: pick(afterTurns ?? start),
    afterGc: pick(afterGc ?? start),
    afterGcByQuarter: quarters,
    mix: Object.fromEntries(MIX.map((kind) => [kind.name, kind.weight / schedule.length])),
  };
}
