import {
  AuthenticationConstants,
  ClaimsIdentity,
  type BotFrameworkAuthentication,
  type ConnectorClient,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';
import { ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { reuseClients } from '../../src/teams/reused-clients';

const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const OTHER_SERVICE_URL = 'https://smba.trafficmanager.net/amer/';

function claims(appId: string): ClaimsIdentity {
  return new ClaimsIdentity([{ type: AuthenticationConstants.AudienceClaim, value: appId }], true);
}

describe('reuseClients', () => {
  it('hands out one Bot Connector client per service URL across turns', async () => {
    // No app id: authentication is disabled, as in the sandbox, so no token is fetched.
    const authentication = new ConfigurationBotFrameworkAuthentication({});
    reuseClients(authentication);
    const activity = { serviceUrl: SERVICE_URL, channelId: 'msteams' } as Activity;

    const first = await authentication.authenticateRequest(activity, '');
    const second = await authentication.authenticateRequest(activity, '');
    const client = await first.connectorFactory!.create(SERVICE_URL, first.audience);

    expect(await second.connectorFactory!.create(SERVICE_URL, second.audience)).toBe(client);
    expect(
      await authentication
        .createConnectorFactory(first.claimsIdentity)
        .create(SERVICE_URL, first.audience),
    ).toBe(client);
    expect(await first.connectorFactory!.create(OTHER_SERVICE_URL, first.audience)).not.toBe(
      client,
    );
  });

  it('keeps clients apart by app id and audience', async () => {
    const created: string[] = [];
    const authentication = fakeAuthentication(async (what) => {
      created.push(what);
    });
    reuseClients(authentication);

    for (const appId of ['app-1', 'app-2', 'app-1']) {
      const factory = authentication.createConnectorFactory(claims(appId));
      await factory.create(SERVICE_URL, 'audience-1');
      await factory.create(SERVICE_URL, 'audience-2');
    }
    await authentication.createUserTokenClient(claims('app-1'));
    await authentication.createUserTokenClient(claims('app-1'));
    await authentication.createUserTokenClient(claims('app-2'));

    expect(created).toEqual([
      `connector app-1 ${SERVICE_URL} audience-1`,
      `connector app-1 ${SERVICE_URL} audience-2`,
      `connector app-2 ${SERVICE_URL} audience-1`,
      `connector app-2 ${SERVICE_URL} audience-2`,
      'token client app-1',
      'token client app-2',
    ]);
  });

  it('creates a client again after its creation failed', async () => {
    let attempts = 0;
    const authentication = fakeAuthentication(async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('credentials unavailable');
    });
    reuseClients(authentication);
    const factory = authentication.createConnectorFactory(claims('app-1'));

    await expect(factory.create(SERVICE_URL)).rejects.toThrow('credentials unavailable');
    const client = await factory.create(SERVICE_URL);

    expect(await factory.create(SERVICE_URL)).toBe(client);
    expect(attempts).toBe(2);
  });
});

/**
 * Builds an authentication whose factories report each client they create to `create`, which
 * may raise. The app id comes from the audience claim, as in botbuilder.
 */
function fakeAuthentication(create: (what: string) => Promise<void>): BotFrameworkAuthentication {
  const appIdOf = (identity: ClaimsIdentity) =>
    identity.getClaimValue(AuthenticationConstants.AudienceClaim) ?? '';
  return {
    createConnectorFactory: (identity: ClaimsIdentity) => ({
      create: async (serviceUrl: string, audience?: string) => {
        await create(`connector ${appIdOf(identity)} ${serviceUrl} ${audience}`);
        return {} as ConnectorClient;
      },
    }),
    createUserTokenClient: async (identity: ClaimsIdentity) => {
      await create(`token client ${appIdOf(identity)}`);
      return {} as UserTokenClient;
    },
    authenticateRequest: jest.fn(),
  } as unknown as BotFrameworkAuthentication;
}
