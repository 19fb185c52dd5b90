import { CARD_VERBS, MAX_INPUT_LENGTH, requestCard, type AdaptiveCard } from '../../src/cards';
import { actionData, executeActions, findByType, inputs, walkObjects } from './card-inspection';
import { everyOtherCard, everyRequestCard } from './card-matrix';
import { makeFinding, makeRequest } from './request-factory';

const ALL_CARDS = [...everyRequestCard(), ...everyOtherCard()];
const DATA_FIELDS = ['verb', 'requestId', 'view', 'imagePage'];

function verbs(card: AdaptiveCard): unknown[] {
  return executeActions(card).map(({ action }) => action.verb);
}

describe('card actions', () => {
  test.each(ALL_CARDS)('$name actions follow the rules', ({ card }) => {
    expect(card.actions).toBeUndefined();

    for (const { action, parent } of executeActions(card)) {
      const data = action.data as Record<string, unknown>;
      const fallback = action.fallback as Record<string, unknown>;
      const unknownFields = Object.keys(data).filter((key) => !DATA_FIELDS.includes(key));

      expect(parent?.type).toBe('ActionSet');
      expect(CARD_VERBS).toContain(action.verb);
      expect(data.verb).toBe(action.verb);
      expect(typeof data.requestId).toBe('string');
      expect(unknownFields).toEqual([]);
      expect(fallback.type).toBe('Action.Submit');
      expect(fallback.data).toEqual(data);
      expect(fallback.title).toBe(action.title);
    }
  });

  test.each(ALL_CARDS)('$name has no stray submit', ({ card }) => {
    walkObjects(card, (object, ancestors) => {
      if (object.type !== 'Action.Submit') return;
      const parent = ancestors[ancestors.length - 1];
      expect(parent?.type).toBe('Action.Execute');
    });
  });

  test('action data names the request', () => {
    const request = makeRequest({ id: 'req-42', state: 'pending' });
    const card = requestCard(request, { audience: 'approver', allowSelfApproval: false });

    expect(actionData(card, 'approve')).toEqual([{ verb: 'approve', requestId: 'req-42' }]);
    expect(actionData(card, 'deny')).toEqual([{ verb: 'deny', requestId: 'req-42' }]);
  });
});

