import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import type { Logger } from 'pino';
import { createAzureClients } from './azure/clients';
import { createGalleryGateway } from './azure/gateway';
import type { Config } from './config';
import { REPORT_CARD_CONTENT } from './reports/report-messages';
import { ReportService } from './reports/report-service';
import { AbuseReportWebhook } from './reports/webhook';
import { startServer, type RunningServer } from './server';
import { openStore } from './store/open-store';
import { GalleryApprovalsBot } from './teams/bot';
import { ChannelCommands } from './teams/channel-commands';
import { ConnectorSender } from './teams/connector-sender';
import { ConversationDirectory } from './teams/conversations';
import { TeamsMessenger } from './teams/messenger';
import { TeamsNotifications } from './teams/notifications';
import { Outbox } from './teams/outbox';
import type { OutboxOptions } from './teams/outbox-entry';
import { RequestCards } from './teams/request-cards';
import { SubscriptionDirectory } from './teams/subscriptions';
import { GalleryWatch } from './watch/gallery-watch';
import { WatchActions, WatchNotifications } from './watch/watch-teams';
import { Housekeeping } from './workflow/housekeeping';
import { WorkflowService } from './workflow/service';

export interface AppOptions {
  config: Config;
  logger: Logger;
  credential: TokenCredential;
  /** PEM CA for the Resource Manager endpoint; overrides `config.azure.resourceManagerCaFile`. */
  caCertificate?: string;
  /** Delay between polls of long-running operations when Azure sends no `Retry-After`. */
  pollIntervalInMs?: number;
  /** Maximum time one Resource Manager call may take, retries included; default 60 seconds. */
  requestTimeoutInMs?: number;
  /** Clock of housekeeping, the outbox and abuse reports. */
  now?: () => Date;
  /** Delivery timing of the outbox of proactive messages. */
  outbox?: Partial<OutboxOptions>;
  /** Time between housekeeping runs; default one minute. */
  housekeepingIntervalInMs?: number;
  /** Time after which a card action is answered with the current card while it goes on. */
  invokeDeadlineInMs?: number;
}

export interface App {
  server: RunningServer;
  workflow: WorkflowService;
  outbox: Outbox;
  reports: ReportService;
  housekeeping: Housekeeping;
  /** The periodic check of published galleries for content added after the approval. */
  watch: GalleryWatch;
  close(): Promise<void>;
}

/** Wires the store, the Azure clients, the workflow and the Teams surface, and starts serving. */
export async function startApp(options: AppOptions): Promise<App> {
  const { config, logger } = options;
  const store = await openStore(config.storage, {
    connectionString: config.storageConnectionString,
  });
  const caCertificate =
    options.caCertificate ??
    (config.azure.resourceManagerCaFile
      ? readFileSync(config.azure.resourceManagerCaFile, 'utf8')
      : undefined);
  const clients = createAzureClients(options.credential, {
    resourceManagerEndpoint: config.azure.resourceManagerEndpoint,
    graphEndpoint: config.azure.graphEndpoint,
    caCertificate,
    requestTimeoutInMs: options.requestTimeoutInMs,
  });

  const gateway = createGalleryGateway(clients, { pollIntervalInMs: options.pollIntervalInMs });
  const workflow = new WorkflowService({
    store,
    gateway,
    policy: {
      requestTtlInHours: config.requestTtlInHours,
      allowSelfApproval: config.allowSelfApproval,
    },
    logger,
  });
  const conversations = new ConversationDirectory(store);
  const subscriptions = new SubscriptionDirectory(store);
  const now = options.now;
  const outbox = new Outbox({ store, subscriptions, logger, options: options.outbox, now });
  const reports = new ReportService({
    store,
    requests: workflow.requests,
    subscriptions,
    outbox,
    logger,
    now,
  });
  outbox.registerContent(REPORT_CARD_CONTENT, reports.messages);
  const notifications = new TeamsNotifications({ outbox, subscriptions, conversations, logger });
  const housekeeping = new Housekeeping({
    store,
    requests: workflow.requests,
    logger,
    notifier: notifications,
    now,
    options: {
      requestTtlInHours: config.requestTtlInHours,
      reminderAfterInHours: config.reminderAfterInHours,
      intervalInMs:
        options.housekeepingIntervalInMs ??
        (config.housekeepingIntervalInSeconds !== undefined
          ? config.housekeepingIntervalInSeconds * 1000
          : undefined),
    },
  });
  const watch = new GalleryWatch({
    store,
    requests: workflow.requests,
    gateway,
    allowSelfApproval: config.allowSelfApproval,
    logger,
    intervalInMs: config.watchIntervalInMinutes * 60_000,
    notifier: new WatchNotifications({ outbox, subscriptions, conversations, logger }),
    now,
  });
  workflow.onChange(notifications.onRequestChange);
  workflow.onChange(reports.onRequestChange);

  const server = await startServer({
    config,
    logger,
    createBot: (adapter) => {
      const messenger = new TeamsMessenger(adapter, config.bot.appId ?? '');
      const requestCards = new RequestCards(
        workflow,
        conversations,
        messenger,
        { allowSelfApproval: config.allowSelfApproval, subscriptions },
        logger,
      );
      workflow.onChange(requestCards.onChange);
      housekeeping.onChange(requestCards.onChange);
      outbox.start(new ConnectorSender(adapter, config.bot.appId ?? ''));
      const channelCommands = new ChannelCommands({
        subscriptions,
        reports,
        workflow,
        requestCards,
        store,
        defaultSubscriptionId: config.azure.subscriptionId,
        logger,
      });
      return new GalleryApprovalsBot({
        workflow,
        conversations,
        requestCards,
        channelCommands,
        watchActions: new WatchActions({ watch, workflow, requestCards }),
        defaultSubscriptionId: config.azure.subscriptionId,
        invokeDeadlineInMs: options.invokeDeadlineInMs,
        logger,
      });
    },
    abuseReports: config.abuseWebhookSecret
      ? new AbuseReportWebhook({ secret: config.abuseWebhookSecret, reports, logger, now })
      : undefined,
    readiness: async () => {
      await store.ping();
      await fetchEndpoint(config.azure.resourceManagerEndpoint, caCertificate);
      return { storage: 'ok', resourceManager: 'ok' };
    },
  });

  await workflow.resumeInterrupted();
  housekeeping.start();
  watch.start();

  return {
    server,
    workflow,
    outbox,
    reports,
    housekeeping,
    watch,
    close: async () => {
      await server.close();
      await housekeeping.close();
      await watch.close();
      await workflow.idle();
      await outbox.close();
      await store.close();
    },
  };
}

/** Checks that the Resource Manager endpoint responds over HTTPS at all; any status will do. */
async function fetchEndpoint(endpoint: string, caCertificate: string | undefined): Promise<void> {
  const https = await import('node:https');
  await new Promise<void>((resolve, reject) => {
    const request = https.request(
      endpoint,
      { method: 'HEAD', ca: caCertificate, timeout: 5000 },
      (response) => {
        response.resume();
        resolve();
      },
    );
    request.on('timeout', () =>
      request.destroy(new Error(`${endpoint} did not respond within 5 seconds`)),
    );
    request.on('error', reject);
    request.end();
  });
}
