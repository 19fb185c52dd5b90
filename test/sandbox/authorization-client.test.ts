import type { AuthorizationManagementClient, RoleAssignment } from '@azure/arm-authorization';

import type { Emulator } from '../../sandbox/emulator';
import {
  GROUP_SCOPE,
  RESOURCE_GROUP,
  SUBSCRIPTION_SCOPE,
  collect,
  createAuthorizationClient,
  demoSeed,
  galleryId,
  rejectionOf,
  startDemoEmulator,
} from './sandbox-clients';

const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
const SHARING_ADMIN = '1ef6a3be-d0ac-425d-8c01-acb62866290b';
const READY_GALLERY = galleryId('readyGallery');

const ALEX = '00000000-0000-0000-0000-0000000000020';
const MEGAN = '00000000-0000-0000-0000-0000000000021';
const PATTI = '00000000-0000-0000-0000-0000000000024';

/** Formats assignments as `principalType principalId role@scope` lines, sorted. */
function describeAssignments(assignments: RoleAssignment[]): string[] {
  return assignments
    .map((assignment) => {
      const role = assignment.roleDefinitionId?.split('/').pop();
      return `${assignment.principalType} ${assignment.principalId} ${role}@${assignment.scope}`;
    })
    .sort();
}

describe('emulator through arm-authorization', () => {
  const seed = demoSeed();
  const botId = seed.botPrincipalId;
  const publishersGroupId = seed.directory.groups[0]?.id ?? '';
  const pipelineId = seed.directory.servicePrincipals?.find(
    (principal) => principal.id !== botId,
  )?.id;
  const communityReaderId = seed.resources.find(
    (resource) => resource.properties?.roleName === 'Community Gallery Reader (sandbox)',
  )?.name;
  let emulator: Emulator;
  let client: AuthorizationManagementClient;

  beforeEach(async () => {
    emulator = await startDemoEmulator();
    client = createAuthorizationClient(emulator);
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('at scope lists gallery and above', async () => {
    const assignments = await collect(
      client.roleAssignments.listForScope(READY_GALLERY, { filter: 'atScope()' }),
    );

    expect(describeAssignments(assignments)).toEqual(
      [
        `User ${ALEX} ${OWNER}@${SUBSCRIPTION_SCOPE}`,
        `User ${MEGAN} ${SHARING_ADMIN}@${GROUP_SCOPE}`,
        `Group ${publishersGroupId} ${SHARING_ADMIN}@${READY_GALLERY}`,
        `User ${PATTI} ${CONTRIBUTOR}@${SUBSCRIPTION_SCOPE}`,
        `ServicePrincipal ${pipelineId} ${OWNER}@${GROUP_SCOPE}`,
        `ServicePrincipal ${botId} ${READER}@${GROUP_SCOPE}`,
        `ServicePrincipal ${botId} ${SHARING_ADMIN}@${GROUP_SCOPE}`,
        `ServicePrincipal ${botId} ${communityReaderId}@${SUBSCRIPTION_SCOPE}`,
      ].sort(),
    );
    expect(emulator.requests[0]?.query.$filter).toBe('atScope()');
  });

  it('assignments carry full resource manager shape', async () => {
    const assignments = await collect(
      client.roleAssignments.listForScope(READY_GALLERY, { filter: 'atScope()' }),
    );
    const groupAssignment = assignments.find((assignment) => assignment.principalType === 'Group');

    expect(groupAssignment?.id).toBe(
      `${READY_GALLERY}/providers/Microsoft.Authorization/roleAssignments/${groupAssignment?.name}`,
    );
    expect(groupAssignment?.type).toBe('Microsoft.Authorization/roleAssignments');
    expect(groupAssignment?.roleDefinitionId).toBe(
      `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${SHARING_ADMIN}`,
    );
  });

  it('at scope excludes assignments below', async () => {
    const atScope = await collect(
      client.roleAssignments.listForScope(GROUP_SCOPE, { filter: 'atScope()' }),
    );
    const unfiltered = await collect(client.roleAssignments.listForScope(GROUP_SCOPE));

    expect(atScope.some((assignment) => assignment.scope === READY_GALLERY)).toBe(false);
    expect(unfiltered.some((assignment) => assignment.scope === READY_GALLERY)).toBe(true);
    expect(unfiltered).toHaveLength(atScope.length + 1);
  });

  it('principal filter keeps one principal', async () => {
    const assignments = await collect(
      client.roleAssignments.listForScope(GROUP_SCOPE, { filter: `principalId eq '${botId}'` }),
    );

    expect(assignments).toHaveLength(3);
    expect(assignments.every((assignment) => assignment.principalId === botId)).toBe(true);
  });

  it('management group assignments are inherited', async () => {
    const managementGroupScope = '/providers/Microsoft.Management/managementGroups/contoso-root';
    const name = '7d0e1f2a-0000-4000-8000-000000000001';
    emulator.putResource({
      id: `${managementGroupScope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
      name,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
        principalId: MEGAN,
        principalType: 'User',
        scope: managementGroupScope,
      },
    });

    const assignments = await collect(
      client.roleAssignments.listForScope(READY_GALLERY, { filter: 'atScope()' }),
    );

    expect(assignments.map((assignment) => assignment.scope)).toContain(managementGroupScope);
  });

  it('assignment lists follow next links', async () => {
    const pagedEmulator = await startDemoEmulator({ pageSize: 3 });
    const pagedClient = createAuthorizationClient(pagedEmulator);
    try {
      const assignments = await collect(
        pagedClient.roleAssignments.listForScope(READY_GALLERY, { filter: 'atScope()' }),
      );
      const requests = pagedEmulator.requests;

      expect(assignments).toHaveLength(8);
      expect(requests).toHaveLength(3);
      expect(requests.every((request) => request.query.$filter === 'atScope()')).toBe(true);
      expect(requests[2]?.query.$skiptoken).toBe('6');
    } finally {
      await pagedEmulator.close();
    }
  });

  it('role definitions read at both paths', async () => {
    const atSubscription = await client.roleDefinitions.get(SUBSCRIPTION_SCOPE, CONTRIBUTOR);
    const atTenant = await client.roleDefinitions.getById(
      `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
    );

    expect(atSubscription.roleName).toBe('Contributor');
    expect(atSubscription.permissions?.[0]?.notActions).toContain(
      'Microsoft.Compute/galleries/share/action',
    );
    expect(atTenant.roleName).toBe('Owner');
    expect(atTenant.permissions?.[0]?.actions).toEqual(['*']);
    expect(emulator.requests.map((request) => request.path)).toEqual([
      `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
      `/providers/Microsoft.Authorization/roleDefinitions/${OWNER}`,
    ]);
  });

  it('role definitions list at scope', async () => {
    const all = await collect(client.roleDefinitions.list(GROUP_SCOPE));
    const readers = await collect(
      client.roleDefinitions.list(GROUP_SCOPE, { filter: "roleName eq 'Reader'" }),
    );

    expect(all.map((definition) => definition.roleName)).toEqual(
      expect.arrayContaining(['Owner', 'Contributor', 'Reader', 'Compute Gallery Sharing Admin']),
    );
    expect(readers.map((definition) => definition.name)).toEqual([READER]);
  });

  it('unknown role definition is not found', async () => {
    const error = await rejectionOf(
      client.roleDefinitions.get(SUBSCRIPTION_SCOPE, '99999999-9999-4999-8999-999999999999'),
    );

    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('RoleDefinitionDoesNotExist');
  });

  it('permissions list for the gallery', async () => {
    const permissions = await collect(
      client.permissions.listForResource(
        RESOURCE_GROUP,
        'Microsoft.Compute',
        '',
        'galleries',
        'readyGallery',
      ),
    );
    const actions = permissions.flatMap((permission) => permission.actions ?? []);

    expect(actions).toContain('*/read');
    expect(actions).toContain('Microsoft.Compute/galleries/share/action');
    expect(emulator.requests[0]?.path.toLowerCase()).toBe(
      `${READY_GALLERY}/providers/Microsoft.Authorization/permissions`.toLowerCase(),
    );
  });

  it('permissions list for the resource group', async () => {
    const permissions = await collect(client.permissions.listForResourceGroup(RESOURCE_GROUP));

    const actions = permissions.flatMap((permission) => permission.actions ?? []);

    expect(permissions).toHaveLength(3);
    expect(actions).toContain('*/read');
    expect(actions).toContain('Microsoft.Compute/galleries/share/action');
    expect(actions).toContain('Microsoft.Compute/locations/communityGalleries/read');
  });

  it('assignment reads need the read action', async () => {
    for (const assignment of seed.resources) {
      const properties = assignment.properties ?? {};
      if (
        properties.principalId === botId &&
        String(properties.roleDefinitionId).endsWith(READER)
      ) {
        emulator.deleteResource(assignment.id);
      }
    }

    const error = await rejectionOf(
      collect(client.roleAssignments.listForScope(READY_GALLERY, { filter: 'atScope()' })),
    );

    expect(error.statusCode).toBe(403);
    expect(error.code).toBe('AuthorizationFailed');
    expect(error.message).toContain(
      `perform action 'Microsoft.Authorization/roleAssignments/read' over scope '${READY_GALLERY}'`,
    );
  });

  it('unsupported filter is a bad request', async () => {
    const error = await rejectionOf(
      collect(client.roleAssignments.listForScope(GROUP_SCOPE, { filter: "roleName eq 'x'" })),
    );

    expect(error.statusCode).toBe(400);
    expect(error.code).toBe('UnsupportedQuery');
  });
});
