// Numbered, forward-only schema migrations, the same numbers and names as store/sqlite/migrations/. Never edit a
// shipped migration: add the next number (to both dialects).
import { m001 } from './001-audit-trail.js'
import { m002 } from './002-delivery-attempts.js'
import { m003 } from './003-audit-browser.js'
import { m004 } from './004-report-period.js'
import { m005 } from './005-untrusted-input.js'
import { m006 } from './006-schedule-slots.js'
import { m007 } from './007-source-cursors.js'
import { m008 } from './008-case-work.js'
import { m009 } from './009-rule-governance.js'
import { m010 } from './010-alert-filters.js'
import { m011 } from './011-source-headers.js'

export type { Migration } from './migration.js'

export const MIGRATIONS = [m001, m002, m003, m004, m005, m006, m007, m008, m009, m010, m011]
