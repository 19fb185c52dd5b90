import type { AdaptiveCard } from '../../src/cards';
import { visibleLines } from '../cards/card-inspection';
import {
  USERS,
  cardOf,
  cardText,
  clickCard,
  sendText,
  settledRequest,
  startHarness,
  submitRequest,
  type Harness,
} from '../support/bot-harness';

/** Returns the request ids that the Open actions of a status list name, in the order shown. */
function listedRequestIds(card: unknown): string[] {
  return [...JSON.stringify(card).matchAll(/"verb":"refreshRequest","requestId":"(r-[a-z0-9]+)"/g)]
    .map((match) => match[1] ?? '')
    .filter((id, index, ids) => ids.indexOf(id) === index);
}

describe('status command end to end', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  it('lists open requests newest first', async () => {
    const first = await submitRequest(harness, USERS.lynne);
    const second = await submitRequest(harness, USERS.lynne);
    const cancelled = await submitRequest(harness, USERS.lynne);
    await clickCard(harness, USERS.lynne, cancelled.preview, 'cancelRequest', {
      requestId: cancelled.requestId,
    });
    expect((await settledRequest(harness, cancelled.requestId)).state).toBe('cancelled');
    // A preview that was never submitted is a draft, which is not open either.
    await sendText(harness, USERS.lynne, 'publish sandbox-rg/readyGallery');

    const reply = await sendText(harness, USERS.lynne, 'status');
    const card = cardOf(reply.body) as AdaptiveCard;

    expect(listedRequestIds(card)).toEqual([second.requestId, first.requestId]);
    expect(visibleLines(card)).toContain('2 open requests');
    expect(visibleLines(card)).toContain('readyGallery · make public · Waiting for approval');
    // Every action has an Action.Submit fallback that carries the same data.
    expect(JSON.stringify(card).split('"type":"Action.Submit"')).toHaveLength(3);
  });

  it('opens a listed request', async () => {
    const { requestId } = await submitRequest(harness, USERS.lynne);
    const list = await sendText(harness, USERS.lynne, 'status');

    const opened = await clickCard(
      harness,
      USERS.lynne,
      { conversationId: list.conversationId, activityId: list.activityId },
      'refreshRequest',
      { requestId, view: 'request' },
    );

    expect(opened.status).toBe(200);
    expect(cardText(opened.body.value)).toContain(requestId);
    expect(JSON.stringify(opened.body.value)).toContain('"verb":"cancelRequest"');
  });

  it('reports no open requests', async () => {
    await submitRequest(harness, USERS.lynne);

    const reply = await sendText(harness, USERS.alex, 'status');

    expect(cardText(cardOf(reply.body))).toContain('You have no open requests.');
    expect(listedRequestIds(cardOf(reply.body))).toEqual([]);
  });
});
