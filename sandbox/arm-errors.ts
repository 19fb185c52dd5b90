import { resourceGroupOf, resourceTypeOf, lastSegment } from './arm-path';

/**
 * A Resource Manager error response, thrown by route handlers and sent as
 * `{ "error": { "code", "message" } }` with the status.
 */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ArmError';
  }
}

// Codes and messages below follow the ones Azure Resource Manager returns.

export function missingApiVersion(): ArmError {
  return new ArmError(
    400,
    'MissingApiVersionParameter',
    'The api-version query parameter (?api-version=) is required for all requests.',
  );
}

export function invalidRequestContent(detail: string): ArmError {
  return new ArmError(
    400,
    'InvalidRequestContent',
    `The request content was invalid and could not be deserialized: '${detail}'.`,
  );
}

export function missingAuthorizationHeader(): ArmError {
  return new ArmError(
    401,
    'AuthenticationFailed',
    "Authentication failed. The 'Authorization' header is missing.",
  );
}

export function authorizationFailed(principalId: string, action: string, scope: string): ArmError {
  return new ArmError(
    403,
    'AuthorizationFailed',
    `The client '${principalId}' with object id '${principalId}' does not have authorization to ` +
      `perform action '${action}' over scope '${scope}' or the scope is invalid. If access was ` +
      'recently granted, please refresh your credentials.',
  );
}

export function subscriptionNotFound(subscriptionId: string): ArmError {
  return new ArmError(
    404,
    'SubscriptionNotFound',
    `The subscription '${subscriptionId}' could not be found.`,
  );
}

export function resourceGroupNotFound(resourceGroup: string): ArmError {
  return new ArmError(
    404,
    'ResourceGroupNotFound',
    `Resource group '${resourceGroup}' could not be found.`,
  );
}

/** Builds the 404 for a missing resource (`The Resource 'Microsoft.Compute/galleries/g' …`). */
export function resourceNotFound(id: string): ArmError {
  const typeAndNames = typeAndNamesOf(id);
  const resourceGroup = resourceGroupOf(id);
  const where = resourceGroup ? ` under resource group '${resourceGroup}'` : '';
  return new ArmError(
    404,
    'ResourceNotFound',
    `The Resource '${typeAndNames}'${where} was not found. For more details please go to ` +
      'https://aka.ms/ARMResourceNotFoundFix',
  );
}

export function parentResourceNotFound(parentId: string): ArmError {
  return new ArmError(
    404,
    'ParentResourceNotFound',
    `Can not perform requested operation on nested resource. Parent resource '${lastSegment(parentId)}' not found.`,
  );
}

export function roleAssignmentNotFound(id: string): ArmError {
  return new ArmError(
    404,
    'RoleAssignmentNotFound',
    `The role assignment '${lastSegment(id)}' is not found.`,
  );
}

export function roleDefinitionNotFound(id: string): ArmError {
  return new ArmError(
    404,
    'RoleDefinitionDoesNotExist',
    `The specified role definition with ID '${lastSegment(id)}' does not exist.`,
  );
}

export function badRequest(code: string, message: string): ArmError {
  return new ArmError(400, code, message);
}

/** Builds the 404 for a method and path the emulator does not implement. */
export function notServed(method: string, path: string): ArmError {
  return new ArmError(
    404,
    'NotFound',
    `The Resource Manager emulator does not serve ${method} ${path}.`,
  );
}

/** Formats `Microsoft.Compute/galleries/g/images/i` from a resource id. */
function typeAndNamesOf(id: string): string {
  const type = resourceTypeOf(id);
  const [namespace, ...typeNames] = type.split('/');
  const segments = id.split('/').filter((segment) => segment !== '');
  const names = segments
    .slice(segments.length - typeNames.length * 2)
    .filter((_, i) => i % 2 === 1);
  const pairs = typeNames.map((typeName, index) => `${typeName}/${names[index] ?? ''}`);
  return [namespace, ...pairs].join('/');
}
