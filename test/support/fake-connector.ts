import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type { Activity, ConversationParameters } from 'botbuilder';

/** A Teams user as the connector's member routes return it. */
export interface TeamsMember {
  /** Teams user id, `29:…`. */
  id: string;
  name: string;
  aadObjectId: string;
  givenName?: string;
  surname?: string;
  email?: string;
  userPrincipalName?: string;
  tenantId?: string;
  userRole?: 'user' | 'guest' | 'anonymous';
}

/** A message the bot sent (`POST …/activities`) or replied with (`POST …/activities/{id}`). */
export interface SentRecord {
  kind: 'sent';
  conversationId: string;
  /** Id the fake assigned and returned. */
  activityId: string;
  /** The activity replied to, taken from the path. Absent for a plain send. */
  replyToId?: string;
  body: Partial<Activity>;
  at: Date;
}

export interface UpdatedRecord {
  kind: 'updated';
  conversationId: string;
  activityId: string;
  body: Partial<Activity>;
  at: Date;
}

export interface DeletedRecord {
  kind: 'deleted';
  conversationId: string;
  activityId: string;
  at: Date;
}

/** A conversation the bot created (`POST /v3/conversations`). */
export interface CreatedRecord {
  kind: 'created';
  conversationId: string;
  /** Id of the first message when the parameters carried an `activity`. */
  activityId?: string;
  body: ConversationParameters;
  at: Date;
}

export type ConnectorRecord = SentRecord | UpdatedRecord | DeletedRecord | CreatedRecord;

/** One HTTP request the fake received, including those that got an injected fault. */
export interface RequestRecord {
  method: string;
  /** Path with each segment URL-decoded, such as `/v3/conversations/a:1/activities`. */
  path: string;
  status: number;
  authorization?: string;
  at: Date;
}

/** A scripted response for matching requests, sent in place of the normal route. */
export interface Fault {
  method?: string;
  /** Tested against the decoded path, as in `RequestRecord.path`. */
  path?: RegExp;
  /** How many matching requests get the response. Default 1, `Infinity` for all. */
  times?: number;
  answer: { status: number; headers?: Record<string, string>; body?: unknown };
}

export interface WaitForOptions {
  /** Default 5000. */
  timeoutInMs?: number;
}

export interface FakeConnector {
  /** `http://127.0.0.1:{port}/`, to use as the activities' `serviceUrl`. */
  url: string;
  records: ConnectorRecord[];
  sent: SentRecord[];
  updated: UpdatedRecord[];
  deleted: DeletedRecord[];
  created: CreatedRecord[];
  requests: RequestRecord[];
  /** Sets the members returned for a conversation, or for every conversation without its own. */
  setMembers(members: TeamsMember[], conversationId?: string): void;
  inject(fault: Fault): void;
  /**
   * Resolves with the first matching record, present or future. On timeout it rejects with an
   * error that lists the records and requests so far.
   */
  waitFor<T extends ConnectorRecord = ConnectorRecord>(
    predicate: (record: ConnectorRecord) => record is T,
    options?: WaitForOptions,
  ): Promise<T>;
  waitFor(
    predicate: (record: ConnectorRecord) => boolean,
    options?: WaitForOptions,
  ): Promise<ConnectorRecord>;
  /** Clears records, requests, faults and created conversations, but keeps the members. */
  reset(): void;
  close(): Promise<void>;
}

interface RouteResult {
  status: number;
  body?: unknown;
}

/** Bot Framework error body, as the Connector returns it. */
function errorBody(code: string, message: string) {
  return { error: { code, message } };
}

/**
 * Starts a fake Bot Framework Connector on 127.0.0.1 with the routes that botbuilder's
 * ConnectorClient calls for Teams: send, reply, update and delete activities, create
 * conversations, and read members. It records every write and can respond with scripted faults.
 */