describe('actions by state and audience', () => {
  test('draft offers justification and submit', () => {
    const card = requestCard(makeRequest(), { audience: 'requester', allowSelfApproval: false });
    const [justification] = inputs(card);

    expect(verbs(card)).toContain('submitRequest');
    expect(justification).toMatchObject({
      type: 'Input.Text',
      id: 'justification',
      isMultiline: true,
      isRequired: true,
      maxLength: MAX_INPUT_LENGTH,
    });
  });

  test('draft with blocker cannot submit', () => {
    const request = makeRequest({ findings: [makeFinding({ severity: 'blocker' })] });
    const card = requestCard(request, { audience: 'requester', allowSelfApproval: false });

    expect(verbs(card)).not.toContain('submitRequest');
    expect(inputs(card)).toEqual([]);
    expect(actionData(card, 'refreshRequest')).toContainEqual({
      verb: 'refreshRequest',
      requestId: request.id,
      view: 'newPreview',
    });
  });

  test('already public gallery cannot submit', () => {
    const request = makeRequest({
      findings: [makeFinding({ severity: 'warning', code: 'AlreadyPublic' })],
    });
    const card = requestCard(request, { audience: 'requester', allowSelfApproval: false });

    expect(verbs(card)).not.toContain('submitRequest');
    expect(inputs(card)).toEqual([]);
  });

  test('pending approver can approve and deny', () => {
    const request = makeRequest({ state: 'pending' });
    const card = requestCard(request, { audience: 'approver', allowSelfApproval: false });
    const approve = executeActions(card).find(({ action }) => action.verb === 'approve');
    const [showCard] = findByType(card, 'Action.ShowCard');
    const reason = inputs(card).find((input) => input.id === 'reason');

    expect(verbs(card)).toEqual(expect.arrayContaining(['approve', 'deny']));
    expect(verbs(card)).not.toContain('cancelRequest');
    expect(approve?.action.associatedInputs).toBe('none');
    expect(reason).toMatchObject({
      isRequired: true,
      isMultiline: true,
      maxLength: MAX_INPUT_LENGTH,
    });
    expect(JSON.stringify(showCard)).toContain('"id":"reason"');
    expect(JSON.stringify(showCard)).toContain('"verb":"deny"');
  });

  test('pending requester can only cancel', () => {
    const request = makeRequest({ state: 'pending' });
    const card = requestCard(request, { audience: 'requester', allowSelfApproval: false });

    expect(verbs(card)).toContain('cancelRequest');
    expect(verbs(card)).not.toContain('approve');
    expect(verbs(card)).not.toContain('deny');
  });

  test('pending channel card has no decisions', () => {
    const request = makeRequest({ state: 'pending' });
    const card = requestCard(request, { audience: 'channel', allowSelfApproval: false });

    expect(verbs(card)).not.toContain('approve');
    expect(verbs(card)).not.toContain('deny');
    expect(verbs(card)).not.toContain('cancelRequest');
  });

  test('failed share offers retry to approvers', () => {
    const request = makeRequest({ state: 'failed' });
    const approver = requestCard(request, { audience: 'approver', allowSelfApproval: false });
    const requester = requestCard(request, { audience: 'requester', allowSelfApproval: false });

    expect(verbs(approver)).toContain('retryShare');
    expect(verbs(requester)).not.toContain('retryShare');
  });

  test('changes hide approve but keep deny', () => {
    const request = makeRequest({ state: 'pending' });
    const card = requestCard(request, {
      audience: 'approver',
      allowSelfApproval: false,
      changes: ['Publisher URL changed'],
    });

    expect(verbs(card)).not.toContain('approve');
    expect(verbs(card)).toContain('deny');
    expect(actionData(card, 'refreshRequest')).toContainEqual({
      verb: 'refreshRequest',
      requestId: request.id,
      view: 'newPreview',
    });
  });

  test.each(['draft', 'approved', 'sharing', 'shared', 'denied', 'cancelled', 'expired'] as const)(
    '%s card offers no decision',
    (state) => {
      const card = requestCard(makeRequest({ state }), {
        audience: 'approver',
        allowSelfApproval: true,
      });

      expect(verbs(card)).not.toContain('approve');
      expect(verbs(card)).not.toContain('deny');
      expect(verbs(card)).not.toContain('retryShare');
    },
  );
});

describe('channel card refresh', () => {
  test('pending channel card refreshes approvers', () => {
    const request = makeRequest({ state: 'pending' });
    const card = requestCard(request, {
      audience: 'channel',
      allowSelfApproval: false,
      approverTeamsUserIds: ['29:one', '29:two', '29:one', 'aad-object-id'],
    });

    expect(card.refresh).toEqual({
      action: {
        type: 'Action.Execute',
        verb: 'refreshRequest',
        title: 'Refresh',
        data: { verb: 'refreshRequest', requestId: request.id },
      },
      userIds: ['29:one', '29:two'],
    });
  });

  test('refresh keeps at most sixty ids', () => {
    const ids = Array.from({ length: 100 }, (_, index) => `29:user-${index}`);
    const card = requestCard(makeRequest({ state: 'pending' }), {
      audience: 'channel',
      allowSelfApproval: false,
      approverTeamsUserIds: ids,
    });
    const refresh = card.refresh as { userIds: string[] };

    expect(refresh.userIds).toEqual(ids.slice(0, 60));
  });

  test('other cards have no refresh', () => {
    const options = { allowSelfApproval: false, approverTeamsUserIds: ['29:one'] };
    const shared = requestCard(makeRequest({ state: 'shared' }), {
      ...options,
      audience: 'channel',
    });
    const direct = requestCard(makeRequest({ state: 'pending' }), {
      ...options,
      audience: 'approver',
    });
    const noIds = requestCard(makeRequest({ state: 'pending' }), {
      audience: 'channel',
      allowSelfApproval: false,
    });

    expect(shared.refresh).toBeUndefined();
    expect(direct.refresh).toBeUndefined();
    expect(noIds.refresh).toBeUndefined();
  });
});
