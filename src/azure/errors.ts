import { isRestError } from '@azure/core-rest-pipeline';
import { REQUEST_TIMEOUT_CODE } from './clients';

/**
 * A Resource Manager call that failed, with Azure's error code and message and what the user
 * can do. `code` is Azure's code (`ResourceNotFound`, `AuthorizationFailed`, …) or ours
 * (`Timeout`, `NetworkError`).
 */
export class AzureCallError extends Error {
  constructor(
    readonly code: string,
    readonly statusCode: number | undefined,
    message: string,
    readonly fix: string,
  ) {
    super(message);
    this.name = 'AzureCallError';
  }
}

/** Turns an SDK error into an AzureCallError whose message names what was being done. */
export function toAzureCallError(error: unknown, doing: string): AzureCallError {
  if (error instanceof AzureCallError) return error;

  if (isRestError(error) && error.code === REQUEST_TIMEOUT_CODE) {
    return new AzureCallError(
      'Timeout',
      undefined,
      `${doing} timed out. ${error.message}`,
      'Azure may be slow or unreachable from the bot. Try again in a few minutes.',
    );
  }
  if (isRestError(error)) {
    const status = error.statusCode;
    const code = error.code ?? (status ? `Http${status}` : 'NetworkError');
    const azureMessage = firstLine(error.message);
    if (status === 404) {
      return new AzureCallError(
        code,
        status,
        `${doing} failed: not found (${code}). ${azureMessage}`,
        'Check the subscription, resource group and gallery name, and that the bot can see them.',
      );
    }
    if (status === 403 || status === 401) {
      return new AzureCallError(
        code,
        status,
        `${doing} failed: the bot's Azure identity is not allowed (${code}). ${azureMessage}`,
        'Give the bot Reader and Compute Gallery Sharing Admin on the gallery or its resource group.',
      );
    }
    if (status === 429 || (status !== undefined && status >= 500) || status === undefined) {
      return new AzureCallError(
        code,
        status,
        `${doing} failed: Azure is busy or unreachable (${code}). ${azureMessage}`,
        'Try again in a few minutes.',
      );
    }
    return new AzureCallError(code, status, `${doing} failed (${code}). ${azureMessage}`, '');
  }

  // core-lro reports a terminal Failed status as a plain Error whose message carries Azure's
  // code and message: "The long-running operation has failed. <code>. <message>".
  const failed =
    error instanceof Error
      ? /long-running operation has failed\. ([^.\s]+)\. ?(.*)/s.exec(error.message)
      : null;
  if (failed) {
    return new AzureCallError(
      failed[1] ?? 'OperationFailed',
      undefined,
      `${doing} failed: Azure reported ${failed[1]}: ${firstLine(failed[2] ?? '')}`,
      'Fix the cause Azure names, then an approver can retry.',
    );
  }
  if (error instanceof Error && /operation was canceled/i.test(error.message)) {
    return new AzureCallError(
      'Canceled',
      undefined,
      `${doing} was canceled in Azure.`,
      'An approver can retry.',
    );
  }
  if (error instanceof Error && error.name === 'AbortError') {
    return new AzureCallError('Timeout', undefined, `${doing} timed out.`, 'Try again later.');
  }
  const message = error instanceof Error ? error.message : String(error);
  return new AzureCallError(
    'NetworkError',
    undefined,
    `${doing} failed: ${message}`,
    'Try again later.',
  );
}

function firstLine(text: string): string {
  const line = text.split('\n')[0] ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
