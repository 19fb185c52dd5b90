import type { UpdatedRecord } from '../support/fake-connector';
import {
  USERS,
  approvalCardOf,
  auditRecords,
  cardOf,
  cardText,
  clickCard,
  copyReadyGallery,
  demoRoleAssignmentIds,
  requestIdOf,
  sendText,
  settledRequest,
  startHarness,
  submitRequest,
  type Harness,
} from '../support/bot-harness';

const READY_GALLERY =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';
const SHARING_ADMIN = '1ef6a3be-d0ac-425d-8c01-acb62866290b';
const EULA = 'https://www.contoso.com/legal/community-images-eula';

describe('decision checks at click time', () => {
  let harness: Harness;

  beforeEach(async () => {
    harness = await startHarness({ invokeDeadlineInMs: 60_000 });
    for (const user of [USERS.megan, USERS.adele]) await sendText(harness, user, 'help');
  });

  afterEach(async () => {
    await harness.close();
  });

  function setEula(eula: string): void {
    const gallery = structuredClone(harness.emulator.resource(READY_GALLERY));
    const info = (gallery?.properties?.sharingProfile as Record<string, Record<string, unknown>>)
      .communityGalleryInfo;
    if (!gallery || !info) throw new Error('readyGallery has no community gallery information');
    info.eula = eula;
    harness.emulator.putResource(gallery);
  }

  it('forged user in card data is ignored', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    await sendText(harness, USERS.lynne, 'help');

    const response = await clickCard(
      harness,
      USERS.lynne,
      {
        conversationId: harness.personal(USERS.lynne).conversationId,
        activityId: preview.activityId,
      },
      'approve',
      {
        requestId,
        aadObjectId: USERS.megan.aadObjectId,
        from: { ...USERS.megan },
        user: USERS.megan.aadObjectId,
        approver: USERS.megan.aadObjectId,
      },
    );

    expect(response.status).toBe(200);
    expect(cardText(response.body.value)).toMatch(/You do not hold Owner/);
    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('pending');
    expect(request.decision).toBeUndefined();
    expect(harness.emulator.shareCalls()).toHaveLength(0);
    const rejected = auditRecords(harness.databaseFile, requestId).find(
      (record) => record.action === 'approve-rejected',
    );
    expect(rejected?.actor.aadObjectId).toBe(USERS.lynne.aadObjectId);
  });

  it('forged request id is rejected', async () => {
    const own = await submitRequest(harness, USERS.alex);
    // Only the subscription's Owner (Alex) may approve the copy; Megan's role stops at sandbox-rg.
    const otherGallery = copyReadyGallery(harness.emulator, 'other-rg', 'otherGallery');
    const other = await submitRequest(harness, USERS.lynne, otherGallery);
    const card = approvalCardOf(harness, USERS.megan, own.requestId);

    const response = await clickCard(harness, USERS.megan, card, 'approve', {
      requestId: other.requestId,
    });

    expect(response.status).toBe(200);
    expect(cardText(response.body.value)).toMatch(/You do not hold Owner/);
    const otherRequest = await settledRequest(harness, other.requestId);
    const ownRequest = await settledRequest(harness, own.requestId);
    expect(otherRequest.state).toBe('pending');
    expect(otherRequest.decision).toBeUndefined();
    expect(ownRequest.state).toBe('pending');
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });

  it('forged submit of another draft', async () => {
    const preview = await sendText(harness, USERS.alex, 'publish sandbox-rg/readyGallery');
    const requestId = /"requestId":"(r-[a-z0-9]+)"/.exec(JSON.stringify(cardOf(preview.body)))?.[1];
    await sendText(harness, USERS.lynne, 'help');

    const response = await clickCard(
      harness,
      USERS.lynne,
      {
        conversationId: harness.personal(USERS.lynne).conversationId,
        activityId: preview.activityId,
      },
      'submitRequest',
      { requestId, justification: 'Mine now', requester: USERS.lynne.aadObjectId },
    );

    expect(cardText(response.body.value)).toMatch(/Only the person who asked/);
    const request = await settledRequest(harness, requestId ?? '');
    expect(request.state).toBe('draft');
    expect(request.requester.aadObjectId).toBe(USERS.alex.aadObjectId);
  });

  it('removed role assignment is rejected', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);
    for (const id of demoRoleAssignmentIds(USERS.megan.aadObjectId, SHARING_ADMIN)) {
      expect(harness.emulator.deleteResource(id)).toBe(true);
    }

    const rejected = await clickCard(harness, USERS.megan, card, 'approve', { requestId });

    expect(cardText(rejected.body.value)).toMatch(/You do not hold Owner/);
    expect((await settledRequest(harness, requestId)).state).toBe('pending');
    expect(harness.emulator.shareCalls()).toHaveLength(0);

    // Adele, who still has her role through a group, can approve.
    const adele = approvalCardOf(harness, USERS.adele, requestId);
    await clickCard(harness, USERS.adele, adele, 'approve', { requestId });
    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('shared');
    expect(request.decision?.by.aadObjectId).toBe(USERS.adele.aadObjectId);
  });

  it('self approval is rejected', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const request = await settledRequest(harness, requestId);
    expect(request.approvers.map((approver) => approver.principalId)).toContain(
      USERS.alex.aadObjectId,
    );
    expect(
      harness.connector.sent.filter(
        (sent) =>
          sent.conversationId === preview.conversationId && sent.activityId !== preview.activityId,
      ),
    ).toHaveLength(0);

    const response = await clickCard(harness, USERS.alex, preview, 'approve', { requestId });

    expect(cardText(response.body.value)).toMatch(/someone else must approve/);
    expect((await settledRequest(harness, requestId)).state).toBe('pending');
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });

  it('changed eula refuses approval', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);
    const changedEula = 'https://www.contoso.com/legal/eula-v2';
    setEula(changedEula);

    const refused = await clickCard(harness, USERS.megan, card, 'approve', { requestId });

    const refusedText = cardText(refused.body.value);
    expect(refusedText).toContain('The gallery changed after it was reviewed');
    expect(refusedText).toContain(changedEula);
    expect(JSON.stringify(refused.body.value)).not.toContain('"verb":"approve"');
    expect(JSON.stringify(refused.body.value)).toContain('"view":"newPreview"');
    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('pending');
    expect(request.metadataChange?.changes.join(' ')).toContain(changedEula);
    expect(harness.emulator.shareCalls()).toHaveLength(0);

    // The requester's card shows the change too and offers to review the gallery again.
    const requesterCard = harness.connector.updated
      .filter((record: UpdatedRecord) => record.activityId === preview.activityId)
      .pop();
    expect(cardText(cardOf(requesterCard?.body))).toContain(changedEula);
    expect(JSON.stringify(cardOf(requesterCard?.body))).toContain('"view":"newPreview"');
    const audit = auditRecords(harness.databaseFile, requestId);
    expect(audit.filter((record) => record.action === 'metadata-changed')).toHaveLength(1);

    // Once the gallery matches the review again, the approval goes through.
    setEula(EULA);
    await clickCard(harness, USERS.megan, card, 'approve', { requestId });
    const shared = await settledRequest(harness, requestId);
    expect(shared.state).toBe('shared');
    expect(shared.metadataChange).toBeUndefined();
    expect(harness.emulator.shareCalls()).toHaveLength(1);
  });

  it('review again replaces pending request', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const changedEula = 'https://www.contoso.com/legal/eula-v3';
    setEula(changedEula);

    const review = await clickCard(harness, USERS.alex, preview, 'refreshRequest', {
      requestId,
      view: 'newPreview',
    });

    const newRequestId = requestIdOf(review.body.value);
    expect(newRequestId).toBeDefined();
    expect(newRequestId).not.toBe(requestId);
    expect(cardText(review.body.value)).toContain(changedEula);
    const earlier = await settledRequest(harness, requestId);
    expect(earlier.state).toBe('cancelled');
    expect(earlier.cards.some((card) => card.activityId === preview.activityId)).toBe(false);
    const replacement = await settledRequest(harness, newRequestId ?? '');
    expect(replacement.state).toBe('draft');
    expect(replacement.cards.map((card) => card.activityId)).toContain(preview.activityId);
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });

  it('deny needs a reason', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);

    const withoutReason = await clickCard(harness, USERS.megan, card, 'deny', {
      requestId,
      reason: '  ',
    });
    expect(cardText(withoutReason.body.value)).toMatch(/Give a reason/);
    expect((await settledRequest(harness, requestId)).state).toBe('pending');

    await clickCard(harness, USERS.megan, card, 'deny', { requestId, reason: 'Wait for 1.2' });
    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('denied');
    expect(request.decision?.reason).toBe('Wait for 1.2');
    const requesterCard = harness.connector.updated
      .filter((record) => record.activityId === preview.activityId)
      .pop();
    expect(cardText(cardOf(requesterCard?.body))).toContain('Wait for 1.2');
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });

  it('requester cancels while pending', async () => {
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);

    const notRequester = await clickCard(harness, USERS.megan, card, 'cancelRequest', {
      requestId,
    });
    expect(cardText(notRequester.body.value)).toMatch(/Only the requester can cancel/);

    await clickCard(harness, USERS.alex, preview, 'cancelRequest', { requestId });
    expect((await settledRequest(harness, requestId)).state).toBe('cancelled');

    const late = await clickCard(harness, USERS.megan, card, 'approve', { requestId });
    expect(cardText(late.body.value)).toMatch(/This request is cancelled, so it cannot be decided/);
    const approverCard = harness.connector.updated
      .filter((record) => record.activityId === card.activityId)
      .pop();
    expect(cardText(cardOf(approverCard?.body))).toMatch(/Cancelled/);
    expect(harness.emulator.shareCalls()).toHaveLength(0);
  });

  it('audit records roles per transition', async () => {
    const { requestId } = await submitRequest(harness, USERS.alex);
    const card = approvalCardOf(harness, USERS.megan, requestId);
    await clickCard(harness, USERS.megan, card, 'approve', { requestId });
    await settledRequest(harness, requestId);

    const audit = auditRecords(harness.databaseFile, requestId);
    const meganRole =
      'Compute Gallery Sharing Admin at /subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg';
    expect(audit.map((record) => `${record.action}:${record.fromState}>${record.toState}`)).toEqual(
      [
        'preview:undefined>draft',
        'submit:draft>pending',
        'approve:pending>approved',
        'share:approved>sharing',
        'shared:sharing>shared',
      ],
    );
    const submit = audit[1]?.details?.approvers as { principalId: string; roles: string[] }[];
    expect(
      submit.find((approver) => approver.principalId === USERS.megan.aadObjectId)?.roles,
    ).toEqual([meganRole]);
    for (const record of audit.slice(2)) {
      expect(record.eligibleRoles).toEqual([meganRole]);
      expect(record.metadataHash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(audit[2]?.actor.aadObjectId).toBe(USERS.megan.aadObjectId);
    expect(audit[4]?.operationId).toMatch(/^[0-9a-f-]{36}$/);
  });
});
