import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { Activity } from 'botbuilder';
import { startEmulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed } from '../../sandbox/seed';
import { adaptiveCardAction, personalMessage, type TeamsUser } from '../support/activities';
import {
  TENANT_ID,
  USERS,
  approvalCardOf,
  cardOf,
  requestIdOf,
  settledRequest,
  startBotProcess,
  startHarness,
  waitUntil,
  type Harness,
} from '../support/bot-harness';
import type { SentRecord } from '../support/fake-connector';
import { loopbackAuthentication } from '../auth/loopback-botbuilder';
import {
  BOT_APP_ID,
  loopbackAuthenticationSettings,
  startLoopbackOpenId,
  unknownSigningKey,
  type LoopbackOpenId,
} from '../auth/loopback-openid';

// The mock and this file share one module instance, so the settings made below reach it.
jest.mock('botbuilder', () =>
  jest
    .requireActual<typeof import('../auth/loopback-botbuilder')>('../auth/loopback-botbuilder')
    .botbuilderWithLoopbackAuthentication(),
);

const APP_PASSWORD = 'app-password-Zx9yQ1w2e3r4t5y6';
const WEBHOOK_SECRET = 'webhook-secret-Pq8oW7iE6uR5tY4';
const OUTBOUND_TOKEN = 'outbound-connector-token-Kj4hG3fD2sA1';
/** The token of the harness's static Azure credential. */
const AZURE_TOKEN = 'test-token';
/** The SAS signature in the EULA URL of the demonstration `blockedGallery`. */
const GALLERY_SAS_SIGNATURE = 'c2FuZGJveC1ub3QtYS1yZWFsLXNpZ25hdHVyZQ';
const REPORT_SAS_SIGNATURE = 'cmVwb3J0LXNhcy1zaWduYXR1cmUtbm90LXJlYWw';
const INFO = 30;

/** Returns the secrets that appear in the log lines at `info` or above, with the line. */
function leaks(lines: Record<string, unknown>[], secrets: string[]): string[] {
  const found: string[] = [];
  for (const line of lines) {
    if (Number(line.level) < INFO) continue;
    const text = JSON.stringify(line);
    for (const secret of secrets) {
      if (text.includes(secret)) found.push(`${secret.slice(0, 12)}… in "${String(line.msg)}"`);
    }
  }
  return found;
}

