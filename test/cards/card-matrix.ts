import {
  helpCard,
  imageListCard,
  noticeCard,
  requestCard,
  statusListCard,
  type AdaptiveCard,
  type RequestCardOptions,
} from '../../src/cards';
import type { PublishRequest, RequestKind, RequestState } from '../../src/workflow/request';
import { ALL_STATES, makeFinding, makeRequest } from './request-factory';

export interface NamedCard {
  name: string;
  card: AdaptiveCard;
}

export type RequestBuilder = (state: RequestState, kind: RequestKind) => PublishRequest;

const AUDIENCES: RequestCardOptions['audience'][] = ['requester', 'approver', 'channel'];
const KINDS: RequestKind[] = ['publish', 'unpublish'];
const APPROVER_TEAMS_IDS = ['29:approver-1', '29:approver-2'];

const defaultBuilder: RequestBuilder = (state, kind) => makeRequest({ state, kind });

/**
 * Renders the request card of every kind, state and audience, plus the variants that change
 * what a card contains: blockers, an already public gallery, a notice, changes since review,
 * self-approval and a later page of image definitions.
 */
export function everyRequestCard(build: RequestBuilder = defaultBuilder): NamedCard[] {
  const cards: NamedCard[] = [];
  const options = (audience: RequestCardOptions['audience']): RequestCardOptions => ({
    audience,
    allowSelfApproval: false,
    approverTeamsUserIds: APPROVER_TEAMS_IDS,
  });

  for (const kind of KINDS) {
    for (const state of ALL_STATES) {
      for (const audience of AUDIENCES) {
        const name = `${kind} ${state} ${audience}`;
        cards.push({ name, card: requestCard(build(state, kind), options(audience)) });
      }
    }
  }

  const draft = build('draft', 'publish');
  const pending = build('pending', 'publish');
  const blocker = makeFinding({ severity: 'blocker', code: 'SasTokenInUrl' });
  const alreadyPublic = makeFinding({ severity: 'blocker', code: 'AlreadyPublic' });
  cards.push(
    {
      name: 'draft with a blocker',
      card: requestCard({ ...draft, findings: [...draft.findings, blocker] }, options('requester')),
    },
    {
      name: 'draft already public',
      card: requestCard({ ...draft, findings: [alreadyPublic] }, options('requester')),
    },
    {
      name: 'draft with a notice',
      card: requestCard(draft, {
        ...options('requester'),
        notice: { kind: 'error', text: draft.justification ?? 'Submit failed.' },
      }),
    },
    {
      name: 'draft second image page',
      card: requestCard(draft, { ...options('requester'), imagePage: 2 }),
    },
    {
      name: 'pending with changes',
      card: requestCard(pending, {
        ...options('approver'),
        changes: pending.findings.map((finding) => finding.subject),
      }),
    },
    {
      name: 'pending with self-approval',
      card: requestCard(pending, { ...options('approver'), allowSelfApproval: true }),
    },
  );
  return cards;
}

/** Renders every page of the image list, the status list, the help card and notices. */
export function everyOtherCard(build: RequestBuilder = defaultBuilder): NamedCard[] {
  const request = build('pending', 'publish');
  const cards: NamedCard[] = [
    { name: 'help', card: helpCard() },
    { name: 'empty status list', card: statusListCard([]) },
    {
      name: 'status list',
      card: statusListCard(ALL_STATES.map((state) => build(state, 'publish'))),
    },
  ];
  for (const kind of ['info', 'success', 'warning', 'error'] as const) {
    cards.push({
      name: `${kind} notice`,
      card: noticeCard(request.requester.name ?? 'Notice', request.justification ?? '', kind),
    });
  }
  for (const page of imageListPages(request)) cards.push(page);
  return cards;
}

/** Renders each page of the image list card, from page 1 until a page has no Next action. */
export function imageListPages(request: PublishRequest): NamedCard[] {
  const pages: NamedCard[] = [];
  for (let page = 1; page <= 10_000; page += 1) {
    const card = imageListCard(request, page);
    pages.push({ name: `image list page ${page}`, card });
    if (!JSON.stringify(card).includes('"title":"Next page"')) return pages;
  }
  throw new Error('The image list has more than 10,000 pages.');
}
