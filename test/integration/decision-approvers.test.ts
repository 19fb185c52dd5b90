import { findEligiblePrincipals, missingBotPermissions } from '../../src/azure/approvers';
import { createAzureClients, type AzureClients } from '../../src/azure/clients';
import type { GalleryRef } from '../../src/azure/gallery-id';
import { startEmulator, type Emulator } from '../../sandbox/emulator';
import { DEMO_SEED_PATH, loadSeed, type ArmResource } from '../../sandbox/seed';
import {
  BOT_PRINCIPAL_ID,
  SUBSCRIPTION_ID,
  USERS,
  demoRoleAssignmentIds,
  staticCredential,
} from '../support/bot-harness';

const SUBSCRIPTION_SCOPE = `/subscriptions/${SUBSCRIPTION_ID}`;
const GROUP_SCOPE = `${SUBSCRIPTION_SCOPE}/resourceGroups/sandbox-rg`;
const READY: GalleryRef = {
  subscriptionId: SUBSCRIPTION_ID,
  resourceGroup: 'sandbox-rg',
  galleryName: 'readyGallery',
};
const READY_ID = `${GROUP_SCOPE}/providers/Microsoft.Compute/galleries/readyGallery`;
const MANAGEMENT_GROUP = '/providers/Microsoft.Management/managementGroups/contoso-root';
const PUBLISHERS_GROUP = 'f4cff5d4-d0e6-4bfe-8d29-a6847e12f595';
const PIPELINE = 'ed657f66-3aec-4cdd-8a0a-9be348dfe617';
const SHARING_ADMIN = '1ef6a3be-d0ac-425d-8c01-acb62866290b';

function customRole(guid: string, name: string, actions: string[], notActions: string[] = []) {
  return {
    id: `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
    name: guid,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName: name,
      type: 'CustomRole',
      assignableScopes: [SUBSCRIPTION_SCOPE],
      permissions: [{ actions, notActions, dataActions: [], notDataActions: [] }],
    },
  } satisfies ArmResource;
}

function assignment(scope: string, guid: string, roleId: string, principalId: string) {
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${guid}`,
    name: guid,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: { roleDefinitionId: roleId, principalId, principalType: 'User', scope },
  } satisfies ArmResource;
}

describe('approvers from azure roles', () => {
  let emulator: Emulator;
  let withGraph: AzureClients;
  let withoutGraph: AzureClients;

  beforeEach(async () => {
    emulator = await startEmulator({ seed: loadSeed(DEMO_SEED_PATH), port: 0 });
    const settings = {
      resourceManagerEndpoint: `${emulator.url}/`,
      caCertificate: emulator.caCertificate,
    };
    withGraph = createAzureClients(staticCredential, { ...settings, graphEndpoint: emulator.url });
    withoutGraph = createAzureClients(staticCredential, settings);
  });

  afterEach(async () => {
    await emulator.close();
  });

  it('built-in roles at every scope', async () => {
    const approvers = await findEligiblePrincipals(withGraph, READY);
    const byId = new Map(approvers.map((approver) => [approver.principalId, approver]));

    expect(byId.get(USERS.alex.aadObjectId)).toMatchObject({
      principalType: 'User',
      displayName: 'Alex Wilber',
      roles: [`Owner at ${SUBSCRIPTION_SCOPE}`],
    });
    expect(byId.get(USERS.megan.aadObjectId)?.roles).toEqual([
      `Compute Gallery Sharing Admin at ${GROUP_SCOPE}`,
    ]);
    for (const user of [USERS.adele, USERS.isaiah]) {
      expect(byId.get(user.aadObjectId)).toMatchObject({
        principalType: 'User',
        displayName: user.name,
        viaGroup: PUBLISHERS_GROUP,
        roles: [`Compute Gallery Sharing Admin at ${READY_ID}`],
      });
    }
    expect(byId.get(PIPELINE)?.principalType).toBe('ServicePrincipal');
    // Contributor excludes the share action in notActions.
    expect(byId.has(USERS.patti.aadObjectId)).toBe(false);
    expect(byId.has(PUBLISHERS_GROUP)).toBe(false);
  });

  it('group named without graph', async () => {
    const approvers = await findEligiblePrincipals(withoutGraph, READY);
    const group = approvers.find((approver) => approver.principalId === PUBLISHERS_GROUP);

    expect(group?.principalType).toBe('Group');
    expect(group?.roles).toEqual([`Compute Gallery Sharing Admin at ${READY_ID}`]);
    expect(approvers.some((approver) => approver.principalId === USERS.adele.aadObjectId)).toBe(
      false,
    );
  });

  it('custom roles honour wildcards and exclusions', async () => {
    const galleries = customRole('11111111-0000-4000-8000-000000000001', 'Gallery operator', [
      'Microsoft.Compute/galleries/*',
    ]);
    const computeButShare = customRole(
      '11111111-0000-4000-8000-000000000002',
      'Compute without sharing',
      ['Microsoft.Compute/*'],
      ['Microsoft.Compute/galleries/*/action'],
    );
    const readOnly = customRole('11111111-0000-4000-8000-000000000003', 'Everything read', [
      '*/read',
    ]);
    for (const role of [galleries, computeButShare, readOnly]) emulator.putResource(role);
    emulator.putResource(
      assignment(
        MANAGEMENT_GROUP,
        '22222222-0000-4000-8000-000000000001',
        galleries.id,
        USERS.lynne.aadObjectId,
      ),
    );
    emulator.putResource(
      assignment(
        GROUP_SCOPE,
        '22222222-0000-4000-8000-000000000002',
        computeButShare.id,
        USERS.patti.aadObjectId,
      ),
    );
    emulator.putResource(
      assignment(
        READY_ID,
        '22222222-0000-4000-8000-000000000003',
        readOnly.id,
        USERS.isaiah.aadObjectId,
      ),
    );

    const approvers = await findEligiblePrincipals(withGraph, READY);
    const byId = new Map(approvers.map((approver) => [approver.principalId, approver]));

    expect(byId.get(USERS.lynne.aadObjectId)?.roles).toEqual([
      `Gallery operator at ${MANAGEMENT_GROUP}`,
    ]);
    expect(byId.has(USERS.patti.aadObjectId)).toBe(false);
    // Isaiah keeps only the role he has through the group.
    expect(byId.get(USERS.isaiah.aadObjectId)?.roles).toEqual([
      `Compute Gallery Sharing Admin at ${READY_ID}`,
    ]);
  });

  it('bot permissions name the missing action', async () => {
    expect(await missingBotPermissions(withGraph, READY)).toEqual([]);
    for (const id of demoRoleAssignmentIds(BOT_PRINCIPAL_ID, SHARING_ADMIN)) {
      emulator.deleteResource(id);
    }

    expect(await missingBotPermissions(withGraph, READY)).toEqual([
      'Microsoft.Compute/galleries/share/action',
    ]);
  });
});