export async function startFakeConnector(): Promise<FakeConnector> {
  const state = new ConnectorState();
  const server = createServer((request, response) => {
    void handle(state, request, response);
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}/`,
    records: state.records,
    sent: state.sent,
    updated: state.updated,
    deleted: state.deleted,
    created: state.created,
    requests: state.requests,
    setMembers: (members, conversationId) => state.setMembers(members, conversationId),
    inject: (fault) => state.faults.push({ ...fault, remaining: fault.times ?? 1 }),
    waitFor: (predicate: (record: ConnectorRecord) => boolean, options?: WaitForOptions) =>
      state.waitFor(predicate, options?.timeoutInMs ?? 5000),
    reset: () => state.reset(),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  } as FakeConnector;
}

class ConnectorState {
  readonly records: ConnectorRecord[] = [];
  readonly sent: SentRecord[] = [];
  readonly updated: UpdatedRecord[] = [];
  readonly deleted: DeletedRecord[] = [];
  readonly created: CreatedRecord[] = [];
  readonly requests: RequestRecord[] = [];
  readonly faults: (Fault & { remaining: number })[] = [];
  private readonly events = new EventEmitter();
  private readonly membersByConversation = new Map<string, TeamsMember[]>();
  private defaultMembers: TeamsMember[] = [];
  /** 1:1 conversation ids by tenant and user, because Teams returns the same one each time. */
  private readonly personalConversations = new Map<string, string>();
  private lastActivityId = Date.now();

  newActivityId(): string {
    this.lastActivityId += 1;
    return String(this.lastActivityId);
  }

  add(record: ConnectorRecord): void {
    this.records.push(record);
    switch (record.kind) {
      case 'sent':
        this.sent.push(record);
        break;
      case 'updated':
        this.updated.push(record);
        break;
      case 'deleted':
        this.deleted.push(record);
        break;
      case 'created':
        this.created.push(record);
        break;
    }
    this.events.emit('record', record);
  }

  setMembers(members: TeamsMember[], conversationId?: string): void {
    if (conversationId === undefined) this.defaultMembers = members;
    else this.membersByConversation.set(conversationId, members);
  }

  membersOf(conversationId: string): TeamsMember[] {
    return this.membersByConversation.get(conversationId) ?? this.defaultMembers;
  }

  findMember(memberId: string): TeamsMember | undefined {
    const everyone = [this.defaultMembers, ...this.membersByConversation.values()].flat();
    return everyone.find((member) => member.id === memberId || member.aadObjectId === memberId);
  }

  personalConversationId(tenantId: string, memberId: string): string {
    const member = this.findMember(memberId);
    const mapKey = `${tenantId}|${member?.id ?? memberId}`;
    let conversationId = this.personalConversations.get(mapKey);
    if (conversationId === undefined) {
      conversationId = `a:${randomBytes(24).toString('base64url')}`;
      this.personalConversations.set(mapKey, conversationId);
    }
    return conversationId;
  }

  takeFault(method: string, path: string): Fault['answer'] | undefined {
    const fault = this.faults.find(
      (candidate) =>
        candidate.remaining > 0 &&
        (candidate.method === undefined || candidate.method.toUpperCase() === method) &&
        (candidate.path === undefined || candidate.path.test(path)),
    );
    if (fault === undefined) return undefined;

    fault.remaining -= 1;
    return fault.answer;
  }

  waitFor(
    predicate: (record: ConnectorRecord) => boolean,
    timeoutInMs: number,
  ): Promise<ConnectorRecord> {
    const existing = this.records.find(predicate);
    if (existing !== undefined) return Promise.resolve(existing);

    return new Promise((resolve, reject) => {
      const onRecord = (record: ConnectorRecord) => {
        if (!predicate(record)) return;
        clearTimeout(timer);
        this.events.off('record', onRecord);
        resolve(record);
      };
      const timer = setTimeout(() => {
        this.events.off('record', onRecord);
        reject(new Error(this.describeTimeout(timeoutInMs)));
      }, timeoutInMs);
      this.events.on('record', onRecord);
    });
  }

  private describeTimeout(timeoutInMs: number): string {
    const records = this.records.map((record) => `  ${describeRecord(record)}`);
    const requests = this.requests.map(
      (request) => `  ${request.method} ${request.path} -> ${request.status}`,
    );
    return [
      `Timed out after ${timeoutInMs} ms waiting for a matching connector record.`,
      `Records (${records.length}):`,
      ...records,
      `Requests (${requests.length}):`,
      ...requests,
    ].join('\n');
  }

  reset(): void {
    for (const list of [this.records, this.sent, this.updated, this.deleted, this.created]) {
      list.length = 0;
    }
    this.requests.length = 0;
    this.faults.length = 0;
    this.personalConversations.clear();
  }
}

/** Summarizes a record in one line for timeout messages. */
function describeRecord(record: ConnectorRecord): string {
  const head = `${record.kind} ${record.conversationId} ${record.activityId ?? '-'}`;
  if (record.kind === 'deleted') return head;
  if (record.kind === 'created') {
    return `${head} members=${JSON.stringify(record.body.members?.map((member) => member.id))}`;
  }

  const text = record.body.text === undefined ? '' : ` text=${JSON.stringify(record.body.text)}`;
  const attachments = (record.body.attachments ?? []).map((attachment) => attachment.contentType);
  const replyTo = record.kind === 'sent' && record.replyToId ? ` replyTo=${record.replyToId}` : '';
  return `${head}${replyTo}${text}${attachments.length ? ` attachments=${attachments}` : ''}`;
}

async function handle(
  state: ConnectorState,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const method = request.method ?? 'GET';
  const rawPath = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
  const segments = rawPath.split('/').filter(Boolean).map(decodeSegment);
  const path = `/${segments.join('/')}`;
  const authorization = request.headers.authorization;

  let result: RouteResult & { headers?: Record<string, string> };
  try {
    const text = await readBody(request);
    result = state.takeFault(method, path) ?? route(state, method, segments, parseJson(text));
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    result = { status: 400, body: errorBody('BadSyntax', message) };
  }

  state.requests.push({ method, path, status: result.status, authorization, at: new Date() });
  send(response, result);
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`The request body is not valid JSON: ${text.slice(0, 80)}`);
  }
}

function send(
  response: ServerResponse,
  result: RouteResult & { headers?: Record<string, string> },
): void {
  const headers: Record<string, string> = { ...result.headers };
  let payload = '';
  if (result.body !== undefined) {
    payload = typeof result.body === 'string' ? result.body : JSON.stringify(result.body);
    headers['content-type'] ??= 'application/json; charset=utf-8';
  }
  response.writeHead(result.status, headers);
  response.end(payload);
}

/** Dispatches `/v3/conversations/…` requests. Segments are already URL-decoded. */
function route(
  state: ConnectorState,
  method: string,
  segments: string[],
  body: unknown,
): RouteResult {
  const [version, conversations, conversationId, collection, itemId, ...rest] = segments;
  if (version !== 'v3' || conversations !== 'conversations' || rest.length > 0) {
    return notFound(method, segments);
  }

  if (conversationId === undefined) {
    if (method === 'POST') return createConversation(state, body as ConversationParameters);
    return notFound(method, segments);
  }

  if (collection === 'activities') {
    return routeActivities(state, method, conversationId, itemId, body as Partial<Activity>);
  }
  if (collection === 'members' && method === 'GET') {
    return getMembers(state, conversationId, itemId);
  }
  if (collection === 'pagedmembers' && method === 'GET' && itemId === undefined) {
    return { status: 200, body: { members: state.membersOf(conversationId) } };
  }
  return notFound(method, segments);
}

function routeActivities(
  state: ConnectorState,
  method: string,
  conversationId: string,
  activityId: string | undefined,
  body: Partial<Activity>,
): RouteResult {
  const at = new Date();

  if (method === 'POST') {
    const newId = state.newActivityId();
    state.add({ kind: 'sent', conversationId, activityId: newId, replyToId: activityId, body, at });
    return { status: 201, body: { id: newId } };
  }
  if (activityId === undefined) return notFound(method, ['activities']);

  if (method === 'PUT') {
    state.add({ kind: 'updated', conversationId, activityId, body, at });
    return { status: 200, body: { id: activityId } };
  }
  if (method === 'DELETE') {
    state.add({ kind: 'deleted', conversationId, activityId, at });
    return { status: 200 };
  }
  return notFound(method, ['activities', activityId]);
}

/**
 * Creates a 1:1 conversation (one member) or a channel thread (`isGroup` with
 * `channelData.channel.id`). A thread's id is `{channel id};messageid={first activity id}`.
 */
function createConversation(state: ConnectorState, body: ConversationParameters): RouteResult {
  const channelData = body?.channelData as
    | { channel?: { id?: string }; tenant?: { id?: string } }
    | undefined;
  const channelId = channelData?.channel?.id;
  const tenantId = body?.tenantId ?? channelData?.tenant?.id ?? '';
  const memberId = body?.members?.[0]?.id;
  const at = new Date();

  let conversationId: string;
  let activityId: string | undefined;
  if (body?.isGroup && channelId) {
    if (!body.activity) {
      return badRequest('Creating a channel conversation needs an activity to post.');
    }
    activityId = state.newActivityId();
    conversationId = `${channelId};messageid=${activityId}`;
  } else if (body?.members?.length === 1 && memberId) {
    conversationId = state.personalConversationId(tenantId, memberId);
    activityId = body.activity ? state.newActivityId() : undefined;
  } else {
    return badRequest(
      'Expected one member for a 1:1 chat, or isGroup with channelData.channel.id for a channel.',
    );
  }

  state.add({ kind: 'created', conversationId, activityId, body, at });
  if (activityId !== undefined && body.activity) {
    state.add({ kind: 'sent', conversationId, activityId, body: body.activity, at });
  }

  const responseBody =
    activityId === undefined ? { id: conversationId } : { id: conversationId, activityId };
  return { status: 201, body: responseBody };
}

function getMembers(
  state: ConnectorState,
  conversationId: string,
  memberId: string | undefined,
): RouteResult {
  const members = state.membersOf(conversationId);
  if (memberId === undefined) return { status: 200, body: members };

  const member = members.find((m) => m.id === memberId || m.aadObjectId === memberId);
  if (member === undefined) {
    return {
      status: 404,
      body: errorBody('MemberNotFoundInConversation', `${memberId} is not in ${conversationId}`),
    };
  }
  return { status: 200, body: member };
}

function badRequest(message: string): RouteResult {
  return { status: 400, body: errorBody('BadArgument', message) };
}

function notFound(method: string, segments: string[]): RouteResult {
  const message = `The fake connector has no route for ${method} /${segments.join('/')}`;
  return { status: 404, body: errorBody('NotFound', message) };
}
