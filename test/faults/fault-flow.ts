import { request as httpsRequest } from 'node:https';

import type { Emulator } from '../../sandbox/emulator';
import type { PublishRequest } from '../../src/workflow/request';
import type { UpdatedRecord } from '../support/fake-connector';
import {
  USERS,
  approvalCardOf,
  cardOf,
  cardText,
  clickCard,
  sendText,
  settledRequest,
  submitRequest,
  waitUntil,
  type CardLocation,
  type Harness,
} from '../support/bot-harness';

export const GALLERY_PATH =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';
export const SHARE_PATH = /\/galleries\/readyGallery\/share$/i;
export const OPERATION_PATH = /\/capsOperations\/[^/]+$/i;

/** A request that Megan approved, and where its cards are. */
export interface ApprovedRequest {
  requestId: string;
  preview: CardLocation;
  approvalCard: CardLocation;
  /** The request once the bot finished everything the approval started. */
  settled: PublishRequest;
}

/**
 * Previews and submits `readyGallery` as Alex and approves it as Megan, then waits until the
 * bot has finished the share and the card updates.
 */
export async function approveReadyGallery(harness: Harness): Promise<ApprovedRequest> {
  await sendText(harness, USERS.megan, 'help');
  const { requestId, preview } = await submitRequest(harness, USERS.alex);
  const approvalCard = approvalCardOf(harness, USERS.megan, requestId);

  const response = await clickCard(harness, USERS.megan, approvalCard, 'approve', { requestId });
  if (response.status !== 200)
    throw new Error(`Approving ${requestId} answered ${response.status}.`);
  return { requestId, preview, approvalCard, settled: await settledRequest(harness, requestId) };
}

/** Returns the text of the latest version of a card message, as its viewers see it. */
export function latestCardText(harness: Harness, card: CardLocation): string {
  const updates = harness.connector.updated.filter(
    (record: UpdatedRecord) =>
      record.conversationId === card.conversationId && record.activityId === card.activityId,
  );
  const latest = updates[updates.length - 1];
  if (!latest) throw new Error(`The card message ${card.activityId} was never updated.`);
  return cardText(cardOf(latest.body));
}

/** Returns whether the latest version of a card message offers an action with `verb`. */
export function latestCardOffers(harness: Harness, card: CardLocation, verb: string): boolean {
  const updates = harness.connector.updated.filter(
    (record) =>
      record.conversationId === card.conversationId && record.activityId === card.activityId,
  );
  const latest = updates[updates.length - 1];
  return JSON.stringify(cardOf(latest?.body)).includes(`"verb":"${verb}"`);
}

/** Counts the requests the emulator received for a method and path. */
export function requestCount(emulator: Emulator, method: string, path: RegExp | string): number {
  return emulator.requests.filter(
    (request) =>
      request.method === method &&
      (typeof path === 'string'
        ? request.path.toLowerCase() === path.toLowerCase()
        : path.test(request.path)),
  ).length;
}

/**
 * Polls the share operation until it ends, as Azure's own progress would. The emulator
 * completes an operation only when it is polled, so this lets it finish while the bot, whose
 * own poll failed, waits on the gallery. Waits until the bot has polled at least once.
 */
export async function completeOperationAsAzure(emulator: Emulator): Promise<void> {
  const poll = await waitUntil(
    () => emulator.requests.find((request) => OPERATION_PATH.test(request.path)),
    'a poll of the share operation',
  );
  const query = new URLSearchParams(poll.query);
  query.delete('monitor');
  const url = `${emulator.url}${poll.path}?${query.toString()}`;
  for (let attempt = 0; attempt < 10; attempt++) {
    const status = await readOperationStatus(url, emulator.caCertificate);
    if (status !== 'InProgress') return;
  }
  throw new Error(`The share operation at ${poll.path} did not end after 10 polls.`);
}

function readOperationStatus(url: string, ca: string): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      url,
      { method: 'GET', ca, headers: { authorization: 'Bearer test-token' } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as {
            status?: string;
          };
          resolve(body.status);
        });
      },
    );
    request.on('error', reject);
    request.end();
  });
}
