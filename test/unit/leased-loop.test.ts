import pino from 'pino';
import type { Leases } from '../../src/store/port';
import { LeasedLoop } from '../../src/workflow/leased-loop';

/** Leases in memory, each with one holder until its requested duration ends. */
class MemoryLeases implements Leases {
  readonly acquired: { name: string; owner: string; durationInMs: number }[] = [];
  private readonly holders = new Map<string, { owner: string; until: number }>();

  async acquire(name: string, owner: string, durationInMs: number): Promise<boolean> {
    const holder = this.holders.get(name);
    if (holder && holder.owner !== owner && holder.until > Date.now()) return false;
    this.holders.set(name, { owner, until: Date.now() + durationInMs });
    this.acquired.push({ name, owner, durationInMs });
    return true;
  }

  async release(name: string, owner: string): Promise<void> {
    if (this.holders.get(name)?.owner === owner) this.holders.delete(name);
  }
}

function loopOf(leases: Leases, owner: string, intervalInMs: number, logger = silent()) {
  return new LeasedLoop({
    leases,
    lease: 'work',
    owner,
    intervalInMs,
    logger,
    failureMessage: 'work failed',
  });
}

function silent() {
  return pino({ level: 'silent' });
}

function waitUntil(condition: () => boolean, timeoutInMs = 2000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const poll = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutInMs) reject(new Error('Timed out waiting.'));
      else setTimeout(poll, 5);
    };
    poll();
  });
}

describe('LeasedLoop', () => {
  it('lease lasts two intervals or a minute', async () => {
    const leases = new MemoryLeases();
    await loopOf(leases, 'a', 10).acquireLease();
    await loopOf(leases, 'a', 45_000).acquireLease();

    expect(leases.acquired.map((entry) => entry.durationInMs)).toEqual([60_000, 90_000]);
  });

  it('rejects a lease held elsewhere', async () => {
    const leases = new MemoryLeases();

    expect(await loopOf(leases, 'a', 10).acquireLease()).toBe(true);
    expect(await loopOf(leases, 'b', 10).acquireLease()).toBe(false);
    expect(await loopOf(leases, 'a', 10).acquireLease()).toBe(true);
  });

  it('runs one at a time', async () => {
    const loop = loopOf(new MemoryLeases(), 'a', 5);
    let runs = 0;
    let inFlight = 0;
    let maxInFlight = 0;
    loop.start(async () => {
      inFlight += 1;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 20));
      runs += 1;
      inFlight -= 1;
    });

    await waitUntil(() => runs >= 3);
    await loop.close();

    expect(maxInFlight).toBe(1);
  });

  it('logs a failure and continues', async () => {
    const logged: unknown[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => logged.push(line) });
    const loop = loopOf(new MemoryLeases(), 'a', 5, logger);
    let runs = 0;
    loop.start(async () => {
      runs += 1;
      if (runs === 1) throw new Error('boom');
    });

    await waitUntil(() => runs >= 2);
    await loop.close();

    expect(logged).toHaveLength(1);
    expect(String(logged[0])).toContain('work failed');
  });

  it('close waits for the current run', async () => {
    const loop = loopOf(new MemoryLeases(), 'a', 5);
    let started = 0;
    let finished = 0;
    loop.start(async () => {
      started += 1;
      await new Promise((resolve) => setTimeout(resolve, 50));
      finished += 1;
    });
    await waitUntil(() => started === 1);

    await loop.close();
    expect(finished).toBe(1);

    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(started).toBe(1);
  });
});
