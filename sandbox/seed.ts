import { readFileSync } from 'node:fs';
import path from 'node:path';

import { resourceTypeOf, lastSegment } from './arm-path';

/** The demonstration seed: a subscription with ready, private and blocked galleries. */
// NOTE: `tsc -p tsconfig.build.json` does not copy demo-seed.json into dist, so this path only
// exists when the sandbox runs from source (tsx, ts-jest).
export const DEMO_SEED_PATH = path.join(__dirname, 'demo-seed.json');

/**
 * An Azure resource exactly as a Resource Manager GET returns it, plus, for galleries,
 * `sharingProfile.communityGalleryInfo.publicNamePrefix`, which Azure stores but never returns.
 */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location?: string;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface DirectoryUser {
  /** Azure AD object id. */
  id: string;
  displayName: string;
  userPrincipalName: string;
  mail?: string;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  /** Object ids of users, groups or service principals; nested groups are expanded. */
  members: string[];
}

export interface DirectoryServicePrincipal {
  id: string;
  displayName: string;
  appId?: string;
}

/**
 * A management group above subscriptions. Its resource id is
 * `/providers/Microsoft.Management/managementGroups/{id}`.
 */
export interface ManagementGroup {
  /** The management group's name, the last segment of its resource id. */
  id: string;
  displayName?: string;
  /** Name of the parent management group; without it the parent is the tenant root `/`. */
  parentId?: string;
  subscriptions: string[];
}

/** The world the emulator serves. */
export interface Seed {
  resources: ArmResource[];
  /** Object id of the bot's Azure identity, the caller of every Resource Manager request. */
  botPrincipalId: string;
  directory: {
    users: DirectoryUser[];
    groups: DirectoryGroup[];
    servicePrincipals?: DirectoryServicePrincipal[];
  };
  managementGroups?: ManagementGroup[];
}

/** Raised when a seed file cannot be read or does not have the seed format. */
export class SeedValidationError extends Error {
  readonly code = 'InvalidSeed';

  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(
      `Invalid sandbox seed ${source}:\n${problems.map((problem) => `- ${problem}`).join('\n')}`,
    );
    this.name = 'SeedValidationError';
  }
}

const PRINCIPAL_TYPES = ['User', 'Group', 'ServicePrincipal', 'ForeignGroup', 'Device'];
const GALLERY_PERMISSIONS = ['Private', 'Groups', 'Community'];

/**
 * Reads and validates a seed file. Raises SeedValidationError, which names the file and lists
 * every problem found.
 */
export function loadSeed(file: string): Seed {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new SeedValidationError(file, [`cannot be read: ${(error as Error).message}`]);
  }

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new SeedValidationError(file, [`is not valid JSON: ${(error as Error).message}`]);
  }

  return validateSeed(value, file);
}

/** Checks that `value` has the seed format; `source` names it in the error. */
export function validateSeed(value: unknown, source: string): Seed {
  const problems: string[] = [];
  if (!isObject(value)) throw new SeedValidationError(source, ['the top level must be an object']);

  if (typeof value.botPrincipalId !== 'string' || value.botPrincipalId === '') {
    problems.push('botPrincipalId is missing: give the object id of the bot identity');
  }
  if (!Array.isArray(value.resources)) {
    problems.push('resources is missing or not an array');
  } else {
    problems.push(...validateResources(value.resources));
  }
  problems.push(...validateDirectory(value.directory));
  if (value.managementGroups !== undefined) {
    problems.push(...validateManagementGroups(value.managementGroups));
  }

  if (problems.length > 0) throw new SeedValidationError(source, problems);
  return value as unknown as Seed;
}

function validateResources(resources: unknown[]): string[] {
  const problems: string[] = [];
  const seenIds = new Set<string>();
  const roleDefinitionNames = new Set<string>();

  resources.forEach((resource) => {
    if (isObject(resource) && isRoleDefinition(resource) && typeof resource.name === 'string') {
      roleDefinitionNames.add(resource.name.toLowerCase());
    }
  });

  resources.forEach((resource, index) => {
    const where = `resources[${index}]`;
    if (!isObject(resource)) {
      problems.push(`${where} is not an object`);
      return;
    }
    const { id, name, type } = resource;
    if (typeof id !== 'string' || !id.startsWith('/')) {
      problems.push(`${where}: id must be a resource id starting with "/"`);
      return;
    }
    const label = `${where} (${id})`;
    if (seenIds.has(id.toLowerCase())) problems.push(`${label}: the id is used twice`);
    seenIds.add(id.toLowerCase());

    if (typeof name !== 'string' || name.toLowerCase() !== lastSegment(id).toLowerCase()) {
      problems.push(`${label}: name must equal the last segment of the id, "${lastSegment(id)}"`);
    }
    const expectedType = resourceTypeOf(id);
    if (typeof type !== 'string' || type.toLowerCase() !== expectedType.toLowerCase()) {
      problems.push(`${label}: type must be "${expectedType}", the type its id implies`);
    }
    if (resource.properties !== undefined && !isObject(resource.properties)) {
      problems.push(`${label}: properties must be an object`);
      return;
    }
    problems.push(...validateProperties(label, resource, roleDefinitionNames));
  });
  return problems;
}

