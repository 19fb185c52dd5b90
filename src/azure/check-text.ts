/**
 * Helpers that put untrusted gallery text into finding messages. Every string in a snapshot is
 * user input, so a message quotes it shortened and with its invisible characters escaped.
 */

const MAX_QUOTED_LENGTH = 80;

// Control characters, format characters (zero-width, bidirectional and tag characters, the byte
// order mark) and the Unicode line and paragraph separators. They can hide or reorder the text
// around them.
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;

// Names that a shell reads as one plain word. Resource group names may also contain parentheses,
// which a shell would read as syntax, so such a name goes into a command as a placeholder.
const COMMAND_SAFE_NAME = /^[-\w.]{1,90}$/;

/** Gallery names and region, as messages and the suggested `az` commands of a fix use them. */
export interface CommandNames {
  resourceGroup: string;
  galleryName: string;
  /** The gallery's location as Resource Manager returned it, such as `West US`. */
  location: string;
  /** The gallery's region normalized like `westus`, or `<region>` when the location is empty. */
  region: string;
}

/**
 * Quotes untrusted text for a message: at most `maxLength` characters (code points), in double
 * quotes, with quotes, backslashes and invisible characters escaped as in JSON.
 */
export function quoteText(text: string, maxLength = MAX_QUOTED_LENGTH): string {
  return JSON.stringify(truncate(text, maxLength)).replace(INVISIBLE, escapeCharacter);
}

/** Shortens untrusted text and replaces its invisible characters with `?`, without quoting it. */
export function plainText(text: string, maxLength = MAX_QUOTED_LENGTH): string {
  return truncate(text, maxLength).replace(INVISIBLE, '?');
}

/** Quotes the first `max` names and counts the rest: `"a", "b" and 3 more`. */
export function quoteList(names: readonly string[], max = 3): string {
  const quoted = names.slice(0, max).map((name) => quoteText(name, 40));
  const rest = names.length - quoted.length;
  return rest > 0 ? `${quoted.join(', ')} and ${rest} more` : quoted.join(', ');
}

/** Cuts text after `maxLength` code points and marks the cut with an ellipsis. */
export function truncate(text: string, maxLength: number): string {
  if (text.length <= maxLength) return text;

  let result = '';
  let count = 0;
  for (const character of text) {
    if (count === maxLength) return `${result}…`;
    result += character;
    count += 1;
  }
  return result;
}

/** Normalizes an Azure region name, so that `West US` and `westus` compare equal. */
export function normalizeRegion(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

/** Builds the gallery's names for suggested commands, with placeholders for unusual names. */
export function commandNamesOf(gallery: {
  id: string;
  name: string;
  location: string;
}): CommandNames {
  const resourceGroup = /\/resourceGroups\/([^/]+)/i.exec(gallery.id)?.[1] ?? '';
  return {
    resourceGroup: commandName(resourceGroup, '<resource-group>'),
    galleryName: commandName(gallery.name, '<gallery-name>'),
    location: gallery.location,
    region: normalizeRegion(gallery.location) || '<region>',
  };
}

/** Returns true when a resource's location differs from the gallery's. An empty one never does. */
export function isOtherRegion(location: string, names: CommandNames): boolean {
  const region = normalizeRegion(location);
  return region !== '' && normalizeRegion(names.location) !== '' && region !== names.region;
}

/** Returns a name for a suggested command: the name itself when it is plain, else a placeholder. */
export function commandName(name: string, placeholder: string): string {
  return COMMAND_SAFE_NAME.test(name) ? name : placeholder;
}

function escapeCharacter(character: string): string {
  const codePoint = character.codePointAt(0) ?? 0;
  const hex = codePoint.toString(16);
  return codePoint > 0xffff ? `\\u{${hex}}` : `\\u${hex.padStart(4, '0')}`;
}
