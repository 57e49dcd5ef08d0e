// The stores' error: the database cannot be opened, is not a Triage Desk trail, or refuses what was asked.
import { UserFacingError } from '../core/errors.js'

export class StoreError extends UserFacingError {}
