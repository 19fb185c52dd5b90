import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import restify from 'restify';
import type { Logger } from 'pino';
import type { Config } from './config';
import type { ActivityHandler } from 'botbuilder';
import { ABUSE_REPORTS_PATH, type AbuseReportWebhook } from './reports/webhook';
import { activityShapeProblem } from './teams/activity-shape';
import { reuseClients } from './teams/reused-clients';

export interface ServerDependencies {
  config: Config;
  logger: Logger;
  /** Builds the bot once the adapter exists, since proactive sends need the adapter. */
  createBot: (adapter: CloudAdapter) => ActivityHandler;
  /** Checks what the bot needs to work: storage and the Resource Manager endpoint. */
  readiness: () => Promise<Record<string, string>>;
  /** Handles `POST /api/abuse-reports`. Without it the route does not exist, so it returns 404. */
  abuseReports?: Pick<AbuseReportWebhook, 'handle'>;
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
  logAuthenticationFailures(authentication, logger);
  reuseClients(authentication);
  const adapter = new CloudAdapter(authentication);
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    const ids = {
      activityId: context.activity.id,
      conversationId: context.activity.conversation?.id,
    };
    const statusCode = (error as { statusCode?: unknown }).statusCode;
    if (typeof statusCode === 'number') {
      // The Bot Connector responded with an error, so the reply could not be delivered. The
      // bot itself did what it should, so this is a warning.
      const code = (error as { code?: unknown }).code;
      logger.warn({ ...ids, statusCode, code }, 'sending the reply to Teams failed');
      return;
    }
    logger.error({ err: error, ...ids }, 'unhandled error in a turn');
  };
  const bot = deps.createBot(adapter);

  const server = restify.createServer({
    name: 'gallery-approvals',
    handleUncaughtExceptions: false,
  });
  // The body parser runs per route, because the abuse report route reads the raw body itself
  // to check its signature.
  const parseBody = restify.plugins.bodyParser({
    maxBodySize: MAX_BODY_BYTES,
    mapParams: false,
  });

  server.post('/api/messages', parseBody, async (req, res) => {
    if (!req.is('json')) {
      res.send(415, {
        error: { code: 'UnsupportedMediaType', message: 'Send the activity as application/json.' },
      });
      return;
    }
    const problem = activityShapeProblem(req.body);
    if (problem) {
      logger.debug({ problem }, 'malformed activity rejected');
      res.send(400, { error: { code: 'BadRequest', message: problem } });
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

  const abuseReports = deps.abuseReports;
  if (abuseReports) {
    server.post(ABUSE_REPORTS_PATH, async (req, res) => {
      const response = await abuseReports.handle(req);
      for (const [name, value] of Object.entries(response.headers ?? {})) res.header(name, value);
      res.send(response.status, response.body);
    });
  }

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

/**
 * Logs every activity rejected by Bot Framework authentication once, without the token, and
 * makes any validation failure an AuthenticationError: botbuilder 4.23 passes a bad signature
 * through as a JsonWebTokenError, which CloudAdapter would answer with 500 instead of 401.
 */
function logAuthenticationFailures(
  authentication: ConfigurationBotFrameworkAuthentication,
  logger: Logger,
): void {
  const authenticate = authentication.authenticateRequest.bind(authentication);
  authentication.authenticateRequest = async (activity, authHeader) => {
    try {
      return await authenticate(activity, authHeader);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      logger.warn(
        {
          activityId: activity.id,
          conversationId: activity.conversation?.id,
          reason,
          hasAuthorizationHeader: authHeader !== '',
        },
        'activity rejected: Bot Framework authentication failed',
      );
      if (error instanceof AuthenticationError) throw error;
      throw new AuthenticationError(`Unauthorized: ${reason}`, 401);
    }
  };
}
