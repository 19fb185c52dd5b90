import { restorePoller, type ComputeManagementClient } from '@azure/arm-compute';

import type { Emulator } from '../../sandbox/emulator';
import {
  GROUP_SCOPE,
  RESOURCE_GROUP,
  SUBSCRIPTION_SCOPE,
  createComputeClient,
  demoSeed,
  galleryId,
  rejectionOf,
  startDemoEmulator,
} from './sandbox-clients';

const READY_GALLERY = galleryId('readyGallery');
const ENABLE = { operationType: 'EnableCommunity' } as const;
const POLL_FAST = { updateIntervalInMs: 1 };

describe('share operation through arm-compute', () => {
  let emulator: Emulator;
  let client: ComputeManagementClient;

  beforeEach(async () => {
    emulator = await startDemoEmulator({ operationPollsBeforeDone: 2 });
    client = createComputeClient(emulator);
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('enable community shares the gallery', async () => {
    const result = await client.gallerySharingProfile
      .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
      .pollUntilDone();
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    const info = gallery.sharingProfile?.communityGalleryInfo;

    expect(result.operationType).toBe('EnableCommunity');
    expect(info?.communityGalleryEnabled).toBe(true);
    expect(info?.publicNames).toHaveLength(1);
    expect(info?.publicNames?.[0]).toMatch(
      /^contoso-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
    expect(info?.publicNamePrefix).toBeUndefined();
    expect(gallery.sharingStatus?.aggregatedState).toBe('Succeeded');
    expect(emulator.shareCalls(READY_GALLERY)).toHaveLength(1);
    expect(emulator.shareCalls()[0]?.body).toEqual(ENABLE);
  });

  it('public community gallery becomes readable', async () => {
    await client.gallerySharingProfile.update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST);
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    const publicName = gallery.sharingProfile?.communityGalleryInfo?.publicNames?.[0] ?? '';

    const community = await client.communityGalleries.get('westus', publicName);

    expect(community.name).toBe(publicName);
    expect(community.location).toBe('westus');
    expect(community.uniqueId).toBe(`/CommunityGalleries/${publicName}`);
    expect(community.communityMetadata).toMatchObject({
      publisherUri: 'https://www.contoso.com',
      publisherContact: 'gallery-publishing@contoso.com',
      eula: 'https://www.contoso.com/legal/community-images-eula',
      publicNames: [publicName],
    });
  });

  it('polls report in progress first', async () => {
    const poller = client.gallerySharingProfile.update(
      RESOURCE_GROUP,
      'readyGallery',
      ENABLE,
      POLL_FAST,
    );
    await poller.poll();
    const during = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(poller.operationState?.status).toBe('running');
    expect(during.sharingStatus?.aggregatedState).toBe('InProgress');
    expect(during.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(false);

    await poller.pollUntilDone();
    const statusPolls = emulator.requests.filter((request) => /capsOperations/.test(request.path));
    const monitorPolls = statusPolls.filter((request) => request.query.monitor === 'true');

    expect(statusPolls).toHaveLength(4);
    expect(monitorPolls).toHaveLength(1);
  });

  it('share answers 202 with poll headers', async () => {
    await client.gallerySharingProfile.update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST);
    const statusUrl = new RegExp(
      `^${emulator.url}${SUBSCRIPTION_SCOPE}/providers/Microsoft.Compute/locations/westus/capsOperations/[0-9a-f-]{36}\\?`,
    );

    const poller = client.gallerySharingProfile.update(
      RESOURCE_GROUP,
      'readyGallery',
      { operationType: 'Reset' },
      POLL_FAST,
    );
    await poller.submitted();
    const state = JSON.parse(await poller.serialize()).state;

    expect(emulator.shareCalls()[1]?.status).toBe(202);
    expect(state.config.operationLocation).toMatch(statusUrl);
    expect(state.config.resourceLocation).toMatch(statusUrl);
    expect(state.config.resourceLocation).toContain('monitor=true');
    await poller.pollUntilDone();
  });

  it('failed operation rejects with code', async () => {
    emulator.failNextShare({
      code: 'GalleryShareFailed',
      message: 'Replication failed in westus.',
    });

    const error = await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
        .pollUntilDone(),
    );
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(error.message).toBe(
      'The long-running operation has failed. GalleryShareFailed. Replication failed in westus.',
    );
    expect(gallery.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(false);
    expect(gallery.sharingProfile?.communityGalleryInfo?.publicNames).toBeUndefined();
    expect(gallery.sharingStatus?.aggregatedState).toBe('Failed');
  });

  it('canceled operation rejects', async () => {
    emulator.failNextShare({ status: 'Canceled', code: 'Canceled', message: 'Canceled by test.' });

    const error = await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
        .pollUntilDone(),
    );
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(error.message).toBe('Operation was canceled');
    expect(gallery.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(false);
    expect(gallery.sharingStatus).toBeUndefined();
  });

  it('failure applies to next share only', async () => {
    emulator.failNextShare({ code: 'GalleryShareFailed', message: 'First attempt failed.' });

    await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
        .pollUntilDone(),
    );
    const retried = await client.gallerySharingProfile
      .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
      .pollUntilDone();

    expect(retried.operationType).toBe('EnableCommunity');
    expect(emulator.shareCalls(READY_GALLERY)).toHaveLength(2);
  });

  it('restored poller finishes without second post', async () => {
    const poller = client.gallerySharingProfile.update(
      RESOURCE_GROUP,
      'readyGallery',
      ENABLE,
      POLL_FAST,
    );
    await poller.poll();
    const serialized = await poller.serialize();

    const clientAfterRestart = createComputeClient(emulator);
    const restored = restorePoller(
      clientAfterRestart,
      serialized,
      clientAfterRestart.gallerySharingProfile.update,
      POLL_FAST,
    );
    const result = await restored.pollUntilDone();
    const gallery = await clientAfterRestart.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(result).toMatchObject({ operationType: 'EnableCommunity' });
    expect(emulator.shareCalls()).toHaveLength(1);
    expect(gallery.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(true);
  });

  it('sdk resends a reset share post', async () => {
    emulator.inject({ method: 'POST', path: /\/share$/i, answer: 'reset' });

    await client.gallerySharingProfile
      .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
      .pollUntilDone();

    expect(emulator.shareCalls(READY_GALLERY).map((call) => call.status)).toEqual([undefined, 202]);
  });

  it('concurrent share is rejected', async () => {
    const first = client.gallerySharingProfile.update(
      RESOURCE_GROUP,
      'readyGallery',
      ENABLE,
      POLL_FAST,
    );
    await first.submitted();

    const error = await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
        .pollUntilDone(),
    );

    expect(error.name).toBe('RestError');
    expect(error.statusCode).toBe(409);
    expect(error.code).toBe('OperationNotAllowed');
    expect(error.message).toMatch(/another operation is in progress/i);
    await expect(first.pollUntilDone()).resolves.toMatchObject({
      operationType: 'EnableCommunity',
    });
  });

  it('private gallery cannot be shared', async () => {
    const error = await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'privateGallery', ENABLE, POLL_FAST)
        .pollUntilDone(),
    );

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('BadRequest');
    expect(error.message).toContain("sharing permissions 'Private'");
  });

  it('unknown operation type is rejected', async () => {
    const error = await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'readyGallery', { operationType: 'Add' }, POLL_FAST)
        .pollUntilDone(),
    );

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('InvalidParameter');
  });

  it('reset removes the community gallery', async () => {
    await client.gallerySharingProfile.update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST);
    const shared = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    const publicName = shared.sharingProfile?.communityGalleryInfo?.publicNames?.[0] ?? '';

    await client.gallerySharingProfile.update(
      RESOURCE_GROUP,
      'readyGallery',
      { operationType: 'Reset' },
      POLL_FAST,
    );
    const reset = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    const error = await rejectionOf(client.communityGalleries.get('westus', publicName));

    expect(reset.sharingProfile?.permissions).toBe('Private');
    expect(reset.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(false);
    expect(reset.sharingProfile?.communityGalleryInfo?.publicNames).toBeUndefined();
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ResourceNotFound');
  });

  it('enabling twice keeps the public name', async () => {
    await client.gallerySharingProfile.update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST);
    const first = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    await client.gallerySharingProfile.update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST);
    const second = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(second.sharingProfile?.communityGalleryInfo?.publicNames).toEqual(
      first.sharingProfile?.communityGalleryInfo?.publicNames,
    );
  });

  it('share without the role is forbidden', async () => {
    removeBotAssignments(emulator, GROUP_SCOPE, '1ef6a3be-d0ac-425d-8c01-acb62866290b');

    const error = await rejectionOf(
      client.gallerySharingProfile
        .update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST)
        .pollUntilDone(),
    );

    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('AuthorizationFailed');
    expect(error.message).toContain(
      `perform action 'Microsoft.Compute/galleries/share/action' over scope '${READY_GALLERY}'`,
    );
    expect(emulator.resource(READY_GALLERY)?.properties?.sharingStatus).toBeUndefined();
  });

  it('community gallery read needs subscription role', async () => {
    await client.gallerySharingProfile.update(RESOURCE_GROUP, 'readyGallery', ENABLE, POLL_FAST);
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    const publicName = gallery.sharingProfile?.communityGalleryInfo?.publicNames?.[0] ?? '';
    removeBotAssignments(emulator, SUBSCRIPTION_SCOPE);

    const error = await rejectionOf(client.communityGalleries.get('westus', publicName));

    expect(error.statusCode).toBe(403);
    expect(error.message).toContain("action 'Microsoft.Compute/locations/communityGalleries/read'");
  });
});

/** Deletes the bot's role assignments at a scope, for one role definition when given. */
function removeBotAssignments(
  emulator: Emulator,
  scope: string,
  roleDefinitionName?: string,
): void {
  const seed = demoSeed();
  const assignments = seed.resources.filter(
    (resource) =>
      resource.type === 'Microsoft.Authorization/roleAssignments' &&
      resource.properties?.principalId === seed.botPrincipalId &&
      resource.properties?.scope === scope &&
      (roleDefinitionName === undefined ||
        String(resource.properties?.roleDefinitionId).endsWith(roleDefinitionName)),
  );

  expect(assignments.length).toBeGreaterThan(0);
  for (const assignment of assignments) {
    expect(emulator.deleteResource(assignment.id)).toBe(true);
  }
}
