import { readFileSync } from 'node:fs';
import path from 'node:path';

import type { Activity } from 'botbuilder';
import {
  adaptiveCardAction,
  channelMessage,
  personalMessage,
  submitAction,
  type ActivityOptions,
  type TeamsUser,
} from '../support/activities';

/** A body for `POST /api/messages`: a JSON value, or raw bytes with their content type. */
export type FuzzBody =
  | { kind: 'json'; value: unknown }
  | { kind: 'raw'; text: string; contentType: string };

export interface FuzzCase {
  /** The generator and mutations that made the case, to name it in a failure. */
  label: string;
  body: FuzzBody;
}

/** What the generated activities aim at; every URL in it must be on loopback. */
export interface FuzzTargets {
  /** The fake connector's URL, the only service URL a generated activity may name. */
  serviceUrl: string;
  tenantId: string;
  /** Users the activities come from; none of them may approve or own a stored request. */
  attackers: TeamsUser[];
  /** Ids of stored requests that card actions aim at. */
  requestIds: string[];
  /** Ids of messages that show those requests' cards, used as `replyToId`. */
  cardActivityIds: string[];
}

const TEAMS_FIXTURES = path.join(__dirname, '..', '..', '..', 'shared', 'fixtures', 'teams');
const FIXTURE_FILES = [
  '01-invoke-adaptiveCard-action-personal-captured.json',
  '02-invoke-adaptiveCard-action-refresh-docs.json',
  '03-invoke-adaptiveCard-action-with-state-docs.json',
  '08-message-channel-captured.json',
  '09-message-messageBack-channel-docs.json',
];

const CARD_VERBS = [
  'submitRequest',
  'cancelRequest',
  'approve',
  'deny',
  'retryShare',
  'refreshRequest',
  'acknowledgeReport',
  'startUnpublish',
  'submitReport',
];
const UNKNOWN_VERBS = ['', 'APPROVE', 'approve ', 'constructor', '__proto__', 'toString', 'share'];
const INVOKE_NAMES = [
  'adaptiveCard/action',
  'composeExtension/query',
  'composeExtension/submitAction',
  'task/fetch',
  'task/submit',
  'signin/verifyState',
  'signin/tokenExchange',
  'fileConsent/invoke',
  'actionableMessage/executeAction',
  'healthCheck',
  'application/search',
  'config/fetch',
  'unknown/invoke',
  '',
];
const ACTIVITY_TYPES = [
  'message',
  'invoke',
  'event',
  'conversationUpdate',
  'installationUpdate',
  'messageReaction',
  'messageUpdate',
  'messageDelete',
  'typing',
  'endOfConversation',
  'trace',
  'MESSAGE',
  'Invoke',
  '',
  'not-a-type',
];
const COMMAND_WORDS = [
  'publish',
  'unpublish',
  'status',
  'report',
  'subscribe',
  'unsubscribe',
  'audit',
  'help',
];
/** Arguments that make the bot read a gallery from the emulator; used sparingly. */
const GALLERY_ARGUMENTS = [
  'sandbox-rg/readyGallery',
  'sandbox-rg/blockedGallery',
  'sandbox-rg/noSuchGallery',
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery/../privateGallery',
];
const ODD_STRINGS = [
  '',
  ' ',
  '\u0000',
  '\u202e\u200b',
  '<at>Gallery Approvals</at>',
  '<script>alert(1)</script>',
  '[click](https://example.invalid)',
  '**bold** _it_ `code`',
  '${requestId}',
  '{{requestId}}',
  '../../etc/passwd',
  "'; DROP TABLE documents; --",
  'r-',
  'r-aaaaaaaaaa',
  'R-AAAAAAAAAA',
  '\ud800',
  '😀'.repeat(50),
  '%00%2e%2e',
  'null',
  'undefined',
  '__proto__',
];
/**
 * Service URLs a mutation may set. The bot replies to whatever service URL an activity names,
 * so every variant either names 127.0.0.1 or fails inside the Bot Connector client before it
 * opens a connection. A missing, empty or null service URL is not among them: botbuilder 4.23
 * then replies to https://api.botframework.com.
 */
function serviceUrlVariants(serviceUrl: string): unknown[] {
  const withoutSlash = serviceUrl.replace(/\/+$/, '');
  return [
    serviceUrl,
    withoutSlash,
    `${withoutSlash}/amer/`,
    `${withoutSlash}/?x=1`,
    'not a url',
    'ftp://127.0.0.1/',
    'file:///etc/passwd',
    42,
    {},
    [],
  ];
}

