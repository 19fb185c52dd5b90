import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import {
  adaptiveCardAction,
  postActivity,
  type ActivityOptions,
  type TeamsUser,
} from '../support/activities';
import { startFakeConnector, type FakeConnector, type SentRecord } from '../support/fake-connector';
import {
  USERS,
  auditRecords,
  cardOf,
  cardText,
  messageAndReply,
  personalChatWith,
  requestIdOf,
  startBotProcess,
  storedRequest,
  waitUntil,
  type BotProcess,
} from '../support/bot-harness';

const READY_GALLERY =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';

describe('restart during a share operation', () => {
  let folder: string;
  let databaseFile: string;
  let emulator: Emulator;
  let connector: FakeConnector;
  const bots: BotProcess[] = [];

  beforeEach(async () => {
    folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-restart-'));
    databaseFile = path.join(folder, 'bot.db');
    // The status of the share operation is InProgress for this many polls, about one
    // second apart (Retry-After), which leaves the operation running when the bot is killed.
    emulator = await startEmulator({
      seed: loadSeed(DEMO_SEED_PATH),
      port: 0,
      operationPollsBeforeDone: 3,
      retryAfterInSeconds: 1,
      logger: { warn: () => undefined },
    });
    connector = await startFakeConnector();
  });

  afterEach(async () => {
    for (const bot of bots.splice(0)) await bot.stop('SIGKILL');
    await connector.close();
    await emulator.close();
    rmSync(folder, { recursive: true, force: true });
  });

  function personal(user: TeamsUser): ActivityOptions {
    return personalChatWith(connector, user);
  }

  function sendText(bot: BotProcess, user: TeamsUser, text: string): Promise<SentRecord> {
    return messageAndReply(bot.url, connector, user, text, { timeoutInMs: 15_000 });
  }

  async function click(
    bot: BotProcess,
    user: TeamsUser,
    replyToId: string,
    verb: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const activity = adaptiveCardAction(personal(user), {
      verb,
      data: { verb, ...data },
      replyToId,
    });
    const response = await postActivity(bot.url, activity);
    expect(response.status).toBe(200);
  }

  it('killed bot resumes without second post', async () => {
    const first = await startBotProcess({ emulator, databaseFile });
    bots.push(first);
    await sendText(first, USERS.megan, 'help');
    const preview = await sendText(first, USERS.alex, 'publish sandbox-rg/readyGallery');
    const requestId = requestIdOf(cardOf(preview.body)) ?? '';
    await click(first, USERS.alex, preview.activityId, 'submitRequest', {
      requestId,
      justification: 'Release 1.1 for customers',
    });
    const approvalCard = await connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' &&
        record.conversationId === personal(USERS.megan).conversationId &&
        JSON.stringify(cardOf(record.body)).includes('"verb":"approve"'),
      { timeoutInMs: 15_000 },
    );

    await click(first, USERS.megan, approvalCard.activityId, 'approve', { requestId });
    const sharing = await waitUntil(() => {
      const request = storedRequest(databaseFile, requestId);
      return request?.share?.pollerState ? request : undefined;
    }, 'the stored state of the share operation');
    const galleryStatus = () =>
      (
        emulator.resource(READY_GALLERY)?.properties?.sharingStatus as
          | { aggregatedState?: string }
          | undefined
      )?.aggregatedState;
    expect(galleryStatus()).toBe('InProgress');
    await first.stop('SIGKILL');

    expect(storedRequest(databaseFile, requestId)?.state).toBe('sharing');
    expect(galleryStatus()).toBe('InProgress');
    expect(emulator.shareCalls()).toHaveLength(1);
    const pollsBeforeRestart = emulator.requests.length;

    const second = await startBotProcess({ emulator, databaseFile });
    bots.push(second);
    const shared = await waitUntil(
      () => {
        const request = storedRequest(databaseFile, requestId);
        return request?.state === 'shared' || request?.state === 'failed' ? request : undefined;
      },
      'the request to end after the restart',
      30_000,
    );

    expect(shared.state).toBe('shared');
    expect(shared.share?.attempt).toBe(sharing.share?.attempt);
    expect(emulator.shareCalls()).toHaveLength(1);
    const properties = emulator.resource(READY_GALLERY)?.properties as {
      sharingProfile: { communityGalleryInfo: { publicNames: string[] } };
    };
    const publicNames = properties.sharingProfile.communityGalleryInfo.publicNames;
    expect(shared.publicNames).toEqual(publicNames);
    // The second process polled the operation that the first one started.
    const polls = emulator.requests
      .slice(pollsBeforeRestart)
      .filter((request) => /\/capsOperations\//i.test(request.path));
    expect(polls.length).toBeGreaterThan(0);

    const finalCard = await connector.waitFor(
      (record) =>
        record.kind === 'updated' &&
        record.activityId === preview.activityId &&
        cardText(cardOf(record.body)).includes(publicNames[0] ?? 'no public name'),
      { timeoutInMs: 15_000 },
    );
    expect(finalCard.kind).toBe('updated');
    const actions = auditRecords(databaseFile, requestId).map((record) => record.action);
    expect(actions.filter((action) => action === 'share')).toHaveLength(1);
    expect(actions.filter((action) => action === 'shared')).toHaveLength(1);

    await second.stop('SIGTERM');
    expect(second.output()).toContain('"msg":"stopped"');
  }, 90_000);
});
