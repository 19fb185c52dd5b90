import {
  USERS,
  approvalCardOf,
  auditRecords,
  cardOf,
  cardText,
  clickCard,
  sendText,
  settledRequest,
  startHarness,
  submitRequest,
  type Harness,
} from '../support/bot-harness';

const READY_GALLERY =
  '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/sandbox-rg/providers/Microsoft.Compute/galleries/readyGallery';
const FAILURE = {
  code: 'GalleryPublisherUriNotVerified',
  message: 'The publisher URI of the gallery could not be verified.',
};

function publicNamesOf(harness: Harness): string[] {
  const properties = harness.emulator.resource(READY_GALLERY)?.properties as {
    sharingProfile?: { communityGalleryInfo?: { publicNames?: string[] } };
  };
  return properties.sharingProfile?.communityGalleryInfo?.publicNames ?? [];
}

describe('share operation after approval', () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.close();
  });

  async function start(options: Parameters<typeof startHarness>[0] = {}): Promise<void> {
    harness = await startHarness({ invokeDeadlineInMs: 60_000, ...options });
    for (const user of [USERS.megan, USERS.adele]) await sendText(harness, user, 'help');
  }

  it('failed operation then retry succeeds', async () => {
    await start();
    harness.emulator.failNextShare(FAILURE);
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);

    await clickCard(harness, USERS.megan, megan, 'approve', { requestId });
    const failed = await settledRequest(harness, requestId);

    expect(failed.state).toBe('failed');
    expect(failed.share?.error?.code).toBe(FAILURE.code);
    expect(failed.share?.error?.message).toContain(FAILURE.message);
    const failedCard = harness.connector.updated
      .filter((record) => record.activityId === preview.activityId)
      .pop();
    expect(cardText(cardOf(failedCard?.body))).toContain(FAILURE.code);
    expect(cardText(cardOf(failedCard?.body))).toContain(FAILURE.message);
    expect(harness.emulator.shareCalls()).toHaveLength(1);

    const adele = approvalCardOf(harness, USERS.adele, requestId);
    const retried = await clickCard(harness, USERS.adele, adele, 'retryShare', { requestId });
    expect(retried.status).toBe(200);
    const shared = await settledRequest(harness, requestId);

    expect(shared.state).toBe('shared');
    expect(shared.share?.attempt).toBe(2);
    expect(shared.publicNames).toEqual(publicNamesOf(harness));
    expect(harness.emulator.shareCalls()).toHaveLength(2);
    const retry = auditRecords(harness.databaseFile, requestId).find(
      (record) => record.action === 'retry',
    );
    expect(retry?.actor.aadObjectId).toBe(USERS.adele.aadObjectId);
    expect(retry?.eligibleRoles?.[0]).toMatch(/^Compute Gallery Sharing Admin at .*readyGallery$/);
  });

  it('parallel retries send once', async () => {
    await start();
    harness.emulator.failNextShare(FAILURE);
    const { requestId } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);
    const adele = approvalCardOf(harness, USERS.adele, requestId);
    await clickCard(harness, USERS.megan, megan, 'approve', { requestId });
    expect((await settledRequest(harness, requestId)).state).toBe('failed');

    const responses = await Promise.all([
      clickCard(harness, USERS.megan, megan, 'retryShare', { requestId }),
      clickCard(harness, USERS.adele, adele, 'retryShare', { requestId }),
      clickCard(harness, USERS.adele, adele, 'retryShare', { requestId }),
    ]);

    for (const response of responses) expect(response.status).toBe(200);
    expect((await settledRequest(harness, requestId)).state).toBe('shared');
    expect(harness.emulator.shareCalls()).toHaveLength(2);
    const audit = auditRecords(harness.databaseFile, requestId);
    expect(audit.filter((record) => record.action === 'retry')).toHaveLength(1);
  });

  it('retry refused after gallery change', async () => {
    await start();
    harness.emulator.failNextShare(FAILURE);
    const { requestId } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);
    await clickCard(harness, USERS.megan, megan, 'approve', { requestId });
    expect((await settledRequest(harness, requestId)).state).toBe('failed');

    const gallery = structuredClone(harness.emulator.resource(READY_GALLERY));
    const profile = gallery?.properties?.sharingProfile as {
      communityGalleryInfo: { publisherContact: string };
    };
    profile.communityGalleryInfo.publisherContact = 'someone-else@example.com';
    if (gallery) harness.emulator.putResource(gallery);

    const refused = await clickCard(harness, USERS.megan, megan, 'retryShare', { requestId });

    expect(cardText(refused.body.value)).toContain('someone-else@example.com');
    expect((await settledRequest(harness, requestId)).state).toBe('failed');
    expect(harness.emulator.shareCalls()).toHaveLength(1);
  });

  it('reset share post is not resent', async () => {
    await start();
    harness.emulator.inject({ method: 'POST', path: /\/share$/i, answer: 'reset' });
    const { requestId } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);

    await clickCard(harness, USERS.megan, megan, 'approve', { requestId });
    const request = await settledRequest(harness, requestId);

    // The POST never reached the share route, so the gallery did not change and the
    // request failed with the connection error, ready for a retry.
    expect(harness.emulator.shareCalls()).toHaveLength(1);
    expect(request.state).toBe('failed');
    expect(request.share?.error?.code).not.toBe('');
    expect(publicNamesOf(harness)).toEqual([]);
  });

  it('slow approval answers before finishing', async () => {
    await start({ invokeDeadlineInMs: 1, emulator: { latencyInMs: 20 } });
    const { requestId, preview } = await submitRequest(harness, USERS.alex);
    const megan = approvalCardOf(harness, USERS.megan, requestId);

    const response = await clickCard(harness, USERS.megan, megan, 'approve', { requestId });

    expect(response.status).toBe(200);
    expect(response.body.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(cardText(response.body.value)).toContain('The bot is still working on this');
    const request = await settledRequest(harness, requestId);
    expect(request.state).toBe('shared');
    expect(harness.emulator.shareCalls()).toHaveLength(1);
    const finalCard = harness.connector.updated
      .filter((record) => record.activityId === preview.activityId)
      .pop();
    expect(cardText(cardOf(finalCard?.body))).toContain(publicNamesOf(harness)[0]);
  });
});
