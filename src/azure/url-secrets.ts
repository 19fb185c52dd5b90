/**
 * Finds the URLs in untrusted text and what in them must not become public: a SAS token, a
 * query parameter that carries a credential, user info (`user:password@`), or a host in a
 * private network. Reads any string without throwing.
 */
import { plainText, quoteText } from './check-text';
import { describePrivateHost } from './private-hosts';

export type UrlIssueKind = 'sasToken' | 'credentialParameter' | 'userInfo' | 'privateHost';

export interface UrlIssue {
  kind: UrlIssueKind;
  /** The URL without user info, query and fragment, quoted and shortened for a message. */
  location: string;
  /** Parameter names, the kind of user info or the kind of host that was found, never a value. */
  detail: string;
}

export interface UrlScanResult {
  issues: UrlIssue[];
  /** False when the text contains more links than `MAX_URLS_PER_TEXT` and the rest were skipped. */
  complete: boolean;
}

export interface UrlScanOptions {
  /**
   * True for a field whose whole value is meant to be a URL. The value is then also parsed as a
   * whole, the way a browser parses it: tabs and line breaks inside it are dropped.
   */
  wholeValueIsUrl?: boolean;
}

/**
 * Maximum number of links checked in one text, and again in each percent-decoding of it. The
 * same link repeated counts each time, which bounds the work on hostile text.
 */
export const MAX_URLS_PER_TEXT = 500;

// Longer URL candidates are cut: the host and the first parameters are still checked. Azure
// Storage and most web servers reject URLs of more than 8 KiB.
const MAX_URL_LENGTH = 8192;
// Text percent-encoded more than three times is not decoded further.
const MAX_DECODE_ROUNDS = 3;

// Query parameters of Azure Storage shared access signatures (SAS): account, service and user
// delegation SAS.
const SAS_PARAMETERS = new Set([
  'sv', 'ss', 'srt', 'sp', 'se', 'st', 'sip', 'spr', 'sig', 'si', 'sr', 'sdd', 'ses', 'scid',
  'skoid', 'sktid', 'skt', 'ske', 'sks', 'skv', 'saoid', 'suoid', 'sduoid',
  'rscc', 'rscd', 'rsce', 'rscl', 'rsct',
]); // prettier-ignore
// Parameters that occur only in a SAS, so that one of them alone marks a SAS token. The short
// ones (`sp`, `st`, `se`, …) also occur in ordinary URLs, so they count only in pairs with `sv`
// or in threes.
const SAS_ONLY_PARAMETERS = new Set(['sig', 'srt', 'spr', 'skoid', 'sktid', 'skt', 'ske', 'sks']);

// Query parameter names, lowercase with `-` read as `_`, that carry a credential.
const CREDENTIAL_PARAMETERS = new Set([
  'token', 'access_token', 'id_token', 'refresh_token', 'auth_token', 'key', 'api_key', 'apikey',
  'secret', 'client_secret', 'password', 'passwd', 'pwd', 'code', 'sig', 'signature',
  'subscription_key', 'x_amz_signature', 'x_amz_security_token', 'x_goog_signature',
]); // prettier-ignore

