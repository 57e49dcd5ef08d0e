// API errors are values on the wire ({ ok: false, error: { code, message } }); this class carries them in-process.
import type { ZodError } from 'zod'
import { TriageError, type ErrorCode } from '../core/errors.js'
import type { ApiErrorBody } from './contract.js'

export class ApiError extends TriageError {
  constructor(
    readonly code: ErrorCode,
    message: string
  ) {
    super(message)
  }

  toBody(): ApiErrorBody {
    return { code: this.code, message: this.message }
  }
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