function validateProperties(
  label: string,
  resource: Record<string, unknown>,
  roleDefinitionNames: Set<string>,
): string[] {
  const properties = (resource.properties ?? {}) as Record<string, unknown>;
  const type = String(resource.type).toLowerCase();
  const problems: string[] = [];

  if (type === 'microsoft.authorization/roleassignments') {
    for (const field of ['roleDefinitionId', 'principalId', 'scope']) {
      if (typeof properties[field] !== 'string')
        problems.push(`${label}: properties.${field} is missing`);
    }
    if (!PRINCIPAL_TYPES.includes(properties.principalType as string)) {
      problems.push(
        `${label}: properties.principalType must be one of ${PRINCIPAL_TYPES.join(', ')}`,
      );
    }
    const roleDefinitionId = properties.roleDefinitionId;
    if (
      typeof roleDefinitionId === 'string' &&
      !roleDefinitionNames.has(lastSegment(roleDefinitionId).toLowerCase())
    ) {
      problems.push(`${label}: role definition ${roleDefinitionId} is not in the seed`);
    }
  }

  if (type === 'microsoft.authorization/roledefinitions') {
    if (typeof properties.roleName !== 'string')
      problems.push(`${label}: properties.roleName is missing`);
    if (!Array.isArray(properties.permissions)) {
      problems.push(`${label}: properties.permissions must be an array of {actions, notActions}`);
    }
  }

  if (type === 'microsoft.compute/galleries') {
    const sharingProfile = properties.sharingProfile;
    if (sharingProfile !== undefined) {
      const permissions = isObject(sharingProfile) ? sharingProfile.permissions : undefined;
      if (!GALLERY_PERMISSIONS.includes(permissions as string)) {
        problems.push(
          `${label}: properties.sharingProfile.permissions must be one of ${GALLERY_PERMISSIONS.join(', ')}`,
        );
      }
    }
  }
  return problems;
}

function validateDirectory(directory: unknown): string[] {
  if (!isObject(directory))
    return ['directory is missing: give { "users": [...], "groups": [...] }'];
  const problems: string[] = [];

  const users = Array.isArray(directory.users) ? directory.users : undefined;
  if (!users) problems.push('directory.users is missing or not an array');
  users?.forEach((user, index) => {
    for (const field of ['id', 'displayName', 'userPrincipalName']) {
      if (!isObject(user) || typeof user[field] !== 'string') {
        problems.push(`directory.users[${index}]: ${field} is missing`);
      }
    }
  });

  const groups = Array.isArray(directory.groups) ? directory.groups : undefined;
  if (!groups) problems.push('directory.groups is missing or not an array');
  groups?.forEach((group, index) => {
    if (!isObject(group) || typeof group.id !== 'string' || typeof group.displayName !== 'string') {
      problems.push(`directory.groups[${index}]: id and displayName are required`);
    } else if (!isStringArray(group.members)) {
      problems.push(
        `directory.groups[${index}] (${group.id}): members must be an array of object ids`,
      );
    }
  });

  const servicePrincipals = directory.servicePrincipals;
  if (servicePrincipals !== undefined && !Array.isArray(servicePrincipals)) {
    problems.push('directory.servicePrincipals must be an array');
  }
  return problems;
}

function validateManagementGroups(managementGroups: unknown): string[] {
  if (!Array.isArray(managementGroups)) return ['managementGroups must be an array'];
  const problems: string[] = [];
  managementGroups.forEach((group, index) => {
    if (!isObject(group) || typeof group.id !== 'string' || group.id.includes('/')) {
      problems.push(
        `managementGroups[${index}]: id must be the management group name, without "/"`,
      );
    } else if (!isStringArray(group.subscriptions)) {
      problems.push(
        `managementGroups[${index}] (${group.id}): subscriptions must be an array of ids`,
      );
    }
  });
  return problems;
}

function isRoleDefinition(resource: Record<string, unknown>): boolean {
  return String(resource.type).toLowerCase() === 'microsoft.authorization/roledefinitions';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
