import { request as httpsRequest } from 'node:https';

import { AuthorizationManagementClient } from '@azure/arm-authorization';
import { ComputeManagementClient } from '@azure/arm-compute';
import type { TokenCredential } from '@azure/core-auth';

import { startEmulator, type Emulator, type EmulatorOptions } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed, type Seed } from '../../sandbox/seed';

export const SUBSCRIPTION_ID = '00000000-0000-0000-0000-000000000000';
export const RESOURCE_GROUP = 'sandbox-rg';
export const SUBSCRIPTION_SCOPE = `/subscriptions/${SUBSCRIPTION_ID}`;
export const GROUP_SCOPE = `${SUBSCRIPTION_SCOPE}/resourceGroups/${RESOURCE_GROUP}`;

/** A credential that never leaves the process, so no identity endpoint is ever called. */
export const staticCredential: TokenCredential = {
  getToken: async () => ({ token: 'sandbox', expiresOnTimestamp: Date.now() + 3600_000 }),
};

export function galleryId(name: string): string {
  return `${GROUP_SCOPE}/providers/Microsoft.Compute/galleries/${name}`;
}

export function demoSeed(): Seed {
  return loadSeed(DEMO_SEED_PATH);
}

/**
 * Starts an emulator on the demonstration seed that sends `Retry-After: 0`. Throttled requests
 * are then retried at once, but the core-lro 3.3 poller ignores a zero and waits
 * `updateIntervalInMs` (default 2000 ms), so share tests pass a short interval.
 */
export function startDemoEmulator(options: Partial<EmulatorOptions> = {}): Promise<Emulator> {
  return startEmulator({ seed: demoSeed(), retryAfterInSeconds: 0, ...options });
}

// Short retry delays keep the tests of reset connections fast.
const retryOptions = { retryDelayInMs: 10, maxRetryDelayInMs: 50 };

export function createComputeClient(emulator: Emulator): ComputeManagementClient {
  return new ComputeManagementClient(staticCredential, SUBSCRIPTION_ID, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.caCertificate },
    retryOptions,
  });
}

export function createAuthorizationClient(emulator: Emulator): AuthorizationManagementClient {
  return new AuthorizationManagementClient(staticCredential, SUBSCRIPTION_ID, {
    endpoint: emulator.url,
    tlsOptions: { ca: emulator.caCertificate },
    retryOptions,
  });
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const result: T[] = [];
  for await (const item of items) result.push(item);
  return result;
}

/** Runs a promise expected to reject and returns the rejection, failing when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    return error as Record<string, unknown>;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface RawRequestOptions {
  body?: string;
  headers?: Record<string, string>;
  timeoutInMs?: number;
}

/** Sends one HTTPS request to the emulator without any SDK, trusting its certificate. */
export function rawRequest(
  emulator: Emulator,
  method: string,
  path: string,
  options: RawRequestOptions = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${emulator.url}${path}`,
      {
        method,
        ca: emulator.caCertificate,
        headers: { authorization: 'Bearer sandbox', ...options.headers },
        timeout: options.timeoutInMs ?? 5000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: text === '' ? undefined : JSON.parse(text),
          });
        });
      },
    );
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', reject);
    request.end(options.body);
  });
}
