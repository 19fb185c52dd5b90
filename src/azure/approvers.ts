import type { Permission, RoleAssignment } from '@azure/arm-authorization';
import type { AzureClients } from './clients';
import { mapWithConcurrency } from './concurrency';
import { AzureCallError, toAzureCallError } from './errors';
import { galleryResourceId, type GalleryRef } from './gallery-id';
import {
  BUILT_IN_SHARING_ROLES,
  GALLERY_READ_ACTION,
  SHARE_ACTION,
  grantsAction,
  roleDefinitionGuid,
} from './permissions';

/** A principal with a role assignment that lets it share the gallery. */
export interface EligiblePrincipal {
  principalId: string;
  principalType: string;
  displayName?: string;
  /** For example `Owner at /subscriptions/…`. */
  roles: string[];
  viaGroup?: string;
}

interface DirectoryObject {
  '@odata.type'?: string;
  id?: string;
  displayName?: string;
  userPrincipalName?: string;
}

/** Directory object types that Graph's `transitiveMembers` returns and that can be approvers. */
/** Maximum number of role definition reads in flight at once. */
const RESOURCE_MANAGER_CONCURRENCY = 8;
/** Maximum number of Microsoft Graph requests (group members, display names) in flight at once. */
const GRAPH_CONCURRENCY = 8;

const MEMBER_TYPES: Record<string, string> = {
  '#microsoft.graph.user': 'User',
  '#microsoft.graph.servicePrincipal': 'ServicePrincipal',
};

/**
 * Finds who may share a gallery: principals with Owner, Compute Gallery Sharing Admin, or a
 * custom role granting the share action, assigned at the gallery's scope or above. With
 * Microsoft Graph configured, groups are expanded to their members, nested groups included,
 * and users and groups get their display names. Without Graph, the group itself is returned
 * so the card can name it.
 */
export async function findEligiblePrincipals(
  clients: AzureClients,
  ref: GalleryRef,
): Promise<EligiblePrincipal[]> {
  const scope = galleryResourceId(ref);
  const authorization = clients.authorization(ref.subscriptionId);

  const assignments: RoleAssignment[] = [];
  try {
    for await (const assignment of authorization.roleAssignments.listForScope(scope, {
      filter: 'atScope()',
    })) {
      assignments.push(assignment);
    }
  } catch (error) {
    throw toAzureCallError(error, `Reading the role assignments of ${ref.galleryName}`);
  }

  const roleNames = await sharingRoleNames(clients, ref, assignments);
  const byPrincipal = new Map<string, EligiblePrincipal>();
  const add = (principal: EligiblePrincipal): void => {
    const existing = byPrincipal.get(principal.principalId);
    if (existing) {
      existing.roles.push(...principal.roles.filter((role) => !existing.roles.includes(role)));
    } else {
      byPrincipal.set(principal.principalId, principal);
    }
  };

  const sharing = assignments.flatMap((assignment) => {
    const roleName = roleNames.get(roleDefinitionGuid(assignment.roleDefinitionId ?? ''));
    const principalId = assignment.principalId;
    if (!roleName || !principalId) return [];
    const role = `${roleName} at ${assignment.scope ?? scope}`;
    return [{ principalId, principalType: assignment.principalType ?? 'Unknown', role }];
  });

  // Group members are read side by side and added in the order of the assignments.
  const membersOf = await mapWithConcurrency(sharing, GRAPH_CONCURRENCY, async (assignment) =>
    assignment.principalType === 'Group' && clients.graph
      ? groupMembers(clients, assignment.principalId)
      : undefined,
  );
  sharing.forEach(({ principalId, principalType, role }, index) => {
    const members = membersOf[index];
    if (!members) {
      add({ principalId, principalType, roles: [role] });
      return;
    }
    for (const member of members) {
      add({ ...member, roles: [role], viaGroup: principalId });
    }
  });

  const principals = [...byPrincipal.values()];
  const unnamed = principals.filter((principal) => principal.displayName === undefined);
  const names = await mapWithConcurrency(unnamed, GRAPH_CONCURRENCY, (principal) =>
    displayNameOf(clients, principal),
  );
  unnamed.forEach((principal, index) => {
    principal.displayName = names[index];
  });
  return principals;
}

