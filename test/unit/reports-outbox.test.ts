import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { AdaptiveCard } from '../../src/cards/adaptive-card';
import { SqliteStore } from '../../src/store/sqlite-store';
import { parseRetryAfter } from '../../src/teams/connector-sender';
import { Outbox } from '../../src/teams/outbox';
import {
  DeliveryFailure,
  planRetry,
  type DeliveredMessage,
  type OutboxOptions,
  type OutboxSender,
  type OutboxTarget,
} from '../../src/teams/outbox-entry';
import { SubscriptionDirectory } from '../../src/teams/subscriptions';

const logger = pino({ level: 'silent' });
const CARD: AdaptiveCard = { type: 'AdaptiveCard', version: '1.5', body: [] };
const CHANNEL = '19:abuse@thread.tacv2';
const TARGET: OutboxTarget = {
  kind: 'channel',
  reference: { serviceUrl: 'http://127.0.0.1:1/', conversation: { id: CHANNEL } as never },
  channelId: CHANNEL,
  topic: 'abuse-reports',
};
const OPTIONS = { retryBaseDelayInMs: 1000, maxRetryDelayInMs: 60_000, maxAttempts: 5 };

let directory: string;
const stores: SqliteStore[] = [];
const outboxes: Outbox[] = [];

beforeAll(() => {
  directory = mkdtempSync(join(tmpdir(), 'gallery-approvals-outbox-'));
});

afterEach(async () => {
  await Promise.all(outboxes.splice(0).map((outbox) => outbox.close()));
  await Promise.all(stores.splice(0).map((store) => store.close()));
});

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

/** Returns a clock that the test moves forward by hand. */
function manualClock(start = Date.parse('2026-01-05T10:00:00Z')) {
  let nowInMs = start;
  return {
    now: () => new Date(nowInMs),
    advance: (ms: number) => {
      nowInMs += ms;
    },
  };
}

/** Returns a sender that plays scripted outcomes in order and counts its calls. */
function scriptedSender(outcomes: (DeliveryFailure | 'ok')[]): OutboxSender & { calls: number } {
  const sender = {
    calls: 0,
    async deliver(): Promise<DeliveredMessage> {
      const outcome = outcomes[sender.calls] ?? 'ok';
      sender.calls += 1;
      if (outcome !== 'ok') throw outcome;
      return { conversationId: `${CHANNEL};messageid=1`, activityId: '1' };
    },
  };
  return sender;
}

function openOutbox(
  path: string,
  clock = manualClock(),
  options: Partial<OutboxOptions> = {},
): { outbox: Outbox; store: SqliteStore; subscriptions: SubscriptionDirectory } {
  const store = new SqliteStore({ path });
  stores.push(store);
  const subscriptions = new SubscriptionDirectory(store);
  const outbox = new Outbox({
    store,
    subscriptions,
    logger,
    now: clock.now,
    options: { retryBaseDelayInMs: 1000, pollIntervalInMs: 3600_000, ...options },
  });
  outboxes.push(outbox);
  return { outbox, store, subscriptions };
}

async function subscribe(subscriptions: SubscriptionDirectory): Promise<void> {
  await subscriptions.subscribe({
    topic: 'abuse-reports',
    channelId: CHANNEL,
    reference: TARGET.reference,
    subscribedBy: { name: 'Adele Vance' },
    subscribedAt: '2026-01-05T09:00:00Z',
  });
}

describe('outbox retry plan', () => {
  test.each([
    ['429 with retry-after', new DeliveryFailure(429, 'Throttled', '', 7000), 1, 7000],
    ['429 without retry-after', new DeliveryFailure(429, 'Throttled', ''), 1, 1000],
    ['500 first retry', new DeliveryFailure(500, 'Http500', ''), 1, 1000],
    ['503 third retry', new DeliveryFailure(503, 'Http503', ''), 3, 4000],
    ['network error', new DeliveryFailure(undefined, 'ECONNRESET', ''), 2, 2000],
    ['408 timeout', new DeliveryFailure(408, 'Http408', ''), 1, 1000],
  ])('%s is retried', (_name, failure, attempts, expected) => {
    const plan = planRetry(failure, attempts, OPTIONS, () => 0);

    expect(plan.retryInMs).toBe(expected);
    expect(plan.channelGone).toBeUndefined();
  });

  test.each([
    ['403', new DeliveryFailure(403, 'Forbidden', ''), true],
    ['404', new DeliveryFailure(404, 'ConversationNotFound', ''), true],
    ['400', new DeliveryFailure(400, 'BadArgument', ''), undefined],
    ['401', new DeliveryFailure(401, 'Unauthorized', ''), undefined],
  ])('%s is not retried', (_name, failure, channelGone) => {
    const plan = planRetry(failure, 1, OPTIONS);

    expect(plan.retryInMs).toBeUndefined();
    expect(plan.channelGone).toBe(channelGone);
  });

  test('last attempt is not retried', () => {
    const plan = planRetry(new DeliveryFailure(500, 'Http500', ''), 5, OPTIONS);

    expect(plan.retryInMs).toBeUndefined();
  });

  test('backoff jitter stays within a fifth', () => {
    const low = planRetry(new DeliveryFailure(500, 'Http500', ''), 2, OPTIONS, () => 0);
    const high = planRetry(new DeliveryFailure(500, 'Http500', ''), 2, OPTIONS, () => 0.999);

    expect(low.retryInMs).toBe(2000);
    expect(high.retryInMs).toBeGreaterThan(2000);
    expect(high.retryInMs).toBeLessThanOrEqual(2400);
  });

  test('backoff is capped', () => {
    const plan = planRetry(new DeliveryFailure(502, 'Http502', ''), 4, {
      ...OPTIONS,
      maxRetryDelayInMs: 3000,
    });

    expect(plan.retryInMs).toBe(3000);
  });

  test.each([
    ['seconds', '120', 120_000],
    ['zero', '0', 0],
    ['http date', 'Mon, 05 Jan 2026 10:00:30 GMT', 30_000],
    ['garbage', 'soon', undefined],
    ['missing', undefined, undefined],
  ])('retry-after as %s', (_name, header, expected) => {
    expect(parseRetryAfter(header, Date.parse('2026-01-05T10:00:00Z'))).toBe(expected);
  });
});

