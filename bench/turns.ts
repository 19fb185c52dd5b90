import type { Activity } from 'botbuilder';
import {
  adaptiveCardAction,
  personalMessage,
  postActivity,
  type ActivityOptions,
  type CardActionOptions,
} from '../test/support/activities';
import type { FakeConnector, SentRecord } from '../test/support/fake-connector';
import { USERS } from '../test/support/bot-harness';

export { USERS };

export const TENANT_ID = '00000000-0000-0000-0000-0000000000001';
const REPLY_TIMEOUT_IN_MS = 120_000;

/** Activity options for a user's 1:1 chat with the bot, as the integration tests build them. */
export function personalChat(
  connector: FakeConnector,
  user: (typeof USERS)[keyof typeof USERS],
): ActivityOptions {
  return {
    serviceUrl: connector.url,
    user,
    conversationId: `a:personal-${user.aadObjectId}`,
    tenantId: TENANT_ID,
  };
}

export interface MessageTurn {
  /** From sending the activity to the reply's arrival at the Bot Connector stand-in. */
  latencyInMs: number;
  reply: SentRecord;
}

/** Sends a message and waits for the bot's reply to it at the connector. */
export async function messageTurn(
  botUrl: string,
  connector: FakeConnector,
  options: ActivityOptions,
  text: string,
): Promise<MessageTurn> {
  const activity = personalMessage(options, text);
  const started = performance.now();
  const replied = connector
    .waitFor(
      (record): record is SentRecord => record.kind === 'sent' && record.replyToId === activity.id,
      { timeoutInMs: REPLY_TIMEOUT_IN_MS },
    )
    .then((reply) => ({ reply, at: performance.now() }));
  await postOrThrow(botUrl, activity);
  const { reply, at } = await replied;
  return { latencyInMs: at - started, reply };
}

export interface InvokeTurn {
  /** From sending the invoke to the invoke response. */
  latencyInMs: number;
  body: unknown;
}

/** Sends an `adaptiveCard/action` invoke and waits for its invoke response. */
export async function invokeTurn(
  botUrl: string,
  options: ActivityOptions,
  action: CardActionOptions,
): Promise<InvokeTurn> {
  const started = performance.now();
  const body = await postOrThrow(botUrl, adaptiveCardAction(options, action));
  return { latencyInMs: performance.now() - started, body };
}

/** Posts an activity and raises unless the bot returns 200. */
export async function postOrThrow(botUrl: string, activity: Partial<Activity>): Promise<unknown> {
  const response = await postActivity(botUrl, activity);
  if (response.status !== 200) {
    throw new Error(
      `The bot returned HTTP ${response.status} for a ${activity.type} activity: ${JSON.stringify(response.body)}`,
    );
  }
  return response.body;
}

/** Returns the size in bytes of a value as UTF-8 JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
