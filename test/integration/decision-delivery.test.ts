import { adaptiveCardAction, postActivity } from '../support/activities';
import type { CreatedRecord, SentRecord } from '../support/fake-connector';
import {
  BOT_PRINCIPAL_ID,
  TENANT_ID,
  USERS,
  approvalCardOf,
  cardOf,
  cardText,
  clickCard,
  demoRoleAssignmentIds,
  sendText,
  settledRequest,
  startHarness,
  submitRequest,
  type CardLocation,
  type Harness,
  type InvokeResponseBody,
} from '../support/bot-harness';
import { SqliteStore } from '../../src/store/sqlite-store';
import { SubscriptionDirectory } from '../../src/teams/subscriptions';

const CHANNEL_ID = '19:approvals@thread.tacv2';
const TEAM_ID = '19:platform-team@thread.tacv2';
const SHARING_ADMIN = '1ef6a3be-d0ac-425d-8c01-acb62866290b';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
/** The body Teams sends with a 403 for a user who blocked or never installed the app. */
const FORBIDDEN = {
  status: 403,
  body: { errorCode: 209, message: '{"subCode":"MessageWritesBlocked"}' },
};

describe('approval card delivery', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ invokeDeadlineInMs: 60_000 });
  });

  afterEach(async () => {
    await harness.close();
  });

  async function subscribeApprovalsChannel(): Promise<void> {
    const store = new SqliteStore({ path: harness.databaseFile });
    try {
      await new SubscriptionDirectory(store).subscribe({
        topic: 'approvals',
        channelId: CHANNEL_ID,
        teamId: TEAM_ID,
        reference: {
          channelId: 'msteams',
          serviceUrl: harness.connector.url,
          conversation: {
            id: CHANNEL_ID,
            tenantId: TENANT_ID,
            conversationType: 'channel',
            isGroup: true,
            name: 'Approvals',
          },
        },
        subscribedBy: { aadObjectId: USERS.alex.aadObjectId, name: USERS.alex.name },
        subscribedAt: new Date().toISOString(),
      });
    } finally {
      await store.close();
    }
  }

  function channelPost(): { created: CreatedRecord; card: CardLocation } {
    const created = harness.connector.created.find(
      (record) =>
        (record.body.channelData as { channel?: { id?: string } })?.channel?.id === CHANNEL_ID,
    );
    if (!created?.activityId) throw new Error('No thread was created in the approvals channel.');
    return {
      created,
      card: { conversationId: created.conversationId, activityId: created.activityId },
    };
  }

  it('channel post mentions known approvers', async () => {
    await subscribeApprovalsChannel();
    await sendText(harness, USERS.megan, 'help');

    const { requestId } = await submitRequest(harness, USERS.alex);

    const { created, card } = channelPost();
    expect(created.body.isGroup).toBe(true);
    expect(created.conversationId).toBe(`${CHANNEL_ID};messageid=${card.activityId}`);
    const activity = created.body.activity;
    expect(activity?.text).toBe('Approval requested from <at>Megan Bowen</at>.');
    expect(activity?.entities).toEqual([
      {
        type: 'mention',
        text: '<at>Megan Bowen</at>',
        mentioned: { id: USERS.megan.id, name: 'Megan Bowen' },
      },
    ]);
    const content = cardOf(activity) as { refresh?: { userIds?: string[] } };
    // Only Megan's Teams user id is known; Alex asked, so he may not approve.
    expect(content.refresh?.userIds).toEqual([USERS.megan.id]);
    expect(JSON.stringify(content)).not.toContain('"verb":"approve"');

    const request = await settledRequest(harness, requestId);
    expect(request.cards.filter((stored) => stored.audience === 'channel')).toEqual([
      expect.objectContaining({ conversationId: card.conversationId, activityId: card.activityId }),
    ]);

    await clickCard(harness, USERS.megan, card, 'approve', { requestId });
    expect((await settledRequest(harness, requestId)).state).toBe('shared');
    const updated = harness.connector.updated.filter(
      (record) => record.activityId === card.activityId,
    );
    const last = updated[updated.length - 1];
    expect(cardText(cardOf(last?.body))).toContain('Public');
    expect((cardOf(last?.body) as { refresh?: unknown }).refresh).toBeUndefined();
    expect(last?.body.entities).toBeUndefined();
    expect(harness.emulator.shareCalls()).toHaveLength(1);
  });

  it('automatic refresh returns user view', async () => {
    await subscribeApprovalsChannel();
    await sendText(harness, USERS.megan, 'help');
    const { requestId } = await submitRequest(harness, USERS.alex);
    const { card } = channelPost();
    const recordsBefore = harness.connector.records.length;

    const refresh = (user: typeof USERS.megan, verb = 'refreshRequest') =>
      clickCard(harness, user, card, verb, { requestId }, 'automatic');
    const megan = await refresh(USERS.megan);
    const lynne = await refresh(USERS.lynne);
    const alex = await refresh(USERS.alex);
    const forged = await refresh(USERS.megan, 'approve');

    for (const response of [megan, lynne, alex, forged]) {
      expect(response.status).toBe(200);
      expect(response.body.type).toBe(ADAPTIVE_CARD);
    }
    expect(JSON.stringify(megan.body.value)).toContain('"verb":"approve"');
    expect(JSON.stringify(lynne.body.value)).not.toContain('"verb":"approve"');
    expect(JSON.stringify(alex.body.value)).not.toContain('"verb":"approve"');
    expect(JSON.stringify(alex.body.value)).toContain('"verb":"cancelRequest"');
    // A refresh edits no message and decides nothing, whatever verb it carries.
    expect(harness.connector.records.slice(recordsBefore)).toEqual([]);
    expect((await settledRequest(harness, requestId)).state).toBe('pending');
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });

  it('uninstalled approvers are reported once', async () => {
    for (const user of [USERS.megan, USERS.adele]) await sendText(harness, user, 'help');
    // Megan removed the app after writing to the bot; Isaiah never installed it.
    const meganChat = harness.personal(USERS.megan).conversationId;
    harness.connector.inject({
      method: 'POST',
      path: new RegExp(`^/v3/conversations/${meganChat}/activities(/[^/]+)?$`),
      times: Infinity,
      answer: FORBIDDEN,
    });
    harness.connector.inject({
      method: 'POST',
      path: /^\/v3\/conversations$/,
      times: Infinity,
      answer: FORBIDDEN,
    });

    const { requestId, preview } = await submitRequest(harness, USERS.alex);

    approvalCardOf(harness, USERS.adele, requestId);
    const creates = harness.connector.requests.filter(
      (request) => request.method === 'POST' && request.path === '/v3/conversations',
    );
    expect(creates.map((attempt) => attempt.status)).toEqual([403, 403]);
    const notice = harness.connector.sent.find(
      (sent) =>
        sent.conversationId === preview.conversationId &&
        cardText(cardOf(sent.body)).includes('Some approvers were not reached'),
    );
    const text = cardText(cardOf(notice?.body));
    expect(text).toContain('Megan Bowen (the app is not installed for them)');
    expect(text).toContain('Isaiah Langer (the app is not installed for them)');
    expect(text).not.toContain('Adele Vance');
    const request = await settledRequest(harness, requestId);
    expect(request.cards.filter((card) => card.audience === 'approver')).toHaveLength(1);
  });

  it('refused channel post marks subscription', async () => {
    await subscribeApprovalsChannel();
    for (const user of [USERS.megan, USERS.adele, USERS.isaiah]) {
      await sendText(harness, user, 'help');
    }
    harness.connector.inject({ method: 'POST', path: /^\/v3\/conversations$/, answer: FORBIDDEN });

    const { requestId } = await submitRequest(harness, USERS.alex);

    const store = new SqliteStore({ path: harness.databaseFile });
    try {
      expect(await new SubscriptionDirectory(store).list('approvals')).toEqual([]);
    } finally {
      await store.close();
    }
    const request = await settledRequest(harness, requestId);
    expect(request.cards.map((card) => card.audience).sort()).toEqual([
      'approver',
      'approver',
      'approver',
      'requester',
    ]);
  });

  it('nobody reached names the approvers', async () => {
    harness.connector.inject({
      method: 'POST',
      path: /^\/v3\/conversations$/,
      times: Infinity,
      answer: FORBIDDEN,
    });

    const { preview } = await submitRequest(harness, USERS.alex);

    const notice = harness.connector.sent.find(
      (sent: SentRecord) =>
        sent.conversationId === preview.conversationId &&
        cardText(cardOf(sent.body)).includes('No approver was reached'),
    );
    const text = cardText(cardOf(notice?.body));
    for (const name of ['Megan Bowen', 'Adele Vance', 'Isaiah Langer'])
      expect(text).toContain(name);
    expect(text).toContain('(service principal)');
    expect(text).not.toContain('Alex Wilber');
  });

  it('missing bot role blocks submit', async () => {
    for (const id of demoRoleAssignmentIds(BOT_PRINCIPAL_ID, SHARING_ADMIN)) {
      expect(harness.emulator.deleteResource(id)).toBe(true);
    }
    const preview = await sendText(harness, USERS.alex, 'publish sandbox-rg/readyGallery');
    const requestId = /"requestId":"(r-[a-z0-9]+)"/.exec(JSON.stringify(cardOf(preview.body)))?.[1];

    const response = await clickCard(harness, USERS.alex, preview, 'submitRequest', {
      requestId,
      justification: 'Release 1.1 for customers',
    });

    const text = cardText(response.body.value);
    expect(text).toContain('lacks Microsoft.Compute/galleries/share/action');
    expect(text).toContain('Compute Gallery Sharing Admin');
    expect((await settledRequest(harness, requestId ?? '')).state).toBe('draft');
    expect(harness.connector.created).toEqual([]);
    expect(
      harness.connector.sent.filter((sent) => sent.conversationId !== preview.conversationId),
    ).toEqual([]);
  });

  it('deleted card message is skipped', async () => {
    for (const user of [USERS.megan, USERS.adele]) await sendText(harness, user, 'help');
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);
    harness.connector.inject({
      method: 'PUT',
      path: new RegExp(`/activities/${megan.activityId}$`),
      times: Infinity,
      answer: { status: 404, body: { error: { code: 'NotFound', message: 'Message not found' } } },
    });

    const adele = approvalCardOf(harness, USERS.adele, requestId);
    await clickCard(harness, USERS.adele, adele, 'approve', { requestId });

    expect((await settledRequest(harness, requestId)).state).toBe('shared');
    const skipped = harness.logs.filter(
      (line) =>
        line.msg === 'card message can no longer be updated, so it is no longer tracked' &&
        line.activityId === megan.activityId,
    );
    expect(skipped.length).toBeGreaterThan(0);
    const requesterCard = harness.connector.updated
      .filter((record) => record.activityId === preview.activityId)
      .pop();
    expect(cardText(cardOf(requesterCard?.body))).toContain('Public');
  });

  it('failed action answers with card', async () => {
    await sendText(harness, USERS.megan, 'help');
    const { requestId } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);
    harness.emulator.inject({
      method: 'GET',
      path: /roleAssignments$/i,
      answer: {
        status: 403,
        body: { error: { code: 'AuthorizationFailed', message: 'The client has no access.' } },
      },
    });

    const azureFailure = await clickCard(harness, USERS.megan, card, 'approve', { requestId });
    const unknownVerb = await clickCard(harness, USERS.megan, card, 'publishEverything', {
      requestId,
    });
    const malformed = await postActivity(harness.botUrl, {
      ...adaptiveCardAction(
        { ...harness.personal(USERS.megan), conversationId: card.conversationId },
        { verb: 'approve', data: {}, replyToId: card.activityId },
      ),
      value: 'not an object',
    });
    const anonymous = await postActivity(harness.botUrl, {
      ...adaptiveCardAction(
        { ...harness.personal(USERS.megan), conversationId: card.conversationId },
        { verb: 'approve', data: { verb: 'approve', requestId }, replyToId: card.activityId },
      ),
      from: { id: '29:someone', name: 'Someone' },
    });

    expect(cardText(azureFailure.body.value)).toContain('AuthorizationFailed');
    expect(cardText(unknownVerb.body.value)).toContain('not one the bot knows');
    for (const response of [azureFailure, unknownVerb, malformed, anonymous]) {
      expect(response.status).toBe(200);
      const body = response.body as InvokeResponseBody;
      expect(body.statusCode).toBe(200);
      expect(body.type).toBe(ADAPTIVE_CARD);
      expect((body.value as { type?: string }).type).toBe('AdaptiveCard');
    }
    expect((await settledRequest(harness, requestId)).state).toBe('pending');
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });
});
