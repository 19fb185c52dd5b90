import { readFileSync } from 'node:fs';
import type { TokenCredential } from '@azure/core-auth';
import type { Logger } from 'pino';
import { createAzureClients } from './azure/clients';
import { createGalleryGateway } from './azure/gateway';
import type { Config } from './config';
import { startServer, type RunningServer } from './server';
import { openStore } from './store/open-store';
import { GalleryApprovalsBot } from './teams/bot';
import { ConversationDirectory } from './teams/conversations';
import { TeamsMessenger } from './teams/messenger';
import { RequestCards } from './teams/request-cards';
import { WorkflowService } from './workflow/service';

export interface AppOptions {
  config: Config;
  logger: Logger;
  credential: TokenCredential;
  /** PEM CA for the Resource Manager endpoint; overrides `config.azure.resourceManagerCaFile`. */
  caCertificate?: string;
  /** Delay between polls of long-running operations when Azure sends no `Retry-After`. */
  pollIntervalInMs?: number;
}

export interface App {
  server: RunningServer;
  workflow: WorkflowService;
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
  });

  const workflow = new WorkflowService({
    store,
    gateway: createGalleryGateway(clients, { pollIntervalInMs: options.pollIntervalInMs }),
    policy: {
      requestTtlInHours: config.requestTtlInHours,
      allowSelfApproval: config.allowSelfApproval,
    },
    logger,
  });
  const conversations = new ConversationDirectory(store);

  const server = await startServer({
    config,
    logger,
    createBot: (adapter) => {
      const messenger = new TeamsMessenger(adapter, config.bot.appId ?? '', logger);
      const requestCards = new RequestCards(
        workflow,
        conversations,
        messenger,
        { allowSelfApproval: config.allowSelfApproval },
        logger,
      );
      workflow.onChange(requestCards.onChange);
      return new GalleryApprovalsBot({
        workflow,
        conversations,
        requestCards,
        defaultSubscriptionId: config.azure.subscriptionId,
        logger,
      });
    },
    readiness: async () => {
      await store.ping();
      await fetchEndpoint(config.azure.resourceManagerEndpoint, caCertificate);
      return { storage: 'ok', resourceManager: 'ok' };
    },
  });

  await workflow.resumeInterrupted();

  return {
    server,
    workflow,
    close: async () => {
      await server.close();
      await workflow.idle();
      await store.close();
    },
  };
}

/** Checks that the Resource Manager endpoint answers HTTPS at all; any status will do. */
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
      request.destroy(new Error(`${endpoint} did not answer within 5 seconds`)),
    );
    request.on('error', reject);
    request.end();
  });
}
