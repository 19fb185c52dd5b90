import type { ComputeManagementClient } from '@azure/arm-compute';

import type { Emulator } from '../../sandbox/emulator';
import {
  GROUP_SCOPE,
  RESOURCE_GROUP,
  SUBSCRIPTION_SCOPE,
  collect,
  createComputeClient,
  demoSeed,
  galleryId,
  rawRequest,
  rejectionOf,
  startDemoEmulator,
} from './sandbox-clients';

const READER_ROLE = `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7`;

describe('emulator through arm-compute', () => {
  let emulator: Emulator;
  let client: ComputeManagementClient;

  beforeEach(async () => {
    emulator = await startDemoEmulator();
    client = createComputeClient(emulator);
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('gets a gallery by id', async () => {
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(gallery.id).toBe(galleryId('readyGallery'));
    expect(gallery.location).toBe('westus');
    expect(gallery.sharingProfile?.permissions).toBe('Community');
    expect(gallery.sharingProfile?.communityGalleryInfo?.publisherUri).toBe(
      'https://www.contoso.com',
    );
    expect(gallery.sharingProfile?.communityGalleryInfo?.communityGalleryEnabled).toBe(false);
    expect(emulator.requests[0]?.query['api-version']).toBe('2025-03-03');
    expect(emulator.requests[0]?.path).toBe(galleryId('readyGallery'));
  });

  it('hides the public name prefix', async () => {
    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');
    const stored = emulator.resource(galleryId('readyGallery'));

    expect(gallery.sharingProfile?.communityGalleryInfo?.publicNamePrefix).toBeUndefined();
    expect(stored?.properties?.sharingProfile).toMatchObject({
      communityGalleryInfo: { publicNamePrefix: 'contoso' },
    });
  });

  it('matches path segments case-insensitively', async () => {
    const response = await rawRequest(
      emulator,
      'GET',
      `${GROUP_SCOPE.toUpperCase()}/PROVIDERS/microsoft.compute/GALLERIES/READYGALLERY?api-version=2025-03-03`,
    );

    expect(response.status).toBe(200);
    expect((response.body as { name: string }).name).toBe('readyGallery');
  });

  it('lists image definitions across pages', async () => {
    for (let index = 0; index < 120; index++) {
      const name = `bulk-image-${String(index).padStart(3, '0')}`;
      emulator.putResource({
        id: `${galleryId('readyGallery')}/images/${name}`,
        name,
        type: 'Microsoft.Compute/galleries/images',
        location: 'westus',
        properties: { osType: 'Linux', osState: 'Generalized' },
      });
    }

    const images = await collect(
      client.galleryImages.listByGallery(RESOURCE_GROUP, 'readyGallery'),
    );
    const listCalls = emulator.requests.filter((request) => request.path.endsWith('/images'));

    expect(images).toHaveLength(123);
    expect(new Set(images.map((image) => image.name)).size).toBe(123);
    expect(listCalls).toHaveLength(3);
    expect(listCalls[1]?.query.$skiptoken).toBe('50');
    expect(listCalls[2]?.query.$skiptoken).toBe('100');
  });

  it('lists versions, applications and galleries', async () => {
    const pagedEmulator = await startDemoEmulator({ pageSize: 1 });
    const pagedClient = createComputeClient(pagedEmulator);

    try {
      const versions = await collect(
        pagedClient.galleryImageVersions.listByGalleryImage(
          RESOURCE_GROUP,
          'readyGallery',
          'ubuntu-22-04-web',
        ),
      );
      const applications = await collect(
        pagedClient.galleryApplications.listByGallery(RESOURCE_GROUP, 'blockedGallery'),
      );
      const galleries = await collect(pagedClient.galleries.listByResourceGroup(RESOURCE_GROUP));

      expect(versions.map((version) => version.name)).toEqual(['1.0.0', '1.1.0']);
      expect(applications.map((application) => application.name)).toEqual([
        'contoso-monitoring-agent',
      ]);
      expect(galleries.map((gallery) => gallery.name).sort()).toEqual([
        'blockedGallery',
        'privateGallery',
        'readyGallery',
      ]);
      expect(pagedEmulator.requests.filter((r) => r.path.endsWith('/galleries'))).toHaveLength(3);
    } finally {
      await pagedEmulator.close();
    }
  });

  it('select permissions returns sharing groups', async () => {
    const stored = emulator.resource(galleryId('privateGallery'));
    const groups = [{ type: 'Subscriptions', ids: ['34a4ab42-0d72-47d9-bd1a-aed207386dac'] }];
    emulator.putResource({
      ...stored!,
      properties: { ...stored!.properties, sharingProfile: { permissions: 'Groups', groups } },
    });

    const plain = await client.galleries.get(RESOURCE_GROUP, 'privateGallery');
    const selected = await client.galleries.get(RESOURCE_GROUP, 'privateGallery', {
      select: 'Permissions',
    });

    expect(plain.sharingProfile?.permissions).toBe('Groups');
    expect(plain.sharingProfile?.groups).toBeUndefined();
    expect(selected.sharingProfile?.groups).toEqual(groups);
    expect(emulator.requests[1]?.query.$select).toBe('Permissions');
  });

  it('missing gallery is resource not found', async () => {
    const error = await rejectionOf(client.galleries.get(RESOURCE_GROUP, 'missingGallery'));

    expect(error.name).toBe('RestError');
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ResourceNotFound');
    expect(error.message).toContain(
      "The Resource 'Microsoft.Compute/galleries/missingGallery' under resource group 'sandbox-rg' was not found",
    );
  });

  it('missing image under gallery is not found', async () => {
    const missingImage = await rejectionOf(
      client.galleryImages.get(RESOURCE_GROUP, 'readyGallery', 'missing-image'),
    );
    const missingParent = await rejectionOf(
      client.galleryImages.get(RESOURCE_GROUP, 'missingGallery', 'missing-image'),
    );

    expect(missingImage.code).toBe('ResourceNotFound');
    expect(missingImage.message).toContain(
      'Microsoft.Compute/galleries/readyGallery/images/missing-image',
    );
    expect(missingParent.statusCode).toBe(404);
    expect(missingParent.code).toBe('ParentResourceNotFound');
  });

  it('unknown resource group is not found', async () => {
    emulator.putResource({
      id: `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleAssignments/5b1c2f0e-0000-4000-8000-000000000001`,
      name: '5b1c2f0e-0000-4000-8000-000000000001',
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: READER_ROLE,
        principalId: demoSeed().botPrincipalId,
        principalType: 'ServicePrincipal',
        scope: SUBSCRIPTION_SCOPE,
      },
    });

    const error = await rejectionOf(client.galleries.get('missing-rg', 'anyGallery'));

    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('ResourceGroupNotFound');
    expect(error.message).toBe("Resource group 'missing-rg' could not be found.");
  });

  it('gallery outside bot roles is forbidden', async () => {
    const error = await rejectionOf(client.galleries.get('other-rg', 'anyGallery'));

    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('AuthorizationFailed');
    expect(error.message).toMatch(
      /^The client '[0-9a-f-]+' with object id '[0-9a-f-]+' does not have authorization to perform action 'Microsoft\.Compute\/galleries\/read' over scope '\/subscriptions\/00000000-0000-0000-0000-000000000000\/resourceGroups\/other-rg\/providers\/Microsoft\.Compute\/galleries\/anyGallery' or the scope is invalid\. If access was recently granted, please refresh your credentials\.$/,
    );
  });

  it('throttled request is retried', async () => {
    emulator.inject({
      method: 'GET',
      path: /\/galleries\/readyGallery$/i,
      answer: {
        status: 429,
        headers: { 'Retry-After': '0' },
        body: { error: { code: 'TooManyRequests', message: 'Throttled by the test.' } },
      },
    });

    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(gallery.name).toBe('readyGallery');
    expect(emulator.requests.map((request) => request.status)).toEqual([429, 200]);
  });

  it('throttling without retry-after fails', async () => {
    emulator.inject({
      path: /\/galleries\/readyGallery$/i,
      answer: { status: 429, body: { error: { code: 'TooManyRequests', message: 'Throttled.' } } },
    });

    const error = await rejectionOf(client.galleries.get(RESOURCE_GROUP, 'readyGallery'));

    expect(error.statusCode).toBe(429);
    expect(emulator.requestCount).toBe(1);
  });

  it('reset connection is retried', async () => {
    emulator.inject({ path: galleryId('readyGallery'), answer: 'reset' });

    const gallery = await client.galleries.get(RESOURCE_GROUP, 'readyGallery');

    expect(gallery.name).toBe('readyGallery');
    expect(emulator.requestCount).toBe(2);
    expect(emulator.requests[0]?.status).toBeUndefined();
  });

  it('injected faults are used in order', async () => {
    emulator.inject({ path: /readyGallery$/, times: 2, answer: { status: 503, body: {} } });
    emulator.inject({ path: /readyGallery$/, answer: { status: 500, body: {} } });

    const statuses: number[] = [];
    for (let index = 0; index < 4; index++) {
      const response = await rawRequest(
        emulator,
        'GET',
        `${galleryId('readyGallery')}?api-version=1`,
      );
      statuses.push(response.status);
    }

    expect(statuses).toEqual([503, 503, 500, 200]);
  });

  it('hanging request gets no answer', async () => {
    emulator.inject({ path: /readyGallery$/, answer: 'hang' });

    const hanging = rawRequest(emulator, 'GET', `${galleryId('readyGallery')}?api-version=1`, {
      timeoutInMs: 300,
    });

    await expect(hanging).rejects.toThrow('timed out');
    await expect(client.galleries.get(RESOURCE_GROUP, 'readyGallery')).resolves.toMatchObject({
      name: 'readyGallery',
    });
  });
});

describe('emulator request handling', () => {
  let emulator: Emulator;

  beforeEach(async () => {
    emulator = await startDemoEmulator();
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('requires the api-version parameter', async () => {
    const response = await rawRequest(emulator, 'GET', galleryId('readyGallery'));

    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: {
        code: 'MissingApiVersionParameter',
        message: 'The api-version query parameter (?api-version=) is required for all requests.',
      },
    });
  });

  it('requires an authorization header', async () => {
    const response = await rawRequest(
      emulator,
      'GET',
      `${galleryId('readyGallery')}?api-version=1`,
      {
        headers: { authorization: '' },
      },
    );

    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: { code: 'AuthenticationFailed' } });
  });

  it('rejects malformed json bodies', async () => {
    const response = await rawRequest(
      emulator,
      'POST',
      `${galleryId('readyGallery')}/share?api-version=2025-03-03`,
      { body: '{"operationType": ', headers: { 'content-type': 'application/json' } },
    );

    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { code: 'InvalidRequestContent' } });
    expect(emulator.resource(galleryId('readyGallery'))?.properties?.sharingStatus).toBeUndefined();
  });

  it('unknown routes get arm 404', async () => {
    const put = await rawRequest(emulator, 'PUT', `${galleryId('readyGallery')}?api-version=1`, {
      body: '{}',
    });
    const unknownType = await rawRequest(
      emulator,
      'GET',
      `${GROUP_SCOPE}/providers/Microsoft.Compute/virtualMachines/vm1?api-version=1`,
    );

    expect(put.status).toBe(404);
    expect(put.body).toMatchObject({ error: { code: 'NotFound' } });
    expect(unknownType.status).toBe(404);
    expect(unknownType.body).toMatchObject({ error: { code: 'ResourceNotFound' } });
  });

  it('records requests and writes', async () => {
    await rawRequest(emulator, 'GET', `${galleryId('readyGallery')}?api-version=1`);
    await rawRequest(emulator, 'PUT', `${galleryId('readyGallery')}?api-version=1`, {
      body: '{"tags":{}}',
    });

    expect(emulator.requestCount).toBe(2);
    expect(emulator.requests.map((request) => request.sequence)).toEqual([1, 2]);
    expect(emulator.writes).toHaveLength(1);
    expect(emulator.writes[0]).toMatchObject({ method: 'PUT', body: { tags: {} }, status: 404 });
    expect(Date.parse(emulator.writes[0]?.time ?? '')).not.toBeNaN();
  });

  it('latency delays every answer', async () => {
    const slowEmulator = await startDemoEmulator({ latencyInMs: 200 });
    try {
      const started = Date.now();
      await rawRequest(slowEmulator, 'GET', `${galleryId('readyGallery')}?api-version=1`);

      expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    } finally {
      await slowEmulator.close();
    }
  });

  it('rejects invalid options', async () => {
    await expect(startDemoEmulator({ pageSize: 0 })).rejects.toThrow(
      'Emulator option pageSize must be an integer of at least 1, got 0.',
    );
  });
});
