import { randomUUID } from 'node:crypto';

import type { Activity, ChannelAccount } from 'botbuilder';

/** The user who sends an activity, as Teams identifies them. */
export interface TeamsUser {
  /** Teams user id, `29:…`. */
  id: string;
  name: string;
  aadObjectId: string;
}

export interface ActivityOptions {
  /** The Connector URL the bot replies to, such as a fake connector's `url`. */
  serviceUrl: string;
  user: TeamsUser;
  conversationId: string;
  tenantId: string;
  /** The bot as recipient; default `BOT`. */
  bot?: ChannelAccount;
  /**
   * Team id (`19:…@thread.tacv2`) for a channel conversation. With it the activity carries the
   * channel's `channelData` and `conversationType: "channel"`.
   */
  teamId?: string;
}

export interface CardActionOptions {
  verb: string;
  data: Record<string, unknown>;
  /** Id of the message that shows the card. */
  replyToId: string;
  /** `manual` for a click, `automatic` for a refresh; default `manual`. */
  trigger?: 'manual' | 'automatic';
}

export const BOT: ChannelAccount = {
  id: '28:33333333-3333-3333-3333-333333333333',
  name: 'Gallery Approvals',
};

const MENTION_SPAN_START =
  '<span itemtype="http://schema.skype.com/Mention" itemscope="" itemid="0">';

const CLIENT_INFO = {
  type: 'clientInfo',
  locale: 'en-US',
  country: 'US',
  platform: 'Web',
  timezone: 'America/Los_Angeles',
};

/** Builds a message in a 1:1 chat with the bot. */
export function personalMessage(options: ActivityOptions, text: string): Partial<Activity> {
  return {
    ...baseActivity(options, 'message', newMessageId()),
    text,
    textFormat: 'plain',
  };
}

/**
 * Builds a channel message that @mentions the bot, as Teams sends it: the mention is in the
 * text as `<at>…</at>`, in `entities`, and in an HTML attachment. `options.conversationId`
 * is the thread, `{channel id};messageid={root message id}`.
 */
export function channelMessage(
  options: ActivityOptions & { teamId: string },
  text: string,
): Partial<Activity> {
  const bot = options.bot ?? BOT;
  const mention = `<at>${bot.name}</at>`;
  const activity = baseActivity(options, 'message', newMessageId());

  return {
    ...activity,
    text: `${mention} ${text}`,
    textFormat: 'plain',
    entities: [
      { type: 'mention', mentioned: { id: bot.id, name: bot.name }, text: mention },
      CLIENT_INFO,
    ],
    attachments: [
      {
        contentType: 'text/html',
        content: `<p>${MENTION_SPAN_START}${bot.name}</span>&nbsp;${text}</p>`,
      },
    ],
  };
}

/** Builds the `adaptiveCard/action` invoke that Teams sends for an `Action.Execute` click. */
export function adaptiveCardAction(
  options: ActivityOptions,
  action: CardActionOptions,
): Partial<Activity> {
  const activity = baseActivity(options, 'invoke', `f:${randomUUID()}`);

  return {
    ...activity,
    name: 'adaptiveCard/action',
    replyToId: action.replyToId,
    channelData: {
      ...activity.channelData,
      source: { name: 'message' },
      legacy: { replyToId: action.replyToId },
    },
    value: {
      action: { type: 'Action.Execute', id: '', verb: action.verb, data: action.data },
      trigger: action.trigger ?? 'manual',
    },
  };
}

/**
 * Builds the message that a client without `Action.Execute` support sends for the card's
 * `Action.Submit` fallback: no text, the action data in `value`.
 */
export function submitAction(
  options: ActivityOptions,
  submit: { data: Record<string, unknown>; replyToId: string },
): Partial<Activity> {
  const activity = baseActivity(options, 'message', newMessageId());

  return {
    ...activity,
    replyToId: submit.replyToId,
    channelData: { ...activity.channelData, source: { name: 'message' } },
    value: submit.data,
  };
}

/** Builds the fields every Teams activity has, for the conversation type that options imply. */
function baseActivity(options: ActivityOptions, type: string, id: string): Partial<Activity> {
  const now = new Date();
  const conversationType = conversationTypeOf(options);
  const channelData: Record<string, unknown> = { tenant: { id: options.tenantId } };
  if (options.teamId !== undefined) {
    const channelId = options.conversationId.split(';')[0] ?? options.conversationId;
    Object.assign(channelData, {
      teamsChannelId: channelId,
      teamsTeamId: options.teamId,
      channel: { id: channelId },
      team: { id: options.teamId },
    });
  }

  return {
    type,
    id,
    channelId: 'msteams',
    serviceUrl: options.serviceUrl,
    timestamp: now,
    localTimestamp: now,
    locale: 'en-US',
    localTimezone: 'America/Los_Angeles',
    from: { ...options.user },
    recipient: { ...(options.bot ?? BOT) },
    conversation: {
      id: options.conversationId,
      conversationType,
      tenantId: options.tenantId,
      isGroup: conversationType === 'personal' ? undefined : true,
    } as Activity['conversation'],
    channelData,
    entities: [CLIENT_INFO],
  };
}

function conversationTypeOf(options: ActivityOptions): 'personal' | 'groupChat' | 'channel' {
  if (options.teamId !== undefined) return 'channel';
  return options.conversationId.startsWith('a:') ? 'personal' : 'groupChat';
}

let lastMessageId = Date.now();

/** Returns a Teams-style message id (epoch milliseconds), unique within this process. */
function newMessageId(): string {
  lastMessageId += 1;
  return String(lastMessageId);
}

/** Response of the bot's `/api/messages` endpoint. */
export interface BotResponse {
  status: number;
  /** The parsed JSON body, the text of a non-JSON body, or undefined when empty. */
  body: unknown;
}

/** Posts an activity to `{botUrl}/api/messages` as Teams would, without a token. */
export async function postActivity(
  botUrl: string,
  activity: Partial<Activity>,
): Promise<BotResponse> {
  const url = `${botUrl.replace(/\/+$/, '')}/api/messages`;
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity),
  });

  const text = await response.text();
  if (text === '') return { status: response.status, body: undefined };
  const isJson = response.headers.get('content-type')?.includes('json') ?? false;
  return { status: response.status, body: isJson ? JSON.parse(text) : text };
}
