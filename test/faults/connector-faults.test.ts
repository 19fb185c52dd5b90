import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Fault } from '../support/fake-connector';
import {
  USERS,
  cardOf,
  cardText,
  sendText,
  settledRequest,
  startHarness,
  submitRequest,
  type Harness,
} from '../support/bot-harness';
import type { TeamsUser } from '../support/activities';
import { approveReadyGallery, latestCardText } from './fault-flow';

const BLOCKED_FIXTURE = path.join(
  __dirname,
  '../../../shared/fixtures/teams/13-proactive-403-MessageWritesBlocked-docs.txt',
);

/** Reads the status and JSON body of the raw HTTP response Teams sends after a user blocked the bot. */
function blockedAnswer(): Fault['answer'] {
  const [head = '', ...rest] = readFileSync(BLOCKED_FIXTURE, 'utf8').split(/\r?\n\r?\n/);
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1]);
  return { status, body: JSON.parse(rest.join('\n\n')) };
}

function connectorError(status: number, code: string, message: string): Fault['answer'] {
  return { status, body: { error: { code, message } } };
}

describe('bot connector faults', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ invokeDeadlineInMs: 60_000 });
    // The approvers wrote to the bot before, so their 1:1 chats are known.
    for (const user of [USERS.megan, USERS.adele, USERS.isaiah])
      await sendText(harness, user, 'help');
  });

  afterEach(async () => {
    await harness.close();
  });

  function chatOf(user: TeamsUser): string {
    return harness.personal(user).conversationId;
  }

  function activitiesPath(user: TeamsUser): RegExp {
    return new RegExp(`^/v3/conversations/${escape(chatOf(user))}/activities(/[^/]+)?$`);
  }

  /** Returns the notices the requester received after submitting, as text. */
  function noticesTo(user: TeamsUser): string[] {
    return harness.connector.sent
      .filter((record) => record.conversationId === chatOf(user))
      .map((record) => cardText(cardOf(record.body)))
      .filter((text) => /reached/i.test(text));
  }

  function warningsAbout(field: string, value: string): Record<string, unknown>[] {
    return harness.logs.filter((line) => Number(line.level) >= 40 && line[field] === value);
  }

  it('roster 403 reports the approver', async () => {
    const roster = connectorError(
      403,
      'BotNotInConversationRoster',
      "The bot isn't part of the conversation roster.",
    );
    harness.connector.inject({ method: 'POST', path: activitiesPath(USERS.megan), answer: roster });
    // The bot then tries a new 1:1 chat, which Teams refuses the same way.
    harness.connector.inject({ method: 'POST', path: /^\/v3\/conversations$/, answer: roster });

    const { requestId } = await submitRequest(harness, USERS.alex);

    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('pending');
    const notices = noticesTo(USERS.alex);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatch(/Megan Bowen \(the app is not installed for them\)/);
    expect(request.cards.some((card) => card.aadObjectId === USERS.adele.aadObjectId)).toBe(true);

    const warnings = warningsAbout('approver', USERS.megan.aadObjectId);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.requestId).toBe(requestId);
    expect(warnings[0]?.code).toBe('BotNotInConversationRoster');
  });

  it('blocked requester chat is skipped', async () => {
    harness.connector.inject({
      method: 'PUT',
      path: activitiesPath(USERS.alex),
      times: Infinity,
      answer: blockedAnswer(),
    });

    const { requestId, settled, approvalCard, preview } = await approveReadyGallery(harness);

    expect(settled.state).toBe('shared');
    expect(harness.emulator.shareCalls()).toHaveLength(1);
    expect(latestCardText(harness, approvalCard)).toMatch(/contoso-/);
    const warnings = warningsAbout('activityId', preview.activityId);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.every((line) => line.requestId === requestId)).toBe(true);
    expect(warnings.every((line) => line.conversationId === preview.conversationId)).toBe(true);
    expect(harness.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  // The Teams documentation recommends no posts to a blocked chat until the user writes again,
  // so the refused card message is dropped after the first 403.
  it('blocked chat is tried once', async () => {
    harness.connector.inject({
      method: 'PUT',
      path: activitiesPath(USERS.alex),
      times: Infinity,
      answer: blockedAnswer(),
    });

    const { preview } = await approveReadyGallery(harness);

    const attempts = harness.connector.requests.filter(
      (request) => request.method === 'PUT' && request.path.endsWith(`/${preview.activityId}`),
    );
    expect(attempts).toHaveLength(1);
    expect(warningsAbout('activityId', preview.activityId)).toHaveLength(1);
  });

  it('deleted card message is skipped', async () => {
    const notFound = connectorError(
      404,
      'ActivityNotFoundInConversation',
      'Conversation not found.',
    );
    harness.connector.inject({
      method: 'PUT',
      path: activitiesPath(USERS.alex),
      times: Infinity,
      answer: notFound,
    });

    const { settled, approvalCard, preview } = await approveReadyGallery(harness);

    expect(settled.state).toBe('shared');
    expect(latestCardText(harness, approvalCard)).toMatch(/contoso-/);
    const warnings = warningsAbout('activityId', preview.activityId);
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings[0]?.conversationId).toBe(preview.conversationId);
    expect(warnings[0]?.code).toBe('ActivityNotFoundInConversation');
    expect(harness.logs.filter((line) => Number(line.level) >= 50)).toEqual([]);
  });

  // The Teams documentation recommends removing a message id that is not found, so the card
  // message is dropped after the first 404.
  it('deleted card is tried once', async () => {
    harness.connector.inject({
      method: 'PUT',
      path: activitiesPath(USERS.alex),
      times: Infinity,
      answer: connectorError(404, 'ActivityNotFoundInConversation', 'Conversation not found.'),
    });

    const { preview } = await approveReadyGallery(harness);

    const attempts = harness.connector.requests.filter(
      (request) => request.method === 'PUT' && request.path.endsWith(`/${preview.activityId}`),
    );
    expect(attempts).toHaveLength(1);
  });

  it('429 with retry-after is retried', async () => {
    harness.connector.inject({
      method: 'POST',
      path: activitiesPath(USERS.megan),
      answer: {
        status: 429,
        headers: { 'Retry-After': '1' },
        body: { error: { code: 'Throttled', message: 'Too many requests.' } },
      },
    });

    const before = harness.connector.requests.length;
    const { requestId } = await submitRequest(harness, USERS.alex);

    const sends = harness.connector.requests
      .slice(before)
      .filter(
        (request) => request.method === 'POST' && activitiesPath(USERS.megan).test(request.path),
      );
    expect(sends.map((request) => request.status)).toEqual([429, 201]);
    const request = await settledRequest(harness, requestId);
    expect(request.cards.some((card) => card.aadObjectId === USERS.megan.aadObjectId)).toBe(true);
    expect(noticesTo(USERS.alex)).toEqual([]);
    expect(warningsAbout('approver', USERS.megan.aadObjectId)).toEqual([]);
  });

  it('413 is reported, not resent', async () => {
    harness.connector.inject({
      method: 'POST',
      path: activitiesPath(USERS.megan),
      answer: connectorError(413, 'MessageSizeTooBig', 'Message size too large.'),
    });

    const before = harness.connector.requests.length;
    const { requestId } = await submitRequest(harness, USERS.alex);

    const sends = harness.connector.requests
      .slice(before)
      .filter(
        (request) => request.method === 'POST' && activitiesPath(USERS.megan).test(request.path),
      );
    expect(sends.map((request) => request.status)).toEqual([413]);
    const notices = noticesTo(USERS.alex);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('Megan Bowen');
    const warnings = warningsAbout('approver', USERS.megan.aadObjectId);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.requestId).toBe(requestId);
    expect(warnings[0]?.code).toBe('MessageSizeTooBig');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
