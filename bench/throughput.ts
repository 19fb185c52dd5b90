import type { Activity } from 'botbuilder';
import { summarize, type Summary } from './stats';
import { postOrThrow } from './turns';

export interface ThroughputSettings {
  /** Activities in flight at once. */
  concurrency: number;
  /** Unmeasured activities sent first, at the same concurrency. */
  warmUpTurns: number;
  /** Measured activities; fewer when `maxDurationInMs` runs out first. */
  turns: number;
  maxDurationInMs: number;
}

export interface Throughput {
  turns: number;
  turnsPerSecond: number;
  /** CPU time (user and system) of the bot process per measured turn, when it was read. */
  cpuPerTurnInMs?: number;
  /** From sending each activity to the bot's HTTP response, which follows the reply. */
  latency: Summary;
}

/** A bot under load: where to post, and how to read its CPU time in milliseconds. */
export interface LoadTarget {
  url: string;
  cpuTimeInMs?: () => Promise<number>;
}

interface Slice {
  latencies: number[];
  seconds: number;
  cpuInMs?: number;
}

/** Sends activities in a closed loop: each of `concurrency` workers sends the next when done. */
export async function measureThroughput(
  target: LoadTarget,
  activityFor: (index: number) => Partial<Activity>,
  settings: ThroughputSettings,
): Promise<Throughput> {
  await closedLoop(target.url, activityFor, settings.concurrency, settings.warmUpTurns, Infinity);
  return combine([await measureSlice(target, activityFor, settings)]);
}

/**
 * Measures two bots in alternating slices, `slices` each, so that load from other processes
 * falls on both alike. Each bot gets `settings.turns` and `settings.maxDurationInMs` in all.
 */
export async function compareThroughput(
  baseline: LoadTarget,
  subject: LoadTarget,
  activityFor: (index: number) => Partial<Activity>,
  settings: ThroughputSettings,
  slices: number,
): Promise<{ baseline: Throughput; subject: Throughput }> {
  for (const target of [baseline, subject]) {
    await closedLoop(target.url, activityFor, settings.concurrency, settings.warmUpTurns, Infinity);
  }
  const sliceSettings = {
    ...settings,
    turns: Math.ceil(settings.turns / slices),
    maxDurationInMs: settings.maxDurationInMs / slices,
  };
  const measured: { baseline: Slice[]; subject: Slice[] } = { baseline: [], subject: [] };
  for (let slice = 0; slice < slices; slice++) {
    measured.baseline.push(await measureSlice(baseline, activityFor, sliceSettings));
    measured.subject.push(await measureSlice(subject, activityFor, sliceSettings));
  }
  return { baseline: combine(measured.baseline), subject: combine(measured.subject) };
}

async function measureSlice(
  target: LoadTarget,
  activityFor: (index: number) => Partial<Activity>,
  settings: ThroughputSettings,
): Promise<Slice> {
  const cpuBefore = await target.cpuTimeInMs?.();
  const started = performance.now();
  const latencies = await closedLoop(
    target.url,
    activityFor,
    settings.concurrency,
    settings.turns,
    started + settings.maxDurationInMs,
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuAfter = await target.cpuTimeInMs?.();
  const cpuInMs =
    cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore;
  return { latencies, seconds, cpuInMs };
}

function combine(slices: Slice[]): Throughput {
  const latencies = slices.flatMap((slice) => slice.latencies);
  const seconds = slices.reduce((sum, slice) => sum + slice.seconds, 0);
  const cpuTimes = slices.map((slice) => slice.cpuInMs);
  const cpuInMs = cpuTimes.every((value) => value !== undefined)
    ? cpuTimes.reduce((sum: number, value) => sum + (value ?? 0), 0)
    : undefined;
  return {
    turns: latencies.length,
    turnsPerSecond: latencies.length / seconds,
    cpuPerTurnInMs: cpuInMs === undefined ? undefined : cpuInMs / latencies.length,
    latency: summarize(latencies),
  };
}

/** Sends `count` activities at once and returns each one's time to the bot's HTTP response. */
export function sendBurst(
  botUrl: string,
  activityFor: (index: number) => Partial<Activity>,
  count: number,
): Promise<number[]> {
  return closedLoop(botUrl, activityFor, count, count, Infinity);
}

async function closedLoop(
  botUrl: string,
  activityFor: (index: number) => Partial<Activity>,
  concurrency: number,
  turns: number,
  deadline: number,
): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < turns && performance.now() < deadline) {
      const activity = activityFor(next++);
      const sent = performance.now();
      await postOrThrow(botUrl, activity);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return latencies;
}
