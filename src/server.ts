import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import restify from 'restify';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { ActivityHandler } from 'botbuilder';

export interface ServerDependencies {
  config: Config;
  logger: Logger;
  /** Builds the bot once the adapter exists, since proactive sends need the adapter. */
  createBot: (adapter: CloudAdapter) => ActivityHandler;
  /** Checks what the bot needs to work: storage and the Resource Manager endpoint. */
  readiness: () => Promise<Record<string, string>>;
}

export interface RunningServer {
  url: string;
  adapter: CloudAdapter;
  close(): Promise<void>;
}

/** Largest activity body accepted; Teams activities are a few kilobytes. */
const MAX_BODY_BYTES = 256 * 1024;

/** Starts restify with the bot's routes on `config.host:config.port`. */
export async function startServer(deps: ServerDependencies): Promise<RunningServer> {
  const { config, logger } = deps;
  const authentication = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId ?? '',
    MicrosoftAppPassword: config.bot.appPassword ?? '',
    MicrosoftAppType: config.bot.appType ?? (config.bot.appId ? 'SingleTenant' : ''),
    MicrosoftAppTenantId: config.bot.appTenantId ?? '',
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    logger.error(
      {
        err: error,
        activityId: context.activity.id,
        conversationId: context.activity.conversation?.id,
      },
      'unhandled error in a turn',
    );
  };
  const bot = deps.createBot(adapter);

  const server = restify.createServer({
    name: 'gallery-approvals',
    handleUncaughtExceptions: false,
  });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    if (!req.body || typeof req.body !== 'object' || Array.isArray(req.body)) {
      res.send(400, {
        error: { code: 'BadRequest', message: 'The body must be a JSON activity.' },
      });
      return;
    }
    try {
      await adapter.process(req, res, (context) => bot.run(context));
    } catch (error) {
      logger.warn({ err: error }, 'activity rejected');
      if (!res.headersSent)
        res.send(400, {
          error: { code: 'BadRequest', message: 'The activity could not be processed.' },
        });
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    try {
      const checks = await deps.readiness();
      res.send(200, { status: 'ready', checks });
    } catch (error) {
      logger.warn({ err: error }, 'readiness check failed');
      res.send(503, {
        status: 'not ready',
        error: error instanceof Error ? error.message : String(error),
      });
    }
  });

  server.on('restifyError', (req, _res, error, callback) => {
    logger.debug({ err: error, url: req.url }, 'request error');
    return callback();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${address.port}`;

  return {
    url,
    adapter,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.server.closeAllConnections?.();
      }),
  };
}