const SCHEME = /(?:https?|ftp|wss?):/gi;
const TOKEN = /[^\s<>"`]+/g;
const SCHEMELESS_TOKEN = /[^\s<>"`()[\]{}'|^,;]+/g;
// A host name or IPv4 address followed by a path or query, like `contoso.com/eula?sig=…`.
const SCHEMELESS_URL = /^[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+(?::\d{1,5})?[/?#]/u;
const CIDR = /^\d{1,3}(?:\.\d{1,3}){0,3}\/\d{1,3}$/;
// Punctuation that ends a sentence or a Markdown link after a URL rather than belonging to it.
const TRAILING_PUNCTUATION = ".,;:!?)]}'*_~";
const EMBEDDING_DELIMITER = /[()[\]{}'|^]/;

/** Finds the URLs in `text` and reports each secret or private host in them once. */
export function scanTextForUrlIssues(text: string, options: UrlScanOptions = {}): UrlScanResult {
  const issues = new Map<string, UrlIssue>();
  let complete = true;

  for (const layer of percentDecodedLayers(text)) {
    let linkCount = 0;
    for (const variants of urlCandidates(layer, options)) {
      linkCount += 1;
      if (linkCount > MAX_URLS_PER_TEXT) {
        complete = false;
        break;
      }
      for (const url of variants.map(parseUrl)) {
        for (const issue of url ? inspectUrl(url) : []) {
          issues.set(`${issue.kind} ${issue.location} ${issue.detail}`, issue);
        }
      }
    }
  }
  return { issues: [...issues.values()], complete };
}

/** Returns the text and each further percent-decoding of it, up to `MAX_DECODE_ROUNDS`. */
function percentDecodedLayers(text: string): string[] {
  const layers = [text];
  let current = text;
  for (let round = 0; round < MAX_DECODE_ROUNDS && current.includes('%'); round += 1) {
    const decoded = current.replace(/(?:%[0-9a-f]{2})+/gi, decodePercentEscapes);
    if (decoded === current) break;
    layers.push(decoded);
    current = decoded;
  }
  return layers;
}

function decodePercentEscapes(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // The escapes do not form valid UTF-8: decode only those of ASCII characters.
    return text.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) =>
      String.fromCharCode(parseInt(hex, 16)),
    );
  }
}

/**
 * Yields each link in `text` as the strings that may be its URL. A URL can start inside another
 * one, as in a Markdown link `[https://a](http://b)`, so every scheme starts a link, and the link
 * cut at the first bracket or quote is tried too.
 */
function* urlCandidates(text: string, options: UrlScanOptions): Generator<string[]> {
  if (options.wholeValueIsUrl) {
    const whole = text.trim().replace(/[\t\r\n]/g, '');
    if (/^(?:https?|ftp|wss?):/i.test(whole) && !whole.includes(' ')) {
      yield [whole.slice(0, MAX_URL_LENGTH)];
    }
  }

  for (const token of text.matchAll(TOKEN)) {
    for (const scheme of token[0].matchAll(SCHEME)) {
      const start = scheme.index ?? 0;
      const candidate = token[0].slice(start, start + MAX_URL_LENGTH);
      const delimiter = EMBEDDING_DELIMITER.exec(candidate.slice(scheme[0].length));
      yield delimiter
        ? [
            trimTrailingPunctuation(candidate),
            candidate.slice(0, scheme[0].length + delimiter.index),
          ]
        : [trimTrailingPunctuation(candidate)];
    }
  }

  for (const token of text.matchAll(SCHEMELESS_TOKEN)) {
    const word = trimTrailingPunctuation(token[0]);
    if (word.includes('://') || CIDR.test(word)) continue;
    if (!SCHEMELESS_URL.test(word.slice(0, 300))) continue;
    yield [`https://${word.slice(0, MAX_URL_LENGTH)}`];
  }
}

function trimTrailingPunctuation(candidate: string): string {
  let end = candidate.length;
  while (end > 0 && TRAILING_PUNCTUATION.includes(candidate.charAt(end - 1))) end -= 1;
  return candidate.slice(0, end);
}

function parseUrl(candidate: string): URL | undefined {
  // URL.canParse avoids the cost of a thrown error, which copies the whole input.
  return URL.canParse(candidate) ? new URL(candidate) : undefined;
}

function inspectUrl(url: URL): UrlIssue[] {
  const location = quoteText(`${url.protocol}//${url.host}${displayPath(url.pathname)}`);
  const issues: UrlIssue[] = [];

  if (url.username !== '' || url.password !== '') {
    const detail = url.password !== '' ? 'a user name and password' : 'a user name';
    issues.push({ kind: 'userInfo', location, detail });
  }

  const parameters = parameterNames(url);
  const sasParameters = parameters.filter((name) => SAS_PARAMETERS.has(name));
  const isSas = isSasToken(sasParameters);
  if (isSas) {
    const detail = `parameters ${sasParameters.join(', ')}`;
    issues.push({ kind: 'sasToken', location, detail });
  }

  const credentialParameters = parameters.filter(
    (name) => CREDENTIAL_PARAMETERS.has(name.replace(/-/g, '_')) && !(isSas && name === 'sig'),
  );
  if (credentialParameters.length > 0) {
    const names = credentialParameters.map((name) => plainText(name, 40)).join(', ');
    const detail = `${credentialParameters.length === 1 ? 'parameter' : 'parameters'} ${names}`;
    issues.push({ kind: 'credentialParameter', location, detail });
  }

  const hostLabel = describePrivateHost(url.hostname);
  if (hostLabel) {
    issues.push({
      kind: 'privateHost',
      location,
      detail: `${quoteText(url.hostname)} is ${hostLabel}`,
    });
  }
  return issues;
}

/**
 * Cuts a path at the first encoded `?`, `#` or `&`, `;` or `=`, because what follows may be an
 * encoded query with the very secret that a finding must not quote.
 */
function displayPath(pathname: string): string {
  const cut = /%3f|%23|%26|[;=]/i.exec(pathname);
  return cut ? `${pathname.slice(0, cut.index)}…` : pathname;
}

function isSasToken(sasParameters: readonly string[]): boolean {
  if (sasParameters.some((name) => SAS_ONLY_PARAMETERS.has(name))) return true;
  if (sasParameters.includes('sv') && sasParameters.length >= 2) return true;
  return sasParameters.length >= 3;
}

/**
 * Lists the distinct names, lowercase, of the query and fragment parameters that have a value.
 * Splitting at `;` as well as `&` also separates the parameters of an HTML-escaped `&amp;`.
 */
function parameterNames(url: URL): string[] {
  const names = new Set<string>();
  const fragment = url.hash.includes('=') ? url.hash.slice(1) : '';

  for (const part of `${url.search.slice(1)}&${fragment}`.split(/[&;]/)) {
    const separator = part.indexOf('=');
    if (separator <= 0 || separator === part.length - 1) continue;

    const name = decodePercentEscapes(part.slice(0, separator).replace(/\+/g, ' '))
      .trim()
      .toLowerCase();
    if (name !== '') names.add(name);
  }
  return [...names];
}

/** The text that replaces a secret value wherever the bot shows or stores text for people. */
export const REDACTED = '[redacted]';

const QUERY_PARAMETER = /([?&;])([^=&#\s?;"'<>]{1,64})=([^&#\s"'<>;]*)/g;
const USER_INFO_PASSWORD = /(\b[a-z][a-z0-9+.-]{0,20}:\/\/[^/\s:@?#]{0,200}:)[^@\s/?#]*@/gi;

/**
 * Replaces the values of credential query parameters (a SAS `sig`, `token`, `key`, …) and the
 * password of `user:password@` with `[redacted]`, so that a card can show what becomes public
 * without spreading a live secret further. Parameter names and everything else stay as they are.
 */
export function redactUrlSecrets(text: string): string {
  return text
    .replace(QUERY_PARAMETER, (match, separator: string, name: string, value: string) => {
      const normalized = name.toLowerCase().replace(/-/g, '_');
      if (value === '' || !CREDENTIAL_PARAMETERS.has(normalized)) return match;
      return `${separator}${name}=${REDACTED}`;
    })
    .replace(USER_INFO_PASSWORD, `$1${REDACTED}@`);
}
