import type { AddressInfo } from 'node:net';

import {
  ActivityHandler,
  CloudAdapter,
  MessageFactory,
  ConfigurationBotFrameworkAuthentication,
  TeamsInfo,
  TurnContext,
  type Activity,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type ConversationParameters,
  type ConversationReference,
} from 'botbuilder';
import restify from 'restify';

import {
  BOT,
  adaptiveCardAction,
  channelMessage,
  personalMessage,
  postActivity,
  submitAction,
  type ActivityOptions,
} from './activities';
import {
  startFakeConnector,
  type ConnectorRecord,
  type FakeConnector,
  type SentRecord,
} from './fake-connector';

const TENANT_ID = '11111111-1111-1111-1111-111111111111';
const MEGAN = {
  id: '29:1uMVvhoAyfTqdMsyvHL0qlJTTfQF9MOUSI8_cQts2kdSWEZVDyJO2jz-CsNOhQcdYq1Bw4cHT0__O6XDj4AZ-Jw',
  name: 'Megan Bowen',
  aadObjectId: '22222222-2222-2222-2222-222222222222',
};
const PERSONAL_CONVERSATION_ID = 'a:17vxw6pGQOb3Zfh8acXT8m_PqHycYpaFgzu2mFMUfkT';
const TEAM_ID = '19:66P469zibfbsGI-_a0aN_toLTZpyzS6u7CT3TsXdgPw1@thread.tacv2';
const CHANNEL_ID = '19:6848757105754c8981c67612732d9aa7@thread.tacv2';
const CHANNEL_THREAD_ID = `${CHANNEL_ID};messageid=1759881511856`;

/**
 * Public-cloud token audience, `AuthenticationConstants.ToChannelFromBotOAuthScope` in
 * botframework-connector 4.23.
 */
const PUBLIC_CLOUD_AUDIENCE = 'https://api.botframework.com';

const isSent = (record: ConnectorRecord): record is SentRecord => record.kind === 'sent';

let connector: FakeConnector;
let adapter: CloudAdapter;
let server: restify.Server;
let botUrl: string;
let logic: (context: TurnContext) => Promise<void>;

function personal(): ActivityOptions {
  return {
    serviceUrl: connector.url,
    user: MEGAN,
    conversationId: PERSONAL_CONVERSATION_ID,
    tenantId: TENANT_ID,
  };
}

/** Runs one turn of `turnLogic` for an activity posted to the bot and returns the response. */
async function runTurn(
  activity: Parameters<typeof postActivity>[1],
  turnLogic: (context: TurnContext) => Promise<void>,
) {
  logic = turnLogic;
  return postActivity(botUrl, activity);
}

/** Takes a conversation reference from one message turn, as the bot stores it. */
async function referenceFromTurn(): Promise<Partial<ConversationReference>> {
  let reference: Partial<ConversationReference> = {};
  await runTurn(personalMessage(personal(), 'hello'), async (context) => {
    reference = TurnContext.getConversationReference(context.activity);
  });
  return reference;
}

/** Sends one proactive message and returns the error it raised, if any. */
async function sendProactively(reference: Partial<ConversationReference>): Promise<unknown> {
  try {
    await adapter.continueConversationAsync('', reference, async (context) => {
      await context.sendActivity('proactive');
    });
    return undefined;
  } catch (err) {
    return err;
  }
}

