/**
 * Checks the fields of an incoming activity that the bot and botbuilder rely on, before
 * botbuilder processes it, so that a malformed activity gets 400 instead of failing inside a
 * turn. Returns what is wrong, or undefined for an acceptable activity.
 */
export function activityShapeProblem(body: unknown): string | undefined {
  if (!isRecord(body)) return 'The body must be a JSON object (an activity).';

  const problems = [
    stringField(body, 'type', { required: true, maxLength: 64 }),
    stringField(body, 'id', { maxLength: 1024 }),
    identifierField(body, 'id'),
    identifierField(body, 'replyToId'),
    stringField(body, 'channelId', { maxLength: 64 }),
    stringField(body, 'name', { maxLength: 256 }),
    stringField(body, 'text', { maxLength: 100_000 }),
    stringField(body, 'replyToId', { maxLength: 1024 }),
    ...['locale', 'localTimezone', 'textFormat', 'inputHint', 'valueType', 'label', 'action'].map(
      (name) => stringField(body, name, { maxLength: 256 }),
    ),
    arrayField(body, 'entities'),
    arrayField(body, 'attachments'),
    serviceUrlProblem(body.serviceUrl),
    accountProblem(body, 'from'),
    accountProblem(body, 'recipient'),
    conversationProblem(body.conversation),
    objectField(body, 'channelData'),
  ];
  return problems.find((problem) => problem !== undefined);
}

function serviceUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') {
    return 'serviceUrl is missing or not a string.';
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'serviceUrl is not a URL.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return 'serviceUrl must be an http or https URL.';
  }
  return undefined;
}

function conversationProblem(value: unknown): string | undefined {
  if (!isRecord(value)) return 'conversation is missing or not an object.';
  if (typeof value.id !== 'string' || value.id === '' || value.id.length > 1024) {
    return 'conversation.id is missing or not a string.';
  }
  if (!isSafeIdentifier(value.id)) return 'conversation.id contains invalid characters.';
  for (const name of ['conversationType', 'tenantId', 'name']) {
    if (value[name] !== undefined && typeof value[name] !== 'string') {
      return `conversation.${name} must be a string.`;
    }
  }
  return undefined;
}

function accountProblem(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined) return undefined;
  if (!isRecord(value)) return `${name} must be an object.`;
  for (const field of ['id', 'name', 'aadObjectId', 'role']) {
    if (value[field] !== undefined && value[field] !== null && typeof value[field] !== 'string') {
      return `${name}.${field} must be a string.`;
    }
  }
  if (typeof value.id === 'string' && !isSafeIdentifier(value.id)) {
    return `${name}.id contains invalid characters.`;
  }
  return undefined;
}

function stringField(
  body: Record<string, unknown>,
  name: string,
  options: { required?: boolean; maxLength: number },
): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) {
    return options.required ? `${name} is missing.` : undefined;
  }
  if (typeof value !== 'string') return `${name} must be a string.`;
  if (value.length > options.maxLength) {
    return `${name} is longer than ${options.maxLength} characters.`;
  }
  return undefined;
}

function objectField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null || isRecord(value)) return undefined;
  return `${name} must be an object.`;
}

function arrayField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) return `${name} must be an array.`;
  if (value.some((item) => !isRecord(item))) return `every item of ${name} must be an object.`;
  return undefined;
}

function identifierField(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (typeof value !== 'string' || isSafeIdentifier(value)) return undefined;
  return `${name} contains invalid characters.`;
}

// Identifiers end up in Bot Connector URLs and HTTP headers, which take only visible ASCII
// characters. The Teams ids in the captured payloads (`a:…`, `19:…@thread.tacv2`, `29:…`) fit.
const VISIBLE_ASCII = /^[\x20-\x7e]*$/;

function isSafeIdentifier(value: string): boolean {
  return VISIBLE_ASCII.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
