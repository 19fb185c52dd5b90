/**
 * The principals of the demonstration seed: the Microsoft 365 Agents Playground's mock users,
 * built-in role definitions and role assignments in the Resource Manager shape.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { FIXTURES, SUBSCRIPTION_SCOPE } from './demo-seed-galleries';
import type { ArmResource, DirectoryUser } from './seed';

// Built-in role definition ids, the same in every Azure tenant.
export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const SHARING_ADMIN = '1ef6a3be-d0ac-425d-8c01-acb62866290b';
export const COMMUNITY_GALLERY_READER = stableGuid('community-gallery-reader');

function roleDefinition(
  id: string,
  roleName: string,
  description: string,
  permissions: { actions: string[]; notActions: string[] },
  assignableScope = '/',
): ArmResource {
  return {
    id: `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${id}`,
    name: id,
    type: 'Microsoft.Authorization/roleDefinitions',
    properties: {
      roleName,
      type: assignableScope === '/' ? 'BuiltInRole' : 'CustomRole',
      description,
      assignableScopes: [assignableScope],
      permissions: [{ ...permissions, dataActions: [], notDataActions: [] }],
    },
  };
}

export function roleDefinitions(): ArmResource[] {
  return [
    roleDefinition(
      OWNER,
      'Owner',
      'Grants full access to manage all resources, including the ability to assign roles in Azure RBAC.',
      {
        actions: ['*'],
        notActions: [],
      },
    ),
    roleDefinition(
      CONTRIBUTOR,
      'Contributor',
      'Grants full access to manage all resources, but does not allow you to assign roles in Azure RBAC, manage assignments in Azure Blueprints, or share image galleries.',
      {
        actions: ['*'],
        notActions: [
          'Microsoft.Authorization/*/Delete',
          'Microsoft.Authorization/*/Write',
          'Microsoft.Authorization/elevateAccess/Action',
          'Microsoft.Blueprint/blueprintAssignments/write',
          'Microsoft.Blueprint/blueprintAssignments/delete',
          'Microsoft.Compute/galleries/share/action',
        ],
      },
    ),
    roleDefinition(
      READER,
      'Reader',
      'View all resources, but does not allow you to make any changes.',
      {
        actions: ['*/read'],
        notActions: [],
      },
    ),
    roleDefinition(
      SHARING_ADMIN,
      'Compute Gallery Sharing Admin',
      'This role allows user to share gallery to another subscription/tenant or share it to the public.',
      {
        actions: [
          'Microsoft.Compute/galleries/share/action',
          'Microsoft.Compute/galleries/read',
          'Microsoft.Compute/galleries/images/read',
          'Microsoft.Compute/galleries/images/versions/read',
        ],
        notActions: [],
      },
    ),
    // Reading a community gallery is authorized at the subscription, so a bot whose other
    // roles stop at the resource group needs this to confirm the public gallery after sharing.
    roleDefinition(
      COMMUNITY_GALLERY_READER,
      'Community Gallery Reader (sandbox)',
      'Reads community galleries, their image definitions and image versions.',
      {
        actions: [
          'Microsoft.Compute/locations/communityGalleries/read',
          'Microsoft.Compute/locations/communityGalleries/images/read',
          'Microsoft.Compute/locations/communityGalleries/images/versions/read',
        ],
        notActions: [],
      },
      SUBSCRIPTION_SCOPE,
    ),
  ];
}

export function roleAssignment(
  scope: string,
  roleDefinitionName: string,
  principalId: string,
  principalType: string,
): ArmResource {
  const name = stableGuid(`${scope}|${roleDefinitionName}|${principalId}`);
  return {
    id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${name}`,
    name,
    type: 'Microsoft.Authorization/roleAssignments',
    properties: {
      roleDefinitionId: `${SUBSCRIPTION_SCOPE}/providers/Microsoft.Authorization/roleDefinitions/${roleDefinitionName}`,
      principalId,
      principalType,
      scope,
      condition: null,
      conditionVersion: null,
      createdOn: '2024-04-01T09:00:00.0000000Z',
      updatedOn: '2024-04-01T09:00:00.0000000Z',
      createdBy: null,
      updatedBy: null,
      delegatedManagedIdentityResourceId: null,
      description: null,
    },
  };
}

/** Reads the current user and the users of the Playground's mock tenant. */
export function playgroundUsers(): DirectoryUser[] {
  const file = path.join(FIXTURES, 'teams', 'm365agentsplayground-default-config.yml');
  const entries: Record<string, string>[] = [];
  let section = '';
  let current: Record<string, string> | undefined;

  // The file is flat YAML: top-level keys, and under `users:` a list of `- key: value` blocks.
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const topLevel = /^(\w+):/.exec(line);
    if (topLevel?.[1]) {
      section = topLevel[1];
      current = section === 'currentUser' ? {} : undefined;
      if (current) entries.push(current);
      continue;
    }
    if (section === 'users' && /^\s+- /.test(line)) {
      current = {};
      entries.push(current);
    }
    const field = /^\s+(?:- )?(\w+): (.*)$/.exec(line);
    if (current && field?.[1] && field[2] !== undefined) current[field[1]] = field[2].trim();
  }

  const directoryUsers = entries.map((fields) => {
    return {
      id: fields.aadObjectId ?? '',
      displayName: fields.name ?? '',
      userPrincipalName: fields.userPrincipleName ?? '',
      mail: fields.email ?? '',
    };
  });
  if (directoryUsers.length !== 6 || directoryUsers.some((user) => user.id === '')) {
    throw new Error(`Expected the current user and 5 users with aadObjectId in ${file}.`);
  }
  return directoryUsers;
}

export function userId(users: DirectoryUser[], displayName: string): string {
  const user = users.find((candidate) => candidate.displayName === displayName);
  if (!user) throw new Error(`The Playground configuration has no user named ${displayName}.`);
  return user.id;
}

/** Derives a GUID from a label, so that rebuilding the seed gives the same ids. */
export function stableGuid(label: string): string {
  const hex = createHash('sha256').update(`gallery-approvals-sandbox:${label}`).digest('hex');
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    `4${hex.slice(13, 16)}`,
    `8${hex.slice(17, 20)}`,
    hex.slice(20, 32),
  ].join('-');
}
