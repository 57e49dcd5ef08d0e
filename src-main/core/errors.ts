// One error base for every problem a person can act on. Each kind carries how every surface reports it: the
// API's error code (HTTP status and the UI's message) and the CLI's exit code. Anything that is not a
// TriageError is a bug: "internal" on the API, exit 70 on the command line. Browser-safe (the contract uses it).

/** The API's error codes: invalid_input (the request itself) · busy (try again) · not_found · user_error (a
 * mistake the person can fix: a missing file, a bad setting, a trail that cannot be opened) · internal (a bug). */
export const ERROR_CODES = ['invalid_input', 'busy', 'not_found', 'user_error', 'internal'] as const
export type ErrorCode = (typeof ERROR_CODES)[number]

/** Exit codes of `triage` (docs/cli.md, "Exit codes"): 2 is the person's mistake, 70 a bug. */
const EXIT: Record<ErrorCode, number> = { invalid_input: 2, busy: 2, not_found: 2, user_error: 2, internal: 70 }

export abstract class TriageError extends Error {
  abstract readonly code: ErrorCode
  /** The CLI's exit code for this error. */
  get exitCode(): number {
    return EXIT[this.code]
  }
}

/** A mistake the person can fix (bad option, missing file, bad setting, …): one line, no stack trace. */
export class UserFacingError extends TriageError {
  readonly code: ErrorCode = 'user_error'
}
