/** One result of the pre-publication checks. */
export interface Finding {
  /** A blocker stops the request from being submitted; a warning is shown and recorded. */
  severity: 'blocker' | 'warning';
  /** Stable identifier of the check, such as `SasTokenInUrl`. */
  code: string;
  /** Subject of the finding, such as `gallery eula` or `image ubuntu-22 version 1.0.0`. */
  subject: string;
  /** Description of the problem, in the user's words. */
  message: string;
  /** Action that resolves the finding. */
  fix: string;
}

export function hasBlocker(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'blocker');
}
