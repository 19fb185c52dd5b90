import Database from 'better-sqlite3';
import { signBody } from '../../src/reports/signature';
import type { AuditRecord } from '../../src/store/port';
import type { OutboxEntry } from '../../src/teams/outbox-entry';
import {
  channelMessage,
  postActivity,
  type ActivityOptions,
  type TeamsUser,
} from '../support/activities';
import type { SentRecord } from '../support/fake-connector';
import {
  TENANT_ID,
  USERS,
  approvalCardOf,
  clickCard,
  sendText,
  settledRequest,
  submitRequest,
  waitUntil,
  type Harness,
} from '../support/bot-harness';

export const WEBHOOK_SECRET = 'test-abuse-webhook-secret';
export const TEAM_ID = '19:team-security@thread.tacv2';
export const ABUSE_CHANNEL = '19:abuse-reports@thread.tacv2';
export const READY_GALLERY =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';

/** Returns a valid webhook report body about `readyGallery`, named by resource id. */
export function reportBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    galleryResourceId: READY_GALLERY,
    imageDefinition: 'ubuntu-22',
    imageVersion: '1.0.0',
    category: 'malware',
    description: 'The image starts a cryptocurrency miner at boot.',
    reporterContact: 'security@fabrikam.example',
    ...overrides,
  };
}

export interface PostReportOptions {
  secret?: string;
  /** Unix seconds; default now. */
  timestamp?: number | string;
  /** Replaces the computed `X-Signature-256`; `null` leaves the header out. */
  signature?: string | null;
  contentType?: string;
}

/** Posts a report to the bot's webhook, signed with the test secret unless `options` change it. */
export async function postReport(
  harness: Harness,
  body: Record<string, unknown> | string,
  options: PostReportOptions = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': options.contentType ?? 'application/json',
    'x-timestamp': String(options.timestamp ?? Math.floor(Date.now() / 1000)),
  };
  const signature =
    options.signature === undefined
      ? signBody(text, options.secret ?? WEBHOOK_SECRET)
      : options.signature;
  if (signature !== null) headers['x-signature-256'] = signature;

  const response = await fetch(`${harness.botUrl}/api/abuse-reports`, {
    method: 'POST',
    headers,
    body: text,
  });
  const responseText = await response.text();
  return {
    status: response.status,
    body: responseText === '' ? {} : (JSON.parse(responseText) as Record<string, unknown>),
  };
}

/** Activity options for a thread of a team channel; the root message id names the thread. */
export function channelThread(
  harness: Harness,
  user: TeamsUser,
  channelId = ABUSE_CHANNEL,
  rootMessageId = '1700000000001',
): ActivityOptions & { teamId: string } {
  return {
    serviceUrl: harness.connector.url,
    user,
    conversationId: `${channelId};messageid=${rootMessageId}`,
    tenantId: TENANT_ID,
    teamId: TEAM_ID,
  };
}

/** Sends a command with an @mention in a channel thread and returns the bot's reply. */
export async function sendInChannel(
  harness: Harness,
  user: TeamsUser,
  text: string,
  channelId = ABUSE_CHANNEL,
): Promise<SentRecord> {
  const options = channelThread(harness, user, channelId);
  const before = harness.connector.sent.length;
  const response = await postActivity(harness.botUrl, channelMessage(options, text));
  if (response.status !== 200) throw new Error(`The bot answered ${response.status} to "${text}".`);
  return harness.connector.waitFor(
    (record): record is SentRecord =>
      record.kind === 'sent' &&
      record.conversationId === options.conversationId &&
      harness.connector.sent.indexOf(record as SentRecord) >= before,
  );
}

/** Returns the new channel threads the bot started in a channel (its proactive posts). */
export function channelPosts(harness: Harness, channelId = ABUSE_CHANNEL): SentRecord[] {
  return harness.connector.sent.filter(
    (record) => record.conversationId === `${channelId};messageid=${record.activityId}`,
  );
}

/** Counts the documents of a collection in the bot's SQLite file. */
export function countDocuments(databaseFile: string, collection: string): number {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const row = database
      .prepare('SELECT COUNT(*) AS count FROM documents WHERE collection = ?')
      .get(collection) as { count: number };
    return row.count;
  } finally {
    database.close();
  }
}

/** Reads every outbox entry from the bot's SQLite file. */
export function outboxEntries(databaseFile: string): OutboxEntry[] {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const rows = database
      .prepare("SELECT body FROM documents WHERE collection = 'outbox' ORDER BY key")
      .all() as { body: string }[];
    return rows.map((row) => JSON.parse(row.body) as OutboxEntry);
  } finally {
    database.close();
  }
}

/** Waits until the outbox has no pending entry left, and returns every entry. */
export async function outboxSettled(harness: Harness): Promise<OutboxEntry[]> {
  return waitUntil(() => {
    const entries = outboxEntries(harness.databaseFile);
    return entries.some((entry) => entry.state === 'pending') ? undefined : entries;
  }, 'the outbox to deliver every entry');
}

/** Counts the audit records in the bot's SQLite file. */
export function countAuditRecords(databaseFile: string): number {
  const database = new Database(databaseFile, { readonly: true });
  try {
    return (database.prepare('SELECT COUNT(*) AS count FROM audit').get() as { count: number })
      .count;
  } finally {
    database.close();
  }
}

/** Reads the audit records whose `requestId` is a report id, oldest first. */
export function reportAuditRecords(databaseFile: string, reportId: string): AuditRecord[] {
  const database = new Database(databaseFile, { readonly: true });
  try {
    const rows = database
      .prepare('SELECT record FROM audit WHERE request_id = ? ORDER BY sequence')
      .all(reportId) as { record: string }[];
    return rows.map((row) => JSON.parse(row.record) as AuditRecord);
  } finally {
    database.close();
  }
}

/**
 * Publishes readyGallery through the bot: Alex submits the request and Megan approves it.
 * Returns the request id and the public name that Azure gave the gallery.
 */
export async function publishReadyGallery(
  harness: Harness,
): Promise<{ requestId: string; publicName: string }> {
  await sendText(harness, USERS.megan, 'help');
  const { requestId } = await submitRequest(harness, USERS.alex);
  const card = approvalCardOf(harness, USERS.megan, requestId);
  const response = await clickCard(harness, USERS.megan, card, 'approve', { requestId });
  if (response.status !== 200)
    throw new Error(`Approving ${requestId} answered ${response.status}.`);
  const request = await settledRequest(harness, requestId);
  const publicName = request.publicNames?.[0];
  if (request.state !== 'shared' || !publicName) {
    throw new Error(`Publishing readyGallery ended ${request.state}, not shared.`);
  }
  return { requestId, publicName };
}
