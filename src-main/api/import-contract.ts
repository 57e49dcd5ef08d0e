// The import's check before importing (issue 15): mapping suggestions in the preview, and validateImport's answer
// per file: what would be quarantined and why, and whether the same file was imported before.
import { z } from 'zod'

const transactionField = z.enum(['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'])

/** A column suggested for a field the mapping leaves unread, by a known header name, with sample values. */
export const mappingSuggestionSchema = z.object({ field: transactionField, column: z.string(), samples: z.array(z.string()) })

const fileCheckSchema = z.object({
  path: z.string(),
  name: z.string(),
  records: z.number(),
  /** records that would become alerts (some may then be duplicates of alerts in the trail) */
  alerts: z.number(),
  /** new quarantine records the import would write, by reason (most frequent first); more_reasons: records under further reasons */
  quarantined: z.number(),
  /** invalid records whose bytes the trail has quarantined before (or seen earlier in the file): repeats, not quarantined again */
  repeats: z.number(),
  reasons: z.array(z.object({ field: z.string().nullable(), reason: z.string(), count: z.number(), first: z.string() })),
  more_reasons: z.number(),
  /** the same bytes read with the same settings before: the import would count every record as a duplicate */
  already_imported: z.object({ run_id: z.number(), display_name: z.string(), imported_at: z.string(), records: z.number() }).nullable()
})

export const importCheckSchema = z.object({ files: z.array(fileCheckSchema) })
export type ImportCheckView = z.infer<typeof importCheckSchema>
