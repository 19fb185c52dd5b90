/** One result of the pre-publication checks. */
export interface Finding {
  /** A blocker stops the request from being submitted; a warning is shown and recorded. */
  severity: 'blocker' | 'warning';
  /** Stable identifier of the check, such as `SasTokenInUrl`. */
  code: string;
  /** What the finding is about, such as `gallery eula` or `image ubuntu-22 version 1.0.0`. */
  subject: string;
  /** What is wrong, in the user's words. */
  message: string;
  /** What to do about it. */
  fix: string;
}

export function hasBlocker(findings: readonly Finding[]): boolean {
  return findings.some((finding) => finding.severity === 'blocker');
}
