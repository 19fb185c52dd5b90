import {
  lastSegment,
  normalizeLocation,
  normalizePath,
  parentScope,
  pathKey,
  resourceGroupOf,
  resourceTypeOf,
  splitPath,
  subscriptionOf,
} from './arm-path';
import type {
  ArmResource,
  DirectoryGroup,
  DirectoryServicePrincipal,
  DirectoryUser,
  ManagementGroup,
  Seed,
} from './seed';

const MANAGEMENT_GROUP_PREFIX = '/providers/Microsoft.Management/managementGroups/';

/** The emulator's mutable state: resources by id, the directory and the scope hierarchy. */
export class World {
  readonly botPrincipalId: string;
  private readonly resources = new Map<string, ArmResource>();
  private readonly users = new Map<string, DirectoryUser>();
  private readonly groups = new Map<string, DirectoryGroup>();
  private readonly servicePrincipals = new Map<string, DirectoryServicePrincipal>();
  private readonly managementGroups = new Map<string, ManagementGroup>();

  constructor(seed: Seed) {
    this.botPrincipalId = seed.botPrincipalId;
    for (const resource of seed.resources) this.put(resource);
    for (const user of seed.directory.users) this.users.set(user.id.toLowerCase(), user);
    for (const group of seed.directory.groups) this.groups.set(group.id.toLowerCase(), group);
    for (const principal of seed.directory.servicePrincipals ?? []) {
      this.servicePrincipals.set(principal.id.toLowerCase(), principal);
    }
    for (const group of seed.managementGroups ?? []) {
      this.managementGroups.set(group.id.toLowerCase(), group);
    }
  }

  /** Returns a copy of the stored resource, so callers cannot change the world by accident. */
  get(id: string): ArmResource | undefined {
    const resource = this.resources.get(pathKey(id));
    return resource ? structuredClone(resource) : undefined;
  }

  put(resource: ArmResource): void {
    this.resources.set(pathKey(resource.id), structuredClone(resource));
  }

  delete(id: string): boolean {
    return this.resources.delete(pathKey(id));
  }

  /** Returns copies of every resource of a type, compared case-insensitively. */
  ofType(type: string): ArmResource[] {
    const expectedType = type.toLowerCase();
    return [...this.resources.values()]
      .filter((resource) => resource.type.toLowerCase() === expectedType)
      .map((resource) => structuredClone(resource));
  }

  /**
   * Returns the members of a collection path in id order: `…/galleries/g/images` lists the
   * image definitions of `g`, and `/subscriptions/{s}/providers/{namespace}/{type}` lists
   * that type across the subscription.
   */
  inCollection(collectionPath: string): ArmResource[] {
    const key = pathKey(collectionPath);
    const segments = splitPath(collectionPath);
    const isSubscriptionWide =
      segments.length === 5 &&
      segments[0]?.toLowerCase() === 'subscriptions' &&
      segments[2]?.toLowerCase() === 'providers';
    const subscriptionType = `${segments[3]}/${segments[4]}`.toLowerCase();

    return [...this.resources.values()]
      .filter((resource) => {
        const collectionKey = pathKey(resource.id).slice(0, -(lastSegment(resource.id).length + 1));
        if (collectionKey === key) return true;
        return (
          isSubscriptionWide &&
          resource.type.toLowerCase() === subscriptionType &&
          subscriptionOf(resource.id)?.toLowerCase() === segments[1]?.toLowerCase()
        );
      })
      .sort((a, b) => (pathKey(a.id) < pathKey(b.id) ? -1 : 1))
      .map((resource) => structuredClone(resource));
  }

  hasSubscription(subscriptionId: string): boolean {
    const expectedSubscription = subscriptionId.toLowerCase();
    return [...this.resources.values()].some(
      (resource) => subscriptionOf(resource.id)?.toLowerCase() === expectedSubscription,
    );
  }

