import { UserFacingError } from '../core/errors.js'

/** A mistake the user can fix (bad option, missing file): printed as one line, exit code 2, no stack trace. */
export class UserError extends UserFacingError {}
