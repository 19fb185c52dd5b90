import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ComputeManagementClient } from '@azure/arm-compute';
import { getClient, type Client } from '@azure-rest/core-client';
import type { TokenCredential } from '@azure/core-auth';

/** Where the clients connect: the same code serves Azure, sovereign clouds and the emulator. */
export interface AzureClientSettings {
  /** Resource Manager endpoint with a trailing slash. */
  resourceManagerEndpoint: string;
  /** Microsoft Graph endpoint; undefined leaves group membership unread. */
  graphEndpoint?: string;
  /** PEM CA certificate to trust in addition to the system's, for a private endpoint. */
  caCertificate?: string;
  /** Retries of the SDK's retry policies; the default is the SDK's own. */
  maxRetries?: number;
}

/** The SDK clients the bot uses, built once per subscription. */
export interface AzureClients {
  readonly resourceManagerEndpoint: string;
  compute(subscriptionId: string): ComputeManagementClient;
  /**
   * A compute client that never retries, for the share POST: the SDK retries a request after a
   * connection reset, and a resent share POST could share twice.
   */
  computeWithoutRetries(subscriptionId: string): ComputeManagementClient;
  authorization(subscriptionId: string): AuthorizationManagementClient;
  /** A Microsoft Graph REST client, when Graph is configured. */
  readonly graph?: Client;
}

/**
 * Builds the Azure clients from a credential and settings. Production passes
 * `DefaultAzureCredential`; the sandbox passes a static credential and the emulator's endpoint
 * and CA. No other difference exists between the two.
 */
export function createAzureClients(
  credential: TokenCredential,
  settings: AzureClientSettings,
): AzureClients {
  const endpoint = settings.resourceManagerEndpoint;
  const common = {
    endpoint,
    ...(settings.caCertificate ? { tlsOptions: { ca: settings.caCertificate } } : {}),
    ...(settings.maxRetries !== undefined
      ? { retryOptions: { maxRetries: settings.maxRetries } }
      : {}),
    userAgentOptions: { userAgentPrefix: 'gallery-approvals' },
  };
  const scope = `${new URL(endpoint).origin}/.default`;
  const computeClients = new Map<string, ComputeManagementClient>();
  const computeClientsWithoutRetries = new Map<string, ComputeManagementClient>();
  const authorizationClients = new Map<string, AuthorizationManagementClient>();

  return {
    resourceManagerEndpoint: endpoint,

    compute(subscriptionId) {
      let client = computeClients.get(subscriptionId);
      if (!client) {
        client = new ComputeManagementClient(credential, subscriptionId, {
          ...common,
          credentials: { scopes: [scope] },
        });
        computeClients.set(subscriptionId, client);
      }
      return client;
    },

    computeWithoutRetries(subscriptionId) {
      let client = computeClientsWithoutRetries.get(subscriptionId);
      if (!client) {
        client = new ComputeManagementClient(credential, subscriptionId, {
          ...common,
          retryOptions: { maxRetries: 0 },
          credentials: { scopes: [scope] },
        });
        computeClientsWithoutRetries.set(subscriptionId, client);
      }
      return client;
    },

    authorization(subscriptionId) {
      let client = authorizationClients.get(subscriptionId);
      if (!client) {
        client = new AuthorizationManagementClient(credential, subscriptionId, {
          ...common,
          credentialScopes: [scope],
        });
        authorizationClients.set(subscriptionId, client);
      }
      return client;
    },

    graph: settings.graphEndpoint
      ? getClient(settings.graphEndpoint, credential, {
          ...common,
          endpoint: settings.graphEndpoint,
          credentials: { scopes: [`${new URL(settings.graphEndpoint).origin}/.default`] },
        })
      : undefined,
  };
}