/** A small seeded generator (mulberry32), so a failing run can be repeated from its seed. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Returns a float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  integer(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('Cannot pick from an empty list.');
    return items[this.integer(items.length)] as T;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }
}

/**
 * Generates hostile bodies for `/api/messages`. Most are activities built the way Teams builds
 * them, or read from the captured Teams payloads, and then mutated: fields removed, retyped,
 * made huge or deeply nested, unknown invoke names and verbs. The rest are no activity at all.
 */
export class ActivityFuzzer {
  private readonly fixtures: Record<string, unknown>[];

  constructor(
    private readonly random: Random,
    private readonly targets: FuzzTargets,
  ) {
    this.fixtures = FIXTURE_FILES.map(
      (file) =>
        JSON.parse(readFileSync(path.join(TEAMS_FIXTURES, file), 'utf8')) as Record<
          string,
          unknown
        >,
    );
  }

  next(): FuzzCase {
    const roll = this.random.next();
    if (roll < 0.06) return this.rawBody();

    const base = this.baseActivity();
    const mutations = this.random.integer(4);
    const labels = [base.label];
    let activity = base.activity;
    for (let i = 0; i < mutations; i++) {
      const mutation = this.mutate(activity);
      activity = mutation.activity;
      labels.push(mutation.label);
    }
    return {
      label: labels.join(' + '),
      body: { kind: 'json', value: keepOnLoopback(activity, this.targets.serviceUrl) },
    };
  }

  private baseActivity(): { label: string; activity: Record<string, unknown> } {
    const random = this.random;
    const options = this.activityOptions();
    const roll = random.next();

    if (roll < 0.25) {
      return { label: 'command', activity: asRecord(personalMessage(options, this.commandText())) };
    }
    if (roll < 0.3) {
      const channel = {
        ...options,
        conversationId: '19:fuzz@thread.tacv2;messageid=1',
        teamId: '19:team@thread.tacv2',
      };
      return {
        label: 'channel command',
        activity: asRecord(channelMessage(channel, this.commandText())),
      };
    }
    if (roll < 0.6) {
      const verb = random.chance(0.8) ? random.pick(CARD_VERBS) : random.pick(UNKNOWN_VERBS);
      const action = adaptiveCardAction(options, {
        verb,
        data: this.actionData(verb),
        replyToId: this.replyToId(),
        trigger: random.chance(0.9) ? 'manual' : 'automatic',
      });
      return { label: `card action ${JSON.stringify(verb)}`, activity: asRecord(action) };
    }
    if (roll < 0.7) {
      const verb = random.pick(CARD_VERBS);
      const submit = submitAction(options, {
        data: { verb, ...this.actionData(verb) },
        replyToId: this.replyToId(),
      });
      return { label: `submit fallback ${verb}`, activity: asRecord(submit) };
    }
    if (roll < 0.85) {
      const index = random.integer(this.fixtures.length);
      const fixture = structuredClone(this.fixtures[index]) as Record<string, unknown>;
      fixture.serviceUrl = this.targets.serviceUrl;
      fixture.from = { ...random.pick(this.targets.attackers) };
      return { label: `fixture ${FIXTURE_FILES[index]}`, activity: fixture };
    }

    const invoke = asRecord(
      adaptiveCardAction(options, {
        verb: 'approve',
        data: { requestId: random.pick(this.targets.requestIds) },
        replyToId: this.replyToId(),
      }),
    );
    invoke.name = random.pick(INVOKE_NAMES);
    invoke.type = random.chance(0.7) ? 'invoke' : random.pick(ACTIVITY_TYPES);
    return {
      label: `invoke ${JSON.stringify(invoke.name)} type ${JSON.stringify(invoke.type)}`,
      activity: invoke,
    };
  }

  private activityOptions(): ActivityOptions {
    const user = this.random.pick(this.targets.attackers);
    return {
      serviceUrl: this.targets.serviceUrl,
      user,
      conversationId: `a:personal-${user.aadObjectId}`,
      tenantId: this.targets.tenantId,
    };
  }

  private replyToId(): string {
    return this.random.chance(0.8)
      ? this.random.pick(this.targets.cardActivityIds)
      : this.random.pick(ODD_STRINGS);
  }

