import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ComputeManagementClient } from '@azure/arm-compute';
import { getClient, type Client } from '@azure-rest/core-client';
import type { TokenCredential } from '@azure/core-auth';
import { RestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

/**
 * Default bound of one SDK call, its retries and `Retry-After` waits included. The Azure SDK
 * sets none, so a request that never gets a response would block its caller forever.
 * NOTE: 60 seconds is this project's choice, not a documented Resource Manager limit.
 */
export const DEFAULT_REQUEST_TIMEOUT_IN_MS = 60_000;

/** `RestError.code` of a call that the timeout policy ended. */
export const REQUEST_TIMEOUT_CODE = 'RequestTimeout';

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
  /** Bound of one call with its retries; default `DEFAULT_REQUEST_TIMEOUT_IN_MS`. */
  requestTimeoutInMs?: number;
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
    additionalPolicies: [
      {
        policy: requestTimeoutPolicy(settings.requestTimeoutInMs ?? DEFAULT_REQUEST_TIMEOUT_IN_MS),
        position: 'perCall' as const,
      },
    ],
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

/**
 * Ends a call that has not finished within `timeoutInMs` and raises a `RestError` with code
 * `REQUEST_TIMEOUT_CODE` and no status. It runs once per call, outside the retry policy, so the
 * bound covers the retries and their waits, and a timed-out call is not retried.
 */
export function requestTimeoutPolicy(timeoutInMs: number): PipelinePolicy {
  if (!Number.isInteger(timeoutInMs) || timeoutInMs < 1) {
    throw new RangeError(`The request timeout must be a positive integer, got ${timeoutInMs}.`);
  }
  return {
    name: 'requestTimeoutPolicy',
    async sendRequest(request, next) {
      const callerSignal = request.abortSignal;
      const timer = new AbortController();
      const handle = setTimeout(() => timer.abort(), timeoutInMs);
      // The SDK types the caller's signal as AbortSignalLike, so it is followed by a listener.
      const abortWithCaller = () => timer.abort();
      if (callerSignal?.aborted) timer.abort();
      callerSignal?.addEventListener('abort', abortWithCaller);
      request.abortSignal = timer.signal;
      try {
        return await next(request);
      } catch (error) {
        if (timer.signal.aborted && !callerSignal?.aborted) {
          const origin = new URL(request.url).origin;
          throw new RestError(`No response from ${origin} within ${formatDuration(timeoutInMs)}.`, {
            code: REQUEST_TIMEOUT_CODE,
            request,
          });
        }
        throw error;
      } finally {
        clearTimeout(handle);
        callerSignal?.removeEventListener('abort', abortWithCaller);
        request.abortSignal = callerSignal;
      }
    },
  };
}

function formatDuration(milliseconds: number): string {
  return milliseconds % 1000 === 0 ? `${milliseconds / 1000} seconds` : `${milliseconds} ms`;
}
