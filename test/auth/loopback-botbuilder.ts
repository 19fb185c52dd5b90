/**
 * The `botbuilder` module with one change, for `jest.mock('botbuilder', …)`: the
 * `ConfigurationBotFrameworkAuthentication` that `src/server.ts` builds gets the loopback
 * issuer's settings added to its own. Everything else, including token validation, is
 * botbuilder's own code.
 *
 * `src/server.ts` reads no setting for the OpenID metadata URL or the token issuer, so this
 * is the only way to point the real server at a loopback issuer without changing it.
 */

type Botbuilder = typeof import('botbuilder');

/** What the next authentication that the server builds receives; set it before starting. */
export const loopbackAuthentication: {
  /** Added to the server's own options; undefined leaves them unchanged. */
  settings?: Record<string, string>;
  /**
   * A token the bot sends to the Bot Connector in place of one from Microsoft Entra ID, which
   * the tests cannot reach. Undefined keeps botbuilder's own credentials.
   */
  outboundToken?: string;
} = {};

/** Returns `botbuilder` with the authentication replaced as `loopbackAuthentication` sets it. */
export function botbuilderWithLoopbackAuthentication(): Botbuilder {
  const actual = jest.requireActual<Botbuilder>('botbuilder');
  type Options = ConstructorParameters<typeof actual.ConfigurationBotFrameworkAuthentication>[0];

  class StaticTokenCredentialFactory extends actual.ConfigurationServiceClientCredentialFactory {
    constructor(
      options: ConstructorParameters<typeof actual.ConfigurationServiceClientCredentialFactory>[0],
      private readonly token: string,
    ) {
      super(options);
    }

    // The app id check of the real factory still runs; only the token source changes.
    async createCredentials(appId: string, ...rest: unknown[]): Promise<never> {
      if (!(await this.isValidAppId(appId))) throw new Error('Invalid appId.');
      void rest;
      const token = this.token;
      return {
        signRequest: async (webResource: {
          headers: { set(name: string, value: string): void };
        }) => {
          webResource.headers.set('Authorization', `Bearer ${token}`);
          return webResource;
        },
      } as never;
    }
  }

  class LoopbackAuthentication extends actual.ConfigurationBotFrameworkAuthentication {
    constructor(options: Options = {}, ...rest: unknown[]) {
      const merged = { ...options, ...loopbackAuthentication.settings } as Options;
      const token = loopbackAuthentication.outboundToken;
      const credentials =
        token === undefined ? rest[0] : new StaticTokenCredentialFactory(merged as never, token);
      super(merged, credentials as never, ...(rest.slice(1) as []));
    }
  }

  return { ...actual, ConfigurationBotFrameworkAuthentication: LoopbackAuthentication };
}