  private commandText(): string {
    const random = this.random;
    const word = random.chance(0.9) ? random.pick(COMMAND_WORDS) : random.pick(ODD_STRINGS);
    const cased = random.chance(0.2) ? word.toUpperCase() : word;
    // Reading a gallery costs the emulator several calls, so few commands name a real one.
    if ((word === 'publish' || word === 'unpublish') && random.chance(0.05)) {
      return `${cased} ${random.pick(GALLERY_ARGUMENTS)}`;
    }
    const argumentCount = random.integer(4);
    const args = Array.from({ length: argumentCount }, () => this.oddString());
    return [cased, ...args].join(random.chance(0.1) ? '\n\t ' : ' ');
  }

  private actionData(verb: string): Record<string, unknown> {
    const random = this.random;
    const data: Record<string, unknown> = {};
    const requestIdRoll = random.next();
    if (requestIdRoll < 0.6) data.requestId = random.pick(this.targets.requestIds);
    else if (requestIdRoll < 0.9) data.requestId = this.oddValue();
    if (verb === 'deny' || random.chance(0.1)) data.reason = this.oddValue();
    if (verb === 'submitRequest' || random.chance(0.1)) data.justification = this.oddValue();
    if (verb === 'refreshRequest') {
      if (random.chance(0.3)) data.view = random.chance(0.5) ? 'newPreview' : this.oddValue();
      if (random.chance(0.3)) data.imagePage = random.pick([0, -1, 1, 2, 1e9, 1.5, '2', null, NaN]);
    }
    if (random.chance(0.2)) data.reportId = this.oddValue();
    // Fields the server must never trust for who the user is.
    if (random.chance(0.2)) {
      data.aadObjectId = '00000000-0000-0000-0000-0000000000021';
      data.from = { id: '29:megan', aadObjectId: '00000000-0000-0000-0000-0000000000021' };
    }
    return data;
  }

  private oddString(): string {
    const random = this.random;
    const roll = random.next();
    if (roll < 0.5) return random.pick(ODD_STRINGS);
    if (roll < 0.8) return randomText(random, 1 + random.integer(40));
    if (roll < 0.98) return randomText(random, 200 + random.integer(2000));
    return 'x'.repeat(20_000 + random.integer(40_000));
  }

  private oddValue(): unknown {
    const random = this.random;
    const roll = random.next();
    if (roll < 0.4) return this.oddString();
    if (roll < 0.5) return random.pick([0, -1, 1e308, NaN, true, false, null]);
    if (roll < 0.6) return [this.oddString(), 1, null];
    if (roll < 0.7)
      return { nested: this.oddString(), requestId: random.pick(this.targets.requestIds) };
    if (roll < 0.8) return deeplyNested(1 + random.integer(2000));
    return random.pick(this.targets.requestIds);
  }

  private mutate(activity: Record<string, unknown>): {
    label: string;
    activity: Record<string, unknown>;
  } {
    const random = this.random;
    // Shallow copies only: a value may be nested too deeply for structuredClone.
    const copy = { ...activity };
    const keys = Object.keys(copy);
    const roll = random.next();

    if (roll < 0.2 && keys.length > 0) {
      const key = random.pick(keys);
      delete copy[key];
      return { label: `without ${key}`, activity: copy };
    }
    if (roll < 0.4 && keys.length > 0) {
      const key = random.pick(keys);
      copy[key] = this.oddValue();
      return { label: `retyped ${key}`, activity: copy };
    }
    if (roll < 0.5) {
      copy.type = random.pick(ACTIVITY_TYPES);
      return { label: `type ${JSON.stringify(copy.type)}`, activity: copy };
    }
    if (roll < 0.6) {
      copy.serviceUrl = random.pick(serviceUrlVariants(this.targets.serviceUrl));
      return { label: 'service url', activity: copy };
    }
    if (roll < 0.7) {
      const field = random.pick(['from', 'recipient', 'conversation', 'channelData']);
      copy[field] = this.mutateObject(copy[field]);
      return { label: `inside ${field}`, activity: copy };
    }
    if (roll < 0.8) {
      copy.value = this.mutateValue(copy.value);
      return { label: 'value', activity: copy };
    }
    if (roll < 0.9) {
      copy.text = this.oddValue();
      return { label: 'text', activity: copy };
    }
    copy.entities = random.pick([null, 'x', [null], [{ type: 'mention' }], deeplyNested(500)]);
    return { label: 'entities', activity: copy };
  }

