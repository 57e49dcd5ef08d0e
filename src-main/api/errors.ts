// API errors are values on the wire ({ ok: false, error: { code, message } }); this class carries them in-process.
import type { ZodError } from 'zod'
import { TriageError, type ErrorCode } from '../core/errors.js'
import type { ApiErrorBody } from './contract.js'

export type FieldProblem = NonNullable<ApiErrorBody['fields']>[number]

export class ApiError extends TriageError {
  constructor(
    readonly code: ErrorCode,
    message: string,
    /** The problems by field, for a form to mark each one (the message still says the first, for the CLI and logs). */
    readonly fields?: FieldProblem[]
  ) {
    super(message)
  }

  toBody(): ApiErrorBody {
    return this.fields?.length ? { code: this.code, message: this.message, fields: this.fields } : { code: this.code, message: this.message }
  }
}

/** Every problem of a failed parse, by field (dotted path), without the "where: path:" prefix of the message. */
export function zodFieldProblems(err: ZodError): FieldProblem[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }))
}

/** "queryAudit: filter.severity.0: Invalid option: expected one of …" — the first problem, named by its field. */
export function describeZodError(where: string, err: ZodError): string {
  const issues = err.issues
  const first = issues[0]
  if (!first) return `${where}: invalid input`
  const path = first.path.map(String).join('.')
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? 's' : ''})` : ''
  return `${where}: ${path ? `${path}: ` : ''}${first.message}${more}`
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** Whatever a handler threw, as the ApiError its reply carries (anything unforeseen as "internal"). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (e instanceof TriageError) return new ApiError(e.code, e.message)
  if ((e as NodeJS.ErrnoException)?.code === 'SQLITE_BUSY')
    return new ApiError('busy', 'the database is busy (another process is writing to it); try again in a moment')
  return new ApiError('internal', `unexpected error: ${messageOf(e)}`)
}
