/**
 * Checks of the free-text metadata that becomes public with a community gallery: secrets and
 * private hosts in URLs, and the format of the publisher contact, publisher URI and EULA.
 */
import { quoteText } from './check-text';
import type { Finding } from './findings';
import {
  MAX_URLS_PER_TEXT,
  scanTextForUrlIssues,
  type UrlIssue,
  type UrlIssueKind,
} from './url-secrets';

/** A field of the gallery or of an image definition that becomes public with the gallery. */
export interface PublicTextField {
  /** Subject of the findings, such as `gallery EULA` or `image ubuntu-22 description`. */
  subject: string;
  /** Name of the field in a message, such as `The gallery's EULA`. */
  label: string;
  value: string | undefined;
  /** True when the whole value is meant to be a URL, like the gallery's EULA and publisher URI. */
  wholeValueIsUrl: boolean;
  /** Command or portal step that changes the value. */
  changeCommand: string;
}

const ISSUE_CODES: Record<UrlIssueKind, string> = {
  sasToken: 'SasTokenInUrl',
  credentialParameter: 'CredentialInUrl',
  userInfo: 'UserInfoInUrl',
  privateHost: 'PrivateHostInUrl',
};

const MAX_LISTED_URLS = 3;
// RFC 5321 limits an address to 254 characters, which also bounds the work of the pattern.
const MAX_EMAIL_LENGTH = 254;
const EMAIL = /^[^\s\p{Cc}@"<>()[\]\\,;:]{1,64}@[\p{L}\p{N}-]+(?:\.[\p{L}\p{N}-]+)+$/u;

/** Reports each kind of secret or private host found in the URLs of one public field. */
export function checkPublicTextField(field: PublicTextField): Finding[] {
  if (!field.value) return [];

  const scan = scanTextForUrlIssues(field.value, { wholeValueIsUrl: field.wholeValueIsUrl });
  const findings = groupByKind(scan.issues).map(([kind, issues]) =>
    urlIssueFinding(field, kind, issues),
  );
  if (!scan.complete) {
    findings.push({
      severity: 'warning',
      code: 'UrlScanIncomplete',
      subject: field.subject,
      message:
        `${field.label} contains more than ${MAX_URLS_PER_TEXT} links. Only the first ` +
        `${MAX_URLS_PER_TEXT} were checked for secrets and private hosts.`,
      fix: `Shorten the value (${field.changeCommand}) and run the review again.`,
    });
  }
  return findings;
}

/** Warns when the publisher contact is not an e-mail address. */
export function checkPublisherContact(value: string | undefined, changeCommand: string): Finding[] {
  const contact = value ?? '';
  if (contact.length <= MAX_EMAIL_LENGTH && EMAIL.test(contact)) return [];

  const problem =
    contact.trim() === '' ? 'is empty' : `${quoteUnlessSecret(contact)} is not an e-mail address`;
  return [
    {
      severity: 'warning',
      code: 'PublisherContactNotEmail',
      subject: 'gallery publisher contact',
      message:
        `The gallery's publisher contact ${problem}. Consumers of the images use it to reach ` +
        'the publisher, and Azure does not check it.',
      fix: `Set an e-mail address that the publisher reads (${changeCommand}).`,
    },
  ];
}

/** Warns when a gallery field that consumers open as a link is not an absolute https URL. */
export function checkHttpsUrl(
  field: Pick<PublicTextField, 'subject' | 'label' | 'value' | 'changeCommand'>,
  code: string,
): Finding[] {
  const problem = httpsUrlProblem(field.value ?? '');
  if (!problem) return [];
  return [
    {
      severity: 'warning',
      code,
      subject: field.subject,
      message:
        `${field.label} ${problem}. Azure accepts any text here, but consumers expect ` + 'a link.',
      fix: `Set an absolute https URL of a public page (${field.changeCommand}).`,
    },
  ];
}

function httpsUrlProblem(value: string): string | undefined {
  if (value.trim() === '') return 'is empty';
  const quoted = quoteUnlessSecret(value);
  if (/[\s\p{Cc}]/u.test(value)) return `${quoted} contains spaces or control characters`;
  if (!URL.canParse(value)) return `${quoted} is not an absolute URL`;

  const url = new URL(value);
  if (url.protocol !== 'https:')
    return `${quoted} is a ${quoteText(url.protocol, 20)} URL, not https`;
  if (url.hostname === '') return `${quoted} has no host`;
  return undefined;
}

/**
 * Quotes a public value for a message, or names it without its text when it contains a secret,
 * which a separate finding then reports.
 */
export function quoteUnlessSecret(value: string): string {
  const { issues } = scanTextForUrlIssues(value, { wholeValueIsUrl: true });
  const hasSecret = issues.some((issue) => issue.kind !== 'privateHost');
  return hasSecret ? '(not shown because it contains a secret)' : quoteText(value);
}

function urlIssueFinding(field: PublicTextField, kind: UrlIssueKind, issues: UrlIssue[]): Finding {
  const where = listIssues(issues);
  const change = field.changeCommand;
  const text = {
    sasToken: {
      message:
        `${field.label} contains a SAS token in ${where}. Anyone who reads it can use the ` +
        'storage it grants.',
      fix:
        `Link to a copy that needs no token, such as a public blob or web page (${change}). ` +
        'Then revoke the token, because it may already have been copied: rotate the storage ' +
        'account key that signed it, or revoke the user delegation keys.',
    },
    credentialParameter: {
      message: `${field.label} passes a credential as a query parameter in ${where}.`,
      fix:
        `Remove the parameter and link to a page that needs no credential (${change}). ` +
        'Then revoke or rotate the credential, because it may already have been copied.',
    },
    userInfo: {
      message: `${field.label} contains user info before the host in ${where}.`,
      fix:
        `Remove the user name and password from the link (${change}). ` +
        'Then change the password, because it may already have been copied.',
    },
    privateHost: {
      message:
        `${field.label} links to a host in a private network: ${where}. ` +
        'The public cannot reach it, and the link discloses an internal name.',
      fix: `Link to a public host instead (${change}).`,
    },
  }[kind];
  return { severity: 'blocker', code: ISSUE_CODES[kind], subject: field.subject, ...text };
}

function listIssues(issues: readonly UrlIssue[]): string {
  const listed = issues
    .slice(0, MAX_LISTED_URLS)
    .map((issue) => `${issue.location} (${issue.detail})`)
    .join('; ');
  const rest = issues.length - MAX_LISTED_URLS;
  return rest > 0 ? `${listed} and ${rest} more` : listed;
}

function groupByKind(issues: readonly UrlIssue[]): [UrlIssueKind, UrlIssue[]][] {
  const groups = new Map<UrlIssueKind, UrlIssue[]>();
  for (const issue of issues) {
    const group = groups.get(issue.kind);
    if (group) group.push(issue);
    else groups.set(issue.kind, [issue]);
  }
  return [...groups.entries()];
}