describe('outbox delivery', () => {
  test('429 then 500 then delivered', async () => {
    const clock = manualClock();
    const { outbox, subscriptions } = openOutbox(join(directory, `${randomUUID()}.db`), clock);
    await subscribe(subscriptions);
    const sender = scriptedSender([
      new DeliveryFailure(429, 'Throttled', 'Too many requests', 1000),
      new DeliveryFailure(500, 'Http500', 'Failed'),
    ]);
    outbox.useSender(sender);
    await outbox.enqueue('report:1', TARGET, { card: CARD });

    await outbox.deliverDue();
    clock.advance(999);
    await outbox.deliverDue();
    expect(sender.calls).toBe(1);

    clock.advance(1);
    await outbox.deliverDue();
    expect(sender.calls).toBe(2);
    const afterError = await outbox.get('report:1');
    expect(afterError?.state).toBe('pending');
    expect(afterError?.lastError?.statusCode).toBe(500);

    clock.advance(2400);
    await outbox.deliverDue();
    const delivered = await outbox.get('report:1');
    expect(sender.calls).toBe(3);
    expect(delivered?.state).toBe('delivered');
    expect(delivered?.attempts).toBe(3);
    expect(delivered?.delivered?.activityId).toBe('1');
  });

  test('same id is queued once', async () => {
    const { outbox } = openOutbox(join(directory, `${randomUUID()}.db`));

    expect(await outbox.enqueue('announce:r-1:c', TARGET, { card: CARD })).toBe(true);
    expect(await outbox.enqueue('announce:r-1:c', TARGET, { card: CARD })).toBe(false);
  });

  test('entry survives a restart', async () => {
    const path = join(directory, `${randomUUID()}.db`);
    const first = openOutbox(path);
    await subscribe(first.subscriptions);
    await first.outbox.enqueue('report:2', TARGET, { card: CARD });
    await first.outbox.close();
    await first.store.close();

    const second = openOutbox(path);
    const sender = scriptedSender([]);
    second.outbox.useSender(sender);
    await second.outbox.deliverDue();

    expect(sender.calls).toBe(1);
    expect((await second.outbox.get('report:2'))?.state).toBe('delivered');
  });

  test('two instances send once', async () => {
    const path = join(directory, `${randomUUID()}.db`);
    const first = openOutbox(path);
    const second = openOutbox(path);
    await subscribe(first.subscriptions);
    await first.outbox.enqueue('report:3', TARGET, { card: CARD });

    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let calls = 0;
    const slowSender: OutboxSender = {
      async deliver() {
        calls += 1;
        await gate;
        return { conversationId: CHANNEL, activityId: '9' };
      },
    };
    first.outbox.useSender(slowSender);
    second.outbox.useSender(slowSender);

    const runs = [first.outbox.deliverDue(), second.outbox.deliverDue()];
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();
    await Promise.all(runs);
    await first.outbox.deliverDue();
    await second.outbox.deliverDue();

    expect(calls).toBe(1);
    expect((await second.outbox.get('report:3'))?.state).toBe('delivered');
  });

  test('403 breaks the subscription', async () => {
    const { outbox, subscriptions } = openOutbox(join(directory, `${randomUUID()}.db`), undefined, {
      concurrency: 1,
    });
    await subscribe(subscriptions);
    const sender = scriptedSender([
      new DeliveryFailure(403, 'BotNotInConversationRoster', 'Removed'),
    ]);
    outbox.useSender(sender);
    await outbox.enqueue('report:4', TARGET, { card: CARD });
    await outbox.enqueue('report:5', TARGET, { card: CARD });

    await outbox.deliverDue();

    expect((await outbox.get('report:4'))?.state).toBe('failed');
    expect((await outbox.get('report:5'))?.lastError?.code).toBe('Unsubscribed');
    expect(sender.calls).toBe(1);
    expect(await subscriptions.list('abuse-reports')).toEqual([]);
  });

  test('shutdown leaves the entry pending', async () => {
    const { outbox, subscriptions } = openOutbox(join(directory, `${randomUUID()}.db`), undefined, {
      shutdownGraceInMs: 0,
    });
    await subscribe(subscriptions);
    let started: () => void = () => undefined;
    const inFlight = new Promise<void>((resolve) => {
      started = resolve;
    });
    const waitingSender: OutboxSender = {
      deliver: (_target, _card, signal) =>
        new Promise((_resolve, reject) => {
          started();
          signal.addEventListener('abort', () =>
            reject(new DeliveryFailure(undefined, 'Aborted', 'aborted', undefined, true)),
          );
        }),
    };
    await outbox.enqueue('report:6', TARGET, { card: CARD });
    outbox.start(waitingSender);
    await inFlight;

    await outbox.close();

    const entry = await outbox.get('report:6');
    expect(entry?.state).toBe('pending');
    expect(entry?.attempts).toBe(0);
  });
});