  private mutateObject(value: unknown): unknown {
    const random = this.random;
    if (!isRecord(value) || random.chance(0.3)) return this.oddValue();
    const copy = { ...value };
    const keys = Object.keys(copy);
    const key = keys.length > 0 && random.chance(0.7) ? random.pick(keys) : this.oddString();
    if (random.chance(0.5)) delete copy[key];
    else copy[key] = this.oddValue();
    return copy;
  }

  /** Mutates an invoke's `value`: the action, its verb, its data or its trigger. */
  private mutateValue(value: unknown): unknown {
    const random = this.random;
    if (!isRecord(value)) return random.chance(0.5) ? this.oddValue() : { action: this.oddValue() };
    const copy = { ...value };
    const action = isRecord(copy.action) ? { ...copy.action } : undefined;
    if (action) copy.action = action;
    const roll = random.next();
    if (roll < 0.25 && action) delete action.verb;
    else if (roll < 0.45 && action) action.verb = this.oddValue();
    else if (roll < 0.65 && action) action.data = this.oddValue();
    else if (roll < 0.8) copy.trigger = this.oddValue();
    else if (roll < 0.9) copy.action = this.oddValue();
    else copy.state = this.oddValue();
    return copy;
  }

  /** Bodies that are no activity: other JSON values, broken JSON, other content types. */
  private rawBody(): FuzzCase {
    const random = this.random;
    const serviceUrl = this.targets.serviceUrl;
    const cases: (() => FuzzCase)[] = [
      () => ({ label: 'json array', body: { kind: 'json', value: [{ type: 'message' }] } }),
      () => ({ label: 'json string', body: { kind: 'json', value: 'message' } }),
      () => ({ label: 'json number', body: { kind: 'json', value: 42 } }),
      () => ({ label: 'json null', body: { kind: 'json', value: null } }),
      () => ({ label: 'empty object', body: { kind: 'json', value: {} } }),
      () => ({
        label: 'broken json',
        body: { kind: 'raw', text: '{"type":"message","text":', contentType: 'application/json' },
      }),
      () => ({
        label: 'empty body',
        body: { kind: 'raw', text: '', contentType: 'application/json' },
      }),
      () => ({
        label: 'form body',
        body: {
          kind: 'raw',
          text: `type=message&text=help&serviceUrl=${encodeURIComponent(serviceUrl)}`,
          contentType: 'application/x-www-form-urlencoded',
        },
      }),
      () => ({
        label: 'text body',
        body: {
          kind: 'raw',
          text: JSON.stringify({ type: 'message', text: 'help', serviceUrl }),
          contentType: 'text/plain',
        },
      }),
      () => ({
        label: 'oversized body',
        body: {
          kind: 'json',
          value: { type: 'message', text: 'help', padding: 'x'.repeat(300 * 1024) },
        },
      }),
      () => ({
        label: 'deep array',
        body: {
          kind: 'raw',
          text: `${'['.repeat(100_000)}${']'.repeat(100_000)}`,
          contentType: 'application/json',
        },
      }),
      () => ({
        label: 'prototype keys',
        body: {
          kind: 'raw',
          text:
            `{"type":"message","text":"help","serviceUrl":${JSON.stringify(serviceUrl)},` +
            '"__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}',
          contentType: 'application/json',
        },
      }),
    ];
    return random.pick(cases)();
  }
}

/**
 * Sets the fake connector's URL as the service URL unless the activity names one of the
 * listed variants. A random string such as `http:x` parses as a URL with a host, and a missing
 * one makes botbuilder reply to the public Bot Framework, so nothing else passes.
 */
export function keepOnLoopback(
  activity: Record<string, unknown>,
  serviceUrl: string,
): Record<string, unknown> {
  const named = JSON.stringify(activity.serviceUrl);
  const allowed = serviceUrlVariants(serviceUrl).some(
    (variant) => JSON.stringify(variant) === named,
  );
  return allowed ? activity : { ...activity, serviceUrl };
}

function randomText(random: Random, length: number): string {
  const alphabets = [
    'abcdefghijklmnopqrstuvwxyz0123456789 ',
    '<>&"\'`*_[](){}#!|\\/:;,.=-+~^%$@',
    '\u00e9\u00fc\u4e2d\u6587\u0627\u0644\u200d\ufeff\u0301',
  ];
  let text = '';
  for (let i = 0; i < length; i++) text += random.pick(random.pick(alphabets).split(''));
  return text;
}

function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
  return value;
}

function asRecord(activity: Partial<Activity>): Record<string, unknown> {
  return JSON.parse(JSON.stringify(activity)) as Record<string, unknown>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
