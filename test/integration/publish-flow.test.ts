import Database from 'better-sqlite3';
import { adaptiveCardAction, personalMessage, postActivity } from '../support/activities';
import type { SentRecord, UpdatedRecord } from '../support/fake-connector';
import {
  USERS,
  cardOf,
  cardText,
  requestIdOf,
  startHarness,
  type Harness,
} from '../support/bot-harness';

const READY_GALLERY =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';

describe('publish flow end to end', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness();
  });

  afterEach(async () => {
    await harness.close();
  });

  function countRequests(): number {
    const database = new Database(harness.databaseFile, { readonly: true });
    try {
      const row = database
        .prepare("SELECT COUNT(*) AS count FROM documents WHERE collection = 'requests'")
        .get() as { count: number };
      return row.count;
    } finally {
      database.close();
    }
  }

  async function sendText(
    user: (typeof USERS)[keyof typeof USERS],
    text: string,
  ): Promise<SentRecord> {
    const options = harness.personal(user);
    const before = harness.connector.sent.length;
    const response = await postActivity(harness.botUrl, personalMessage(options, text));
    expect(response.status).toBe(200);
    return harness.connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' &&
        record.conversationId === options.conversationId &&
        harness.connector.sent.indexOf(record as SentRecord) >= before,
    );
  }

  it('previews, submits, approves and shares', async () => {
    const preview = await sendText(USERS.alex, 'publish sandbox-rg/readyGallery');
    const previewCard = cardOf(preview.body);
    const requestId = requestIdOf(previewCard);
    expect(requestId).toBeDefined();
    expect(cardText(previewCard)).toContain('readyGallery');
    expect(JSON.stringify(previewCard)).toContain('"verb":"submitRequest"');

    const submit = await postActivity(
      harness.botUrl,
      adaptiveCardAction(harness.personal(USERS.alex), {
        verb: 'submitRequest',
        data: { verb: 'submitRequest', requestId, justification: 'Release 1.1 for customers' },
        replyToId: preview.activityId,
      }),
    );
    expect(submit.status).toBe(200);
    const submitBody = submit.body as { statusCode: number; type: string; value: unknown };
    expect(submitBody.statusCode).toBe(200);
    expect(submitBody.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(submitBody.value)).toContain('Release 1.1 for customers');

    // Megan holds Compute Gallery Sharing Admin on the resource group and never wrote to the
    // bot, so the bot creates her 1:1 chat by Azure AD object id.
    const created = await harness.connector.waitFor(
      (record) =>
        record.kind === 'created' && JSON.stringify(record.body).includes(USERS.megan.aadObjectId),
    );
    const approvalCard = await harness.connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' && record.conversationId === created.conversationId,
    );
    expect(JSON.stringify(cardOf(approvalCard.body))).toContain('"verb":"approve"');
    expect(harness.emulator.shareCalls()).toHaveLength(0);

    const approve = await postActivity(
      harness.botUrl,
      adaptiveCardAction(
        { ...harness.personal(USERS.megan), conversationId: created.conversationId },
        {
          verb: 'approve',
          data: { verb: 'approve', requestId },
          replyToId: approvalCard.activityId,
        },
      ),
    );
    expect(approve.status).toBe(200);

    const finalCard = await harness.connector.waitFor(
      (record): record is UpdatedRecord =>
        record.kind === 'updated' &&
        record.activityId === preview.activityId &&
        /contoso-[0-9a-f-]{36}/i.test(cardText(cardOf(record.body))),
      { timeoutInMs: 10_000 },
    );
    const publicName = harness.emulator.resource(READY_GALLERY)?.properties as {
      sharingProfile?: { communityGalleryInfo?: { publicNames?: string[] } };
    };
    const names = publicName.sharingProfile?.communityGalleryInfo?.publicNames ?? [];
    expect(names).toHaveLength(1);
    expect(cardText(cardOf(finalCard.body))).toContain(names[0]);

    const shares = harness.emulator.shareCalls();
    expect(shares).toHaveLength(1);
    expect(shares[0]?.body).toEqual({ operationType: 'EnableCommunity' });
  });

  it('blocks a gallery with blockers', async () => {
    const reply = await sendText(USERS.alex, 'publish sandbox-rg/blockedGallery');
    const card = cardOf(reply.body);
    const text = cardText(card);

    expect(text).toMatch(/SAS token/);
    expect(text).toMatch(/encrypt/i);
    expect(text).toMatch(/region/i);
    expect(JSON.stringify(card)).not.toContain('"verb":"submitRequest"');
    expect(JSON.stringify(card)).not.toContain('c2FuZGJveC1ub3QtYS1yZWFsLXNpZ25hdHVyZQ');
  });

  it('rejects a gallery id that does not parse', async () => {
    const reply = await sendText(USERS.alex, 'publish not/a/gallery/id');
    expect(cardText(cardOf(reply.body))).toMatch(/not a gallery id/i);
    expect(countRequests()).toBe(0);
  });

  it('reports a gallery that does not exist', async () => {
    const reply = await sendText(USERS.alex, 'publish sandbox-rg/noSuchGallery');
    expect(cardText(cardOf(reply.body))).toMatch(/not found/i);
    expect(cardText(cardOf(reply.body))).toContain('noSuchGallery');
    expect(countRequests()).toBe(0);
  });

  it('reports a gallery the bot cannot read', async () => {
    const hidden =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/other-rg/providers/Microsoft.Compute/galleries/hiddenGallery';
    harness.emulator.putResource({
      id: hidden,
      name: 'hiddenGallery',
      type: 'Microsoft.Compute/galleries',
      location: 'westus',
      properties: { provisioningState: 'Succeeded', sharingProfile: { permissions: 'Community' } },
    });
    const reply = await sendText(USERS.alex, 'publish other-rg/hiddenGallery');
    expect(cardText(cardOf(reply.body))).toMatch(/not allowed/i);
    expect(cardText(cardOf(reply.body))).toMatch(/Reader/);
    expect(countRequests()).toBe(0);
  });
});
