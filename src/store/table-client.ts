import { isRestError } from '@azure/core-rest-pipeline';
import { TableClient, type TableServiceClientOptions } from '@azure/data-tables';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Creates a client for one table from a storage connection string. Plain `http://` endpoints
 * are allowed only on loopback, for Azurite. Anywhere else the connection string must use
 * HTTPS, because Shared Key requests would otherwise travel unencrypted.
 */
export function createTableClient(
  connectionString: string,
  tableName: string,
  options: TableServiceClientOptions = {},
): TableClient {
  const client = TableClient.fromConnectionString(connectionString, tableName, options);
  const endpoint = new URL(client.url);
  if (endpoint.protocol === 'https:') return client;

  if (endpoint.protocol === 'http:' && LOOPBACK_HOSTS.has(endpoint.hostname)) {
    return TableClient.fromConnectionString(connectionString, tableName, {
      ...options,
      allowInsecureConnection: true,
    });
  }
  throw new Error(
    `AZURE_STORAGE_CONNECTION_STRING points at ${endpoint.origin}, which is neither HTTPS nor ` +
      'a loopback Azurite endpoint. Use DefaultEndpointsProtocol=https.',
  );
}

/** Returns the HTTP status of a failed Table Storage call, or undefined for other errors. */
export function statusOf(error: unknown): number | undefined {
  return isRestError(error) ? error.statusCode : undefined;
}

/**
 * Returns the service error code (such as `EntityTooLarge`) of a failed call. The SDK leaves
 * `code` unset for some errors, so the `x-ms-error-code` response header is read too.
 */
export function serviceCodeOf(error: unknown): string | undefined {
  if (!isRestError(error)) return undefined;
  return error.code ?? error.response?.headers.get('x-ms-error-code') ?? undefined;
}

/**
 * Tells whether `etag` has the weak form Table Storage issues (`W/"datetime'…'"`). The
 * service and Azurite reject an If-Match header of any other form with 400 instead of 412.
 */
export function isTableEtag(etag: string): boolean {
  return /^W\/"([^"]|\\")*"$/.test(etag);
}

/** Quotes a string as an OData literal, doubling single quotes. */
export function odataString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** Waits a random time up to `maxDelayInMs`, to spread out writers that retry together. */
export function jitter(maxDelayInMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.random() * maxDelayInMs));
}