/** Lists what the bot's own identity lacks on the gallery, out of read and share. */
export async function missingBotPermissions(
  clients: AzureClients,
  ref: GalleryRef,
): Promise<string[]> {
  const authorization = clients.authorization(ref.subscriptionId);
  const permissions: Permission[] = [];
  try {
    for await (const permission of authorization.permissions.listForResource(
      ref.resourceGroup,
      'Microsoft.Compute',
      '',
      'galleries',
      ref.galleryName,
    )) {
      permissions.push(permission);
    }
  } catch (error) {
    throw toAzureCallError(error, `Reading the bot's permissions on ${ref.galleryName}`);
  }
  return [GALLERY_READ_ACTION, SHARE_ACTION].filter((action) => !grantsAction(permissions, action));
}

/** Maps the GUIDs of the assigned roles that grant the share action to their names. */
async function sharingRoleNames(
  clients: AzureClients,
  ref: GalleryRef,
  assignments: RoleAssignment[],
): Promise<Map<string, string>> {
  const authorization = clients.authorization(ref.subscriptionId);
  const names = new Map<string, string>();
  const ids = [...new Set(assignments.map((assignment) => assignment.roleDefinitionId ?? ''))];

  await mapWithConcurrency(ids, RESOURCE_MANAGER_CONCURRENCY, async (id) => {
    const guid = roleDefinitionGuid(id);
    const builtIn = BUILT_IN_SHARING_ROLES[guid];
    if (builtIn) {
      names.set(guid, builtIn);
      return;
    }
    if (!id) return;
    try {
      const definition = await authorization.roleDefinitions.getById(id);
      if (grantsAction(definition.permissions ?? [], SHARE_ACTION)) {
        names.set(guid, definition.roleName ?? guid);
      }
    } catch (error) {
      throw toAzureCallError(error, `Reading role definition ${guid}`);
    }
  });
  return names;
}

/** Lists the users in a group, through nested groups, with Graph's `transitiveMembers`. */
async function groupMembers(
  clients: AzureClients,
  groupId: string,
): Promise<Omit<EligiblePrincipal, 'roles'>[]> {
  const graph = clients.graph;
  if (!graph) return [];
  const members: Omit<EligiblePrincipal, 'roles'>[] = [];
  let path = `/v1.0/groups/${encodeURIComponent(groupId)}/transitiveMembers`;

  for (let page = 0; page < 100 && path; page++) {
    let response;
    try {
      response = await graph.pathUnchecked(path).get();
    } catch (error) {
      throw toAzureCallError(error, `Reading the members of group ${groupId}`);
    }
    if (response.status !== '200') {
      const code = (response.body as { error?: { code?: string } })?.error?.code ?? 'GraphError';
      throw new AzureCallError(
        code,
        Number(response.status),
        `Reading the members of group ${groupId} from Microsoft Graph failed (${code}).`,
        'Check that the bot may read group members (GroupMember.Read.All).',
      );
    }
    const body = response.body as { value?: DirectoryObject[]; '@odata.nextLink'?: string };
    for (const member of body.value ?? []) {
      // Nested groups are skipped because transitiveMembers already lists their members.
      const principalType = MEMBER_TYPES[member['@odata.type'] ?? ''];
      if (!principalType || !member.id) continue;
      members.push({ principalId: member.id, principalType, displayName: member.displayName });
    }
    const next = body['@odata.nextLink'];
    path = next ? new URL(next).pathname + new URL(next).search : '';
  }
  return members;
}

/**
 * Reads the display name of a user or group from Microsoft Graph. Returns undefined without
 * Graph, for other principal types, and for a principal Graph does not find, which happens
 * when a role assignment outlives its deleted principal.
 */
async function displayNameOf(
  clients: AzureClients,
  principal: EligiblePrincipal,
): Promise<string | undefined> {
  const collection = { User: 'users', Group: 'groups' }[principal.principalType];
  if (!clients.graph || !collection) return undefined;

  const path = `/v1.0/${collection}/${encodeURIComponent(principal.principalId)}`;
  let response;
  try {
    response = await clients.graph.pathUnchecked(path).get({
      queryParameters: { $select: 'id,displayName' },
    });
  } catch (error) {
    throw toAzureCallError(error, `Reading ${principal.principalId} from Microsoft Graph`);
  }
  if (response.status === '404') return undefined;
  if (response.status !== '200') {
    const code = (response.body as { error?: { code?: string } })?.error?.code ?? 'GraphError';
    throw new AzureCallError(
      code,
      Number(response.status),
      `Reading ${principal.principalId} from Microsoft Graph failed (${code}).`,
      'Check that the bot may read users and groups (User.ReadBasic.All, GroupMember.Read.All).',
    );
  }
  const name = (response.body as DirectoryObject).displayName;
  return typeof name === 'string' && name !== '' ? name : undefined;
}