  /** Returns the resource group as a resource, from the seed or implied by the resources in it. */
  resourceGroup(subscriptionId: string, name: string): ArmResource | undefined {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
    const seeded = this.get(id);
    if (seeded) return seeded;

    const member = [...this.resources.values()].find(
      (resource) =>
        subscriptionOf(resource.id)?.toLowerCase() === subscriptionId.toLowerCase() &&
        resourceGroupOf(resource.id)?.toLowerCase() === name.toLowerCase(),
    );
    if (!member) return undefined;
    const memberGroup = resourceGroupOf(member.id) ?? name;
    return {
      id: `/subscriptions/${subscriptionOf(member.id)}/resourceGroups/${memberGroup}`,
      name: memberGroup,
      type: 'Microsoft.Resources/resourceGroups',
      location: normalizeLocation(member.location ?? 'westus'),
      properties: { provisioningState: 'Succeeded' },
    };
  }

  /**
   * Returns a scope and every scope above it, nearest first: resource, parent resources,
   * resource group, subscription, its management groups, and the tenant root `/`.
   */
  scopeChain(scope: string): string[] {
    const chain: string[] = [];
    const seen = new Set<string>();
    let current: string | undefined = normalizePath(scope);

    while (current !== undefined && !seen.has(current.toLowerCase())) {
      chain.push(current);
      seen.add(current.toLowerCase());
      current = this.scopeAbove(current);
    }
    return chain;
  }

  private scopeAbove(scope: string): string | undefined {
    if (scope === '/') return undefined;
    if (resourceTypeOf(scope).toLowerCase() === 'microsoft.management/managementgroups') {
      const group = this.managementGroups.get(lastSegment(scope).toLowerCase());
      return group?.parentId ? MANAGEMENT_GROUP_PREFIX + group.parentId : '/';
    }

    const parent = parentScope(scope);
    if (parent !== undefined) return parent;

    const subscriptionId = subscriptionOf(scope)?.toLowerCase();
    const group = [...this.managementGroups.values()].find((candidate) =>
      candidate.subscriptions.some((id) => id.toLowerCase() === subscriptionId),
    );
    return group ? MANAGEMENT_GROUP_PREFIX + group.id : '/';
  }

  /** Finds a role definition by its full id or its GUID name, at whatever scope it was seeded. */
  roleDefinition(roleDefinitionId: string): ArmResource | undefined {
    const name = lastSegment(roleDefinitionId).toLowerCase();
    return this.ofType('Microsoft.Authorization/roleDefinitions').find(
      (definition) => definition.name.toLowerCase() === name,
    );
  }

  user(id: string): DirectoryUser | undefined {
    return this.users.get(id.toLowerCase());
  }

  group(id: string): DirectoryGroup | undefined {
    return this.groups.get(id.toLowerCase());
  }

  servicePrincipal(id: string): DirectoryServicePrincipal | undefined {
    return this.servicePrincipals.get(id.toLowerCase());
  }

  /** Returns the object ids of a group's members, nested groups expanded, each once. */
  transitiveMembers(groupId: string): string[] {
    const members: string[] = [];
    const seen = new Set<string>([groupId.toLowerCase()]);
    const pending = [...(this.group(groupId)?.members ?? [])];

    while (pending.length > 0) {
      const member = pending.shift() as string;
      if (seen.has(member.toLowerCase())) continue;
      seen.add(member.toLowerCase());
      members.push(member);
      pending.push(...(this.group(member)?.members ?? []));
    }
    return members;
  }

  /** Returns the ids of the groups that contain a principal directly or through other groups. */
  groupsOf(principalId: string): Set<string> {
    const result = new Set<string>();
    for (const group of this.groups.values()) {
      const members = this.transitiveMembers(group.id).map((id) => id.toLowerCase());
      if (members.includes(principalId.toLowerCase())) result.add(group.id.toLowerCase());
    }
    return result;
  }
}
