// The manifest as verify-pack reads it: every field a pack of this format must have, checked before anything in it
// is trusted.
import { z } from 'zod'
import { PACK_FORMAT } from '../pack.js'

const hex64 = z.string().regex(/^[0-9a-f]{64}$/)
export const manifestSchema = z.object({
  format: z.literal(PACK_FORMAT),
  chain_format: z.string(),
  organisation: z.string(),
  generated_at: z.string(),
  period: z.object({ from: z.string(), to: z.string(), basis: z.literal('triaged_at') }),
  chain_head_at_export: z.object({ count: z.number(), last_id: z.number(), last_hash: hex64 }),
  audit_segment: z.object({
    file: z.string(),
    first_id: z.number().int().nullable(),
    last_id: z.number().int().nullable(),
    count: z.number().int().min(0),
    anchor_prev_hash: hex64.nullable(),
    last_hash: hex64.nullable(),
    entries_in_period: z.number().int().min(0)
  }),
  csv: z.object({ encoding: z.literal('UTF-8'), bom: z.boolean(), record_delimiter: z.literal('CRLF'), cells: z.string() }),
  rulesets: z.array(z.object({ version: z.string(), name: z.string(), file: z.string() })),
  quarantine_resolutions: z
    .object({ file: z.string(), chain_format: z.string(), head: z.object({ count: z.number().int(), last_id: z.number().int(), last_hash: hex64 }) })
    .optional(),
  case_events: z
    .object({
      file: z.string(),
      chain_format: z.string(),
      head: z.object({ count: z.number().int(), last_id: z.number().int(), last_hash: hex64 }),
      evidence_file: z.string()
    })
    .optional(),
  governance_events: z
    .object({
      file: z.string(),
      chain_format: z.string(),
      head: z.object({ count: z.number().int(), last_id: z.number().int(), last_hash: hex64 }),
      delivery_silences_file: z.string()
    })
    .optional(),
  files: z.array(z.object({ path: z.string(), sha256: hex64, bytes: z.number().int(), rows: z.number().int().optional(), description: z.string() }))
})