describe('secrets in logs', () => {
  let openId: LoopbackOpenId;
  let harness: Harness;
  const incomingTokens: string[] = [];
  const consoleLines: string[] = [];

  beforeAll(async () => {
    // botbuilder writes rejected tokens' errors to the console, outside the bot's log, so
    // the console is captured and checked too.
    for (const method of ['error', 'warn', 'info', 'log'] as const) {
      jest.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        consoleLines.push(
          args.map((arg) => (arg instanceof Error ? arg.stack : String(arg))).join(' '),
        );
      });
    }
    openId = await startLoopbackOpenId();
    loopbackAuthentication.settings = loopbackAuthenticationSettings(openId);
    loopbackAuthentication.outboundToken = OUTBOUND_TOKEN;
    harness = await startHarness({
      env: {
        MicrosoftAppId: BOT_APP_ID,
        MicrosoftAppPassword: APP_PASSWORD,
        MicrosoftAppTenantId: TENANT_ID,
        MicrosoftAppType: 'SingleTenant',
        ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET,
      },
      invokeDeadlineInMs: 60_000,
    });
  });

  afterAll(async () => {
    await harness?.close();
    await openId?.close();
    loopbackAuthentication.settings = undefined;
    loopbackAuthentication.outboundToken = undefined;
    jest.restoreAllMocks();
  });

  /** Posts an activity with a fresh channel token, as the Bot Framework would. */
  async function post(activity: Partial<Activity>, token?: string): Promise<Response> {
    const bearer = token ?? openId.signToken({ serviceurl: harness.connector.url });
    incomingTokens.push(bearer);
    return fetch(`${harness.botUrl}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
      body: JSON.stringify(activity),
    });
  }

  async function say(user: TeamsUser, text: string): Promise<SentRecord> {
    const options = harness.personal(user);
    const before = harness.connector.sent.length;
    const response = await post(personalMessage(options, text));
    expect(response.status).toBe(200);
    return harness.connector.waitFor(
      (record): record is SentRecord =>
        record.kind === 'sent' &&
        record.conversationId === options.conversationId &&
        harness.connector.sent.indexOf(record as SentRecord) >= before,
    );
  }

  async function click(
    user: TeamsUser,
    card: { conversationId: string; activityId: string },
    verb: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    const activity = adaptiveCardAction(
      { ...harness.personal(user), conversationId: card.conversationId },
      { verb, data: { verb, ...data }, replyToId: card.activityId },
    );
    const response = await post(activity);
    expect(response.status).toBe(200);
  }

  async function postReport(body: string, signature: string): Promise<number> {
    const response = await fetch(`${harness.botUrl}/api/abuse-reports`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-timestamp': String(Math.floor(Date.now() / 1000)),
        'x-signature-256': signature,
      },
      body,
    });
    return response.status;
  }

  /** Runs the flows that handle each secret, with failures where errors get logged. */
  async function runEverything(): Promise<void> {
    await say(USERS.megan, 'help');
    await say(USERS.alex, 'publish sandbox-rg/blockedGallery');

    // The share fails once, so the bot logs an Azure error, then an approver retries it.
    harness.emulator.inject({
      method: 'POST',
      path: /\/share$/i,
      answer: { status: 500, body: { error: { code: 'InternalServerError', message: 'Boom.' } } },
    });
    // Teams refuses one card update, so the bot logs a Bot Connector error.
    harness.connector.inject({
      method: 'PUT',
      answer: {
        status: 403,
        body: { error: { code: 'ConversationBlockedByUser', message: 'Blocked.' } },
      },
    });
    const preview = await say(USERS.alex, 'publish sandbox-rg/readyGallery');
    const requestId = requestIdOf(cardOf(preview.body)) ?? '';
    await click(USERS.alex, preview, 'submitRequest', {
      requestId,
      justification: 'Release 1.1 for customers',
    });
    await harness.app.workflow.idle();
    const approvalCard = approvalCardOf(harness, USERS.megan, requestId);
    await click(USERS.megan, approvalCard, 'approve', { requestId });
    expect((await settledRequest(harness, requestId)).state).toBe('failed');
    await click(USERS.megan, approvalCard, 'retryShare', { requestId });
    expect((await settledRequest(harness, requestId)).state).toBe('shared');

    const report = JSON.stringify({
      publicGalleryName: 'contoso-00000000-0000-0000-0000-000000000001',
      category: 'malware',
      description: `Malware, see https://evidence.blob.core.windows.net/c/f.vhd?sv=2022-11-02&sig=${REPORT_SAS_SIGNATURE}`,
    });
    const signature = `sha256=${createHmac('sha256', WEBHOOK_SECRET).update(report).digest('hex')}`;
    expect(await postReport(report, signature)).toBe(202);
    expect(await postReport(report, `sha256=${'0'.repeat(64)}`)).toBe(401);
    await waitUntil(
      () => (harness.logs.some((line) => line.msg === 'abuse report rejected') ? true : undefined),
      'the rejected report in the log',
    );

    // Teams refuses the replies to Lynne, so a turn fails with a raw Bot Connector error.
    harness.connector.inject({
      method: 'POST',
      path: /\/activities(\/[^/]+)?$/,
      times: 2,
      answer: {
        status: 403,
        body: { error: { code: 'BotNotInConversationRoster', message: 'No.' } },
      },
    });
    expect((await post(personalMessage(harness.personal(USERS.lynne), 'help'))).status).toBe(200);

    // Rejected tokens: another audience and a forged signature.
    const foreign = openId.signToken({ serviceurl: harness.connector.url, aud: 'another-app' });
    expect(
      (await post(personalMessage(harness.personal(USERS.lynne), 'help'), foreign)).status,
    ).toBe(401);
    const forged = openId.signToken(
      { serviceurl: harness.connector.url },
      { privateKey: unknownSigningKey() },
    );
    await post(personalMessage(harness.personal(USERS.lynne), 'help'), forged);
    await harness.app.workflow.idle();
  }

  it('no secret at info or above', async () => {
    await runEverything();

    // The run handled every secret: tokens went out and came in, and the report was signed.
    expect(
      harness.connector.requests.some(
        (request) => request.authorization === `Bearer ${OUTBOUND_TOKEN}`,
      ),
    ).toBe(true);
    expect(harness.emulator.shareCalls()).toHaveLength(2);
    expect(harness.logs.some((line) => Number(line.level) >= 40)).toBe(true);

    const secrets = [
      APP_PASSWORD,
      WEBHOOK_SECRET,
      OUTBOUND_TOKEN,
      AZURE_TOKEN,
      GALLERY_SAS_SIGNATURE,
      REPORT_SAS_SIGNATURE,
      ...incomingTokens,
      ...incomingTokens.map((token) => token.split('.')[2] ?? token),
    ];
    expect(leaks(harness.logs, secrets)).toEqual([]);
    expect(consoleLines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual(
      [],
    );
  });

  it('start-up summary hides secrets', async () => {
    const folder = mkdtempSync(path.join(tmpdir(), 'gallery-approvals-secrets-'));
    const emulator = await startEmulator({ seed: loadSeed(DEMO_SEED_PATH), port: 0 });
    const storageKey = 'c3RvcmFnZS1hY2NvdW50LWtleS1ub3QtcmVhbA==';
    try {
      const bot = await startBotProcess({
        emulator,
        databaseFile: path.join(folder, 'secrets.db'),
        env: {
          LOG_LEVEL: 'info',
          MicrosoftAppId: BOT_APP_ID,
          MicrosoftAppPassword: APP_PASSWORD,
          MicrosoftAppTenantId: TENANT_ID,
          ABUSE_WEBHOOK_SECRET: WEBHOOK_SECRET,
          AZURE_STORAGE_CONNECTION_STRING: `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${storageKey}`,
        },
      });
      await bot.stop('SIGTERM');
      const lines = bot
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);

      expect(lines.some((line) => line.msg === 'starting Gallery Approvals')).toBe(true);
      expect(leaks(lines, [APP_PASSWORD, WEBHOOK_SECRET, storageKey])).toEqual([]);
    } finally {
      await emulator.close();
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