beforeAll(async () => {
  connector = await startFakeConnector();

  // No app id: the adapter accepts activities without a token and sends none.
  adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  server = restify.createServer();
  server.use(restify.plugins.bodyParser());
  server.post('/api/messages', async (request, response) => {
    await adapter.process(request, response, (context) => logic(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  botUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

beforeEach(() => {
  connector.reset();
  connector.setMembers([MEGAN]);
  logic = async () => {};
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await connector.close();
});

describe('fake connector with CloudAdapter', () => {
  it('records reply, update and delete', async () => {
    const incoming = personalMessage(personal(), 'hello');

    const response = await runTurn(incoming, async (context) => {
      const reply = await context.sendActivity('received');
      await context.updateActivity({ id: reply?.id, type: 'message', text: 'received, updated' });
      await context.deleteActivity(reply?.id ?? '');
    });

    expect(response.status).toBe(200);
    const [sent] = connector.sent;
    expect(connector.sent).toHaveLength(1);
    expect(sent?.conversationId).toBe(PERSONAL_CONVERSATION_ID);
    expect(sent?.replyToId).toBe(incoming.id);
    expect(sent?.body.text).toBe('received');
    expect(connector.updated).toHaveLength(1);
    expect(connector.updated[0]?.activityId).toBe(sent?.activityId);
    expect(connector.updated[0]?.body.text).toBe('received, updated');
    expect(connector.deleted[0]?.activityId).toBe(sent?.activityId);
  });

  it('sends no authorization header', async () => {
    await runTurn(personalMessage(personal(), 'hello'), async (context) => {
      await context.sendActivity('received');
    });

    expect(connector.requests).toHaveLength(1);
    expect(connector.requests[0]?.authorization).toBeUndefined();
  });

  it('continues a conversation proactively', async () => {
    const reference = await referenceFromTurn();
    let sentId: string | undefined;

    await adapter.continueConversationAsync('', reference, async (context) => {
      sentId = (await context.sendActivity('proactive'))?.id;
      await context.updateActivity({ id: sentId, type: 'message', text: 'proactive, updated' });
    });

    const sent = await connector.waitFor(isSent);
    expect(sent.conversationId).toBe(PERSONAL_CONVERSATION_ID);
    expect(sent.activityId).toBe(sentId);
    expect(sent.body.text).toBe('proactive');
    // botbuilder replies to the continuation event's random id, not to a Teams message.
    expect(sent.replyToId).toMatch(/^[0-9a-f-]{36}$/);
    expect(connector.updated[0]?.activityId).toBe(sentId);
  });

  it('creates a personal conversation', async () => {
    const parameters = {
      isGroup: false,
      bot: BOT,
      members: [{ id: MEGAN.id, name: MEGAN.name }],
      tenantId: TENANT_ID,
      channelData: { tenant: { id: TENANT_ID } },
    } as ConversationParameters;
    let reference: Partial<ConversationReference> = {};

    await adapter.createConversationAsync(
      '',
      'msteams',
      connector.url,
      PUBLIC_CLOUD_AUDIENCE,
      parameters,
      async (context) => {
        reference = TurnContext.getConversationReference(context.activity);
        await context.sendActivity('approval card');
      },
    );

    const [created] = connector.created;
    expect(created?.conversationId).toMatch(/^a:/);
    expect(created?.body.members?.[0]?.id).toBe(MEGAN.id);
    expect(reference.conversation?.id).toBe(created?.conversationId);
    const sent = await connector.waitFor(isSent);
    expect(sent.conversationId).toBe(created?.conversationId);
    expect(sent.body.text).toBe('approval card');
  });

  it('reuses the personal conversation id', async () => {
    const parameters = {
      isGroup: false,
      bot: BOT,
      members: [{ id: MEGAN.aadObjectId, name: '' }],
      tenantId: TENANT_ID,
    } as ConversationParameters;
    const create = () =>
      adapter.createConversationAsync('', 'msteams', connector.url, '', parameters, async () => {});

    await create();
    await create();

    expect(connector.created).toHaveLength(2);
    expect(connector.created[1]?.conversationId).toBe(connector.created[0]?.conversationId);
  });

  it('creates a channel thread', async () => {
    const parameters = {
      isGroup: true,
      bot: BOT,
      channelData: { channel: { id: CHANNEL_ID }, tenant: { id: TENANT_ID } },
      activity: { type: 'message', text: 'approval card' },
    } as ConversationParameters;
    let conversationId: string | undefined;
    let activityId: string | undefined;

    await adapter.createConversationAsync(
      '',
      'msteams',
      connector.url,
      '',
      parameters,
      async (context) => {
        conversationId = context.activity.conversation.id;
        activityId = context.activity.id;
      },
    );

    const [created] = connector.created;
    expect(created?.conversationId).toBe(`${CHANNEL_ID};messageid=${created?.activityId}`);
    expect(conversationId).toBe(created?.conversationId);
    // CloudAdapter drops the response's activityId and uses the conversation id instead.
    expect(activityId).toBe(created?.conversationId);
    const sent = await connector.waitFor(isSent);
    expect(sent.activityId).toBe(created?.activityId);
    expect(sent.body.text).toBe('approval card');
  });

  it('channel send needs an app id', async () => {
    const activity = channelMessage(
      { ...personal(), teamId: TEAM_ID, conversationId: CHANNEL_THREAD_ID },
      'hi',
    );
    let emptyIdError: unknown;
    let placeholderResult: [Partial<ConversationReference>, string] | undefined;

    await runTurn(activity, async (context) => {
      const announcement = MessageFactory.text('published') as Activity;
      emptyIdError = await TeamsInfo.sendMessageToTeamsChannel(
        context,
        announcement,
        CHANNEL_ID,
        '',
      ).catch((err: unknown) => err);
      placeholderResult = await TeamsInfo.sendMessageToTeamsChannel(
        context,
        announcement,
        CHANNEL_ID,
        'any-app-id',
      );
    });

    expect(emptyIdError).toBeInstanceOf(TypeError);
    expect(String(emptyIdError)).toMatch(/createConnectorClient is not a function/);
    expect(connector.created).toHaveLength(1);
    expect(placeholderResult?.[0].conversation?.id).toBe(connector.created[0]?.conversationId);
    expect(placeholderResult?.[1]).toBe(connector.created[0]?.conversationId);
  });

  it('returns members with aad object ids', async () => {
    let member: { aadObjectId?: string } | undefined;
    let pagedMembers: { aadObjectId?: string }[] = [];

    await runTurn(personalMessage(personal(), 'hello'), async (context) => {
      member = await TeamsInfo.getMember(context, MEGAN.id);
      pagedMembers = (await TeamsInfo.getPagedMembers(context)).members;
    });

    expect(member?.aadObjectId).toBe(MEGAN.aadObjectId);
    expect(pagedMembers.map((m) => m.aadObjectId)).toEqual([MEGAN.aadObjectId]);
  });

  it('answers a card action invoke', async () => {
    class CardBot extends ActivityHandler {
      protected async onAdaptiveCardInvoke(
        _context: TurnContext,
        invokeValue: AdaptiveCardInvokeValue,
      ): Promise<AdaptiveCardInvokeResponse> {
        const data = invokeValue.action.data as { requestId?: string };
        return {
          statusCode: 200,
          type: 'application/vnd.microsoft.activity.message',
          value: `${invokeValue.action.verb} ${data.requestId}` as unknown as Record<
            string,
            unknown
          >,
        };
      }
    }
    const bot = new CardBot();
    const invoke = adaptiveCardAction(personal(), {
      verb: 'approve',
      data: { requestId: 'r1' },
      replyToId: '1767765488332',
    });

    const response = await runTurn(invoke, (context) => bot.run(context));

    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      statusCode: 200,
      type: 'application/vnd.microsoft.activity.message',
      value: 'approve r1',
    });
  });

  it('delivers the submit fallback', async () => {
    const submit = submitAction(personal(), {
      data: { verb: 'deny', requestId: 'r1' },
      replyToId: '1',
    });
    let received: { text?: string; value?: unknown; replyToId?: string } = {};

    await runTurn(submit, async (context) => {
      received = context.activity;
    });

    expect(received.text).toBeUndefined();
    expect(received.value).toEqual({ verb: 'deny', requestId: 'r1' });
    expect(received.replyToId).toBe('1');
  });

  it('channel mention can be removed', async () => {
    const options = { ...personal(), teamId: TEAM_ID, conversationId: CHANNEL_THREAD_ID };
    let text: string | undefined;
    let teamsChannelId: string | undefined;

    await runTurn(channelMessage(options, 'publish rg/gallery'), async (context) => {
      text = TurnContext.removeRecipientMention(context.activity)?.trim();
      teamsChannelId = (context.activity.channelData as { teamsChannelId?: string }).teamsChannelId;
      await context.sendActivity('preview');
    });

    expect(text).toBe('publish rg/gallery');
    expect(teamsChannelId).toBe(CHANNEL_ID);
    expect(connector.sent[0]?.conversationId).toBe(CHANNEL_THREAD_ID);
  });
});

describe('fake connector faults', () => {
  it('403 rejects with its code', async () => {
    const reference = await referenceFromTurn();
    connector.inject({
      method: 'POST',
      path: /\/activities/,
      answer: {
        status: 403,
        body: {
          error: { code: 'BotNotInConversationRoster', message: 'The bot is not in the roster.' },
        },
      },
    });

    const error = await sendProactively(reference);

    expect(error).toMatchObject({
      statusCode: 403,
      code: 'BotNotInConversationRoster',
      message: 'The bot is not in the roster.',
    });
    expect(connector.sent).toHaveLength(0);
  });

  it('404 rejects an update', async () => {
    const reference = await referenceFromTurn();
    connector.inject({
      method: 'PUT',
      answer: {
        status: 404,
        body: { error: { code: 'ActivityNotFoundInConversation', message: 'Not found.' } },
      },
    });

    const update = adapter.continueConversationAsync('', reference, async (context) => {
      await context.updateActivity({ id: '1767765488332', type: 'message', text: 'x' });
    });

    await expect(update).rejects.toMatchObject({
      statusCode: 404,
      code: 'ActivityNotFoundInConversation',
    });
  });

  it('429 with retry-after is retried', async () => {
    const reference = await referenceFromTurn();
    connector.inject({
      method: 'POST',
      answer: {
        status: 429,
        headers: { 'Retry-After': '0' },
        body: { error: { code: 'Throttled', message: 'x' } },
      },
    });

    const error = await sendProactively(reference);

    expect(error).toBeUndefined();
    expect(connector.requests.slice(-2).map((request) => request.status)).toEqual([429, 201]);
    expect(connector.sent).toHaveLength(1);
  });

  it('429 without retry-after fails', async () => {
    const reference = await referenceFromTurn();
    connector.inject({
      method: 'POST',
      answer: { status: 429, body: { error: { code: 'Throttled', message: 'x' } } },
    });

    const error = await sendProactively(reference);

    expect(error).toMatchObject({ statusCode: 429 });
    expect(connector.requests.filter((request) => request.status === 429)).toHaveLength(1);
  });

  it('413 is not retried', async () => {
    const reference = await referenceFromTurn();
    connector.inject({
      method: 'POST',
      times: Infinity,
      answer: {
        status: 413,
        body: { error: { code: 'MessageSizeTooBig', message: 'Too large.' } },
      },
    });

    const error = await sendProactively(reference);

    expect(error).toMatchObject({ statusCode: 413, code: 'MessageSizeTooBig' });
    expect(connector.requests.filter((request) => request.status === 413)).toHaveLength(1);
  });

  it('fault applies the given times', async () => {
    const reference = await referenceFromTurn();
    connector.inject({
      method: 'POST',
      times: 2,
      answer: { status: 403, body: '{"errorCode":209}' },
    });

    const results = [
      await sendProactively(reference),
      await sendProactively(reference),
      await sendProactively(reference),
    ];

    expect(results[0]).toMatchObject({ statusCode: 403 });
    expect(results[1]).toMatchObject({ statusCode: 403 });
    expect(results[2]).toBeUndefined();
  });
});

describe('fake connector waitFor', () => {
  it('resolves with a later record', async () => {
    const reference = await referenceFromTurn();
    const waiting = connector.waitFor(
      (record): record is SentRecord => isSent(record) && record.body.text === 'proactive',
    );

    await sendProactively(reference);

    await expect(waiting).resolves.toMatchObject({ body: { text: 'proactive' } });
  });

  it('timeout lists the records', async () => {
    await runTurn(personalMessage(personal(), 'hello'), async (context) => {
      await context.sendActivity('received');
    });

    const waiting = connector.waitFor((record) => record.kind === 'updated', { timeoutInMs: 50 });

    await expect(waiting).rejects.toThrow(/Timed out after 50 ms/);
    await expect(waiting).rejects.toThrow(/sent a:17vxw6pG\S+ \d+ replyTo=\d+ text="received"/);
    await expect(waiting).rejects.toThrow(
      /POST \/v3\/conversations\/a:\S+\/activities\/\d+ -> 201/,
    );
  });
});

describe('fake connector routes', () => {
  it('decodes encoded conversation ids', async () => {
    const encodedId = encodeURIComponent(CHANNEL_THREAD_ID);
    const url = `${connector.url}v3/conversations/${encodedId}/activities`;

    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'message', text: 'x' }),
    });

    expect(response.status).toBe(201);
    expect(connector.sent[0]?.conversationId).toBe(CHANNEL_THREAD_ID);
    expect(connector.requests[0]?.path).toBe(`/v3/conversations/${CHANNEL_THREAD_ID}/activities`);
  });

  it('unknown routes return 404', async () => {
    const response = await fetch(`${connector.url}v3/teams/x`);

    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toMatchObject({ error: { code: 'NotFound' } });
  });

  it('missing member returns 404', async () => {
    const url = `${connector.url}v3/conversations/a%3A1/members/29%3Anobody`;

    const response = await fetch(url);

    expect(response.status).toBe(404);
    await expect(response.json()).resolves.toMatchObject({
      error: { code: 'MemberNotFoundInConversation' },
    });
  });

  it('members can differ per conversation', async () => {
    const other = { id: '29:other', name: 'Adele Vance', aadObjectId: 'aad-other' };
    connector.setMembers([other], 'a:2');

    const inOther = await (await fetch(`${connector.url}v3/conversations/a%3A2/members`)).json();
    const inDefault = await (await fetch(`${connector.url}v3/conversations/a%3A1/members`)).json();

    expect(inOther).toEqual([other]);
    expect(inDefault).toEqual([MEGAN]);
  });

  it('invalid json returns 400', async () => {
    const response = await fetch(`${connector.url}v3/conversations/a%3A1/activities`, {
      method: 'POST',
      body: '{',
    });

    expect(response.status).toBe(400);
    expect(connector.sent).toHaveLength(0);
  });
});
