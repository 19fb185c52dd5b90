import type { Activity } from 'botbuilder';
import { adaptiveCardAction, personalMessage } from '../support/activities';
import { TENANT_ID, USERS, cardText, startHarness, type Harness } from '../support/bot-harness';
import { loopbackAuthentication } from './loopback-botbuilder';
import {
  BOT_APP_ID,
  loopbackAuthenticationSettings,
  startLoopbackOpenId,
  unknownSigningKey,
  type LoopbackOpenId,
} from './loopback-openid';

// The mock and this file share one module instance, so the settings made below reach it.
jest.mock('botbuilder', () =>
  jest
    .requireActual<typeof import('./loopback-botbuilder')>('./loopback-botbuilder')
    .botbuilderWithLoopbackAuthentication(),
);

const OTHER_APP_ID = '99999999-8888-7777-6666-555555555555';

describe('bot framework authentication', () => {
  let openId: LoopbackOpenId;
  let harness: Harness;
  let consoleError: jest.SpyInstance;

  beforeAll(async () => {
    // botbuilder writes every rejected token to the console; the checks here are on the
    // status and on the bot's own log.
    consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    openId = await startLoopbackOpenId();
    loopbackAuthentication.settings = loopbackAuthenticationSettings(openId);
    harness = await startHarness({
      env: {
        MicrosoftAppId: BOT_APP_ID,
        MicrosoftAppPassword: 'app-password-never-used-by-these-tests',
        MicrosoftAppTenantId: TENANT_ID,
        MicrosoftAppType: 'SingleTenant',
      },
    });
  });

  afterAll(async () => {
    await harness?.close();
    await openId?.close();
    loopbackAuthentication.settings = undefined;
    consoleError.mockRestore();
  });

  /** Builds a message that the bot replies to through the Bot Connector once it is accepted. */
  function helpMessage(): Partial<Activity> {
    return personalMessage(harness.personal(USERS.lynne), 'help');
  }

  /** Builds a card action whose card comes back in the HTTP response, so it needs no outbound token. */
  function unknownCardAction(): Partial<Activity> {
    return adaptiveCardAction(harness.personal(USERS.lynne), {
      verb: 'noSuchVerb',
      data: {},
      replyToId: '1',
    });
  }

  /** Signs a valid channel token for the harness's activities, with claims replaced as given. */
  function tokenFor(claims: Record<string, unknown> = {}): string {
    return openId.signToken({ serviceurl: harness.connector.url, ...claims });
  }

  async function post(
    activity: Partial<Activity>,
    authorization?: string,
  ): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (authorization !== undefined) headers.authorization = authorization;
    const response = await fetch(`${harness.botUrl}/api/messages`, {
      method: 'POST',
      headers,
      body: JSON.stringify(activity),
    });
    return { status: response.status, body: await response.text() };
  }

  /** Posts a help message with the header and checks the 401 and that the bot sent no reply. */
  async function expectRejected(authorization: string | undefined): Promise<void> {
    const before = harness.connector.requests.length;
    const response = await post(helpMessage(), authorization);
    expect(response.status).toBe(401);
    expect(harness.connector.requests.length).toBe(before);
  }

  it('accepts a valid channel token', async () => {
    const response = await post(unknownCardAction(), `Bearer ${tokenFor()}`);

    expect(response.status).toBe(200);
    expect(cardText(JSON.parse(response.body).value)).toMatch(/not one the bot knows/);
    expect(openId.requests).toContain('/keys');
  });

  it('rejects a request without token', async () => {
    await expectRejected(undefined);
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    // botbuilder allows 5 minutes of clock skew, so this token expired 10 minutes ago.
    await expectRejected(
      `Bearer ${tokenFor({ iat: now - 3600, nbf: now - 3600, exp: now - 600 })}`,
    );
  });

  it('rejects a token for another audience', async () => {
    await expectRejected(`Bearer ${tokenFor({ aud: OTHER_APP_ID })}`);
  });

  it('rejects a token from another issuer', async () => {
    await expectRejected(`Bearer ${tokenFor({ iss: 'https://issuer.invalid/' })}`);
  });

  it('rejects another service url', async () => {
    await expectRejected(`Bearer ${tokenFor({ serviceurl: 'http://127.0.0.1:9/' })}`);
  });

  it('rejects a key the issuer lacks', async () => {
    const token = openId.signToken(
      { serviceurl: harness.connector.url },
      { keyId: 'unknown-key', privateKey: unknownSigningKey() },
    );
    await expectRejected(`Bearer ${token}`);
  });

  it('rejects an unsigned token', async () => {
    const [, payload] = tokenFor().split('.');
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expectRejected(`Bearer ${header}.${payload}.`);
  });

  it('rejects a malformed header', async () => {
    await expectRejected('Bearer not-a-token');
    await expectRejected(`Basic ${Buffer.from('user:password').toString('base64')}`);
  });

  // botframework-connector 4.23 rethrows the JsonWebTokenError of a bad signature as is, and
  // CloudAdapter.process responds 500 to every error that is not an AuthenticationError, so
  // src/server.ts turns every validation failure into one.
  it('rejects a forged signature', async () => {
    const token = openId.signToken(
      { serviceurl: harness.connector.url },
      { privateKey: unknownSigningKey() },
    );
    await expectRejected(`Bearer ${token}`);
  });

  // CloudAdapter.process writes the reason to the console only, so src/server.ts logs each
  // rejected request itself.
  it('logs each rejected request', async () => {
    const activity = helpMessage();
    const response = await post(activity, `Bearer ${tokenFor({ aud: OTHER_APP_ID })}`);
    expect(response.status).toBe(401);

    const lines = harness.logs.filter(
      (line) => Number(line.level) >= 40 && line.activityId === activity.id,
    );
    expect(lines).toHaveLength(1);
  });

  it('calls the issuer for keys only', () => {
    const paths = new Set(openId.requests);
    expect([...paths].sort()).toEqual(['/.well-known/openidconfiguration', '/keys']);
  });
});
