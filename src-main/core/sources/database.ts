// The transaction-monitoring system's alert table as a live source (issue 12). Every interval the source runs the
// DBA's query with $1 = the last cursor value committed, maps each row to a transaction record exactly as a CSV
// row of the same values would be read, and hands the result over as one batch; the batch's cursor is the last
// row's cursor value. Nothing is acknowledged at the far end (the table is read-only to us): the committed cursor
// alone says what has been triaged, so a restart continues after it, nothing twice, nothing lost.
//
// The query's contract, as the settings' help says it to the DBA:
//   · exactly one parameter, $1: the cursor value of the last row triaged; on the very first read, the lowest
//     value of $1's type (the smallest integer, -infinity for numbers and timestamps, '' for text, the nil UUID),
//     so `where id > $1` reads from the beginning. To start elsewhere, say so in SQL:
//     `where id > greatest($1, 1000000)`. For a type without a known lowest value $1 is NULL on the first read,
//     and the query must handle `$1 IS NULL`.
//   · rows after $1 only (`>`, not `>=`), in cursor order (ORDER BY the cursor column), with a LIMIT: a result of
//     the LIMIT is a backlog, read at once batch after batch.
//   · the cursor column must be unique and only grow (an id from a sequence; a timestamp shared by two rows can
//     split across two results and one of them would be skipped). Rows with a cursor value below one already
//     read (a sequence value committed late) are not seen: read from a view that lags a few seconds when that
//     matters.
// Values are read as the server's text (DateStyle ISO, TimeZone UTC); a timestamptz reaches the normalizer as ISO
// 8601 with its offset, a timestamp without time zone as local time read in sources.csv.timezone, as in a CSV.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import pg from 'pg'
import type { RawRecord } from '../model.js'
import { DEFAULT_MAX_RECORD_BYTES, RAW_KEEP_BYTES } from '../ingest/bytes.js'
import { planHeader } from '../ingest/csv.js'
import { compareCursor, decodeCursor, encodeCursor, startValue } from './database-cursor.js'
import { redactSecrets, urlSecrets, whereIs } from './database-secrets.js'
import { csvLine, fieldValue } from './database-text.js'
import type { LiveSource, SourceBatch, SourceRunContext, SourceState, TestableSource } from './source.js'

export { databaseSourceSchema, type DatabaseSourceConfig } from './settings.js'
import type { DatabaseSourceConfig } from './settings.js'

/** TRIAGE_DB_URL_<NAME upper, non-alphanumerics as _>: where the URL comes from when the settings hold none. */
export const databaseUrlEnv = (name: string): string => `TRIAGE_DB_URL_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`

export interface DatabaseSourceOptions {
  /** Where TRIAGE_DB_URL_<NAME> is looked up (default process.env). */
  env?: Record<string, string | undefined>
  /** First and longest wait after a failure (default 1 s and 60 s; doubled per failure in a row). */
  backoffMs?: { min: number; max: number }
  /** A row bigger than this (bytes, as its CSV line) is one quarantine record (default as sources.csv). */
  maxRecordBytes?: number
  /** The server cancels a query running longer than this (default 120 s). */
  statementTimeoutMs?: number
}

// --- The source -------------------------------------------------------------------------------------------------

/** Each value as the server's text: the row's CSV line, the cursor and the normalizer all see what the DBA sees. */
const TEXT_TYPES: pg.CustomTypesConfig = { getTypeParser: (() => (v: string) => v) as unknown as pg.CustomTypesConfig['getTypeParser'] }

class SourceError extends Error {}
class CommitError extends Error {}

interface QueryPlan {
  /** $1's type (an OID) and the value it takes on the first read. */
  paramType: number
  start: string | null
}

interface Result {
  names: string[]
  types: number[]
  rows: Array<Array<string | null>>
}

export class DatabaseSource implements LiveSource, TestableSource {
  readonly id: string
  readonly label: string
  private readonly secrets: string[]
  private readonly url: string
  private readonly opts: Required<DatabaseSourceOptions>

  constructor(
    private readonly config: DatabaseSourceConfig,
    opts: DatabaseSourceOptions = {}
  ) {
    this.id = `database:${config.name}`
    this.label = `database ${config.name}`
    this.opts = {
      env: opts.env ?? process.env,
      backoffMs: opts.backoffMs ?? { min: 1000, max: 60_000 },
      maxRecordBytes: opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES,
      statementTimeoutMs: opts.statementTimeoutMs ?? 120_000
    }
    this.url = config.url || this.opts.env[databaseUrlEnv(config.name)] || ''
    this.secrets = urlSecrets(this.url, config.password)
  }

  private redact(e: unknown): string {
    const msg = e instanceof Error ? e.message || String(e) : String(e)
    return redactSecrets(msg, this.secrets)
  }

  private async connect(): Promise<pg.Client> {
    if (!this.url) throw new SourceError(`no database URL: set databases[${this.config.name}].url or ${databaseUrlEnv(this.config.name)}`)
    const tls = this.config.tls
    const ssl =
      tls === 'off'
        ? undefined
        : tls === 'require'
          ? { rejectUnauthorized: false }
          : { rejectUnauthorized: true, ...(this.config.ca_file ? { ca: readFileSync(this.config.ca_file, 'utf8') } : {}) }
    const client = new pg.Client({
      connectionString: this.url,
      ...(this.config.password ? { password: this.config.password } : {}),
      ...(ssl ? { ssl } : {}),
      types: TEXT_TYPES,
      application_name: 'triage-desk-source',
      // Read-only: the server refuses any write, even one a query smuggles in. ISO dates in UTC: the text the
      // normalizer and the cursor comparison rely on, whatever the role's own DateStyle and TimeZone.
      options: '-c default_transaction_read_only=on -c DateStyle=ISO,MDY -c TimeZone=UTC -c IntervalStyle=iso_8601',
      statement_timeout: this.opts.statementTimeoutMs,
      connectionTimeoutMillis: 10_000,
      keepAlive: true
    })
    client.on('error', () => {}) // a dropped connection fails the next query, which is retried
    try {
      await client.connect()
    } catch (e) {
      await client.end().catch(() => {})
      throw e
    }
    return client
  }

  /** Checks the query has exactly one parameter and learns its type (PREPARE, without running the query). */
  private async plan(c: pg.Client): Promise<QueryPlan> {
    await c.query(`PREPARE triage_desk_probe AS ${this.config.query.replace(/;\s*$/, '')}`)
    try {
      const r = await c.query<{ types: string }>("SELECT parameter_types::oid[]::text AS types FROM pg_prepared_statements WHERE name = 'triage_desk_probe'")
      const types = (r.rows[0]?.types ?? '{}').replace(/[{}]/g, '').split(',').filter(Boolean).map(Number)
      if (types.length !== 1) throw new SourceError(`the query takes ${types.length} parameters; it must take exactly one, $1 (the cursor value)`)
      return { paramType: types[0]!, start: startValue(types[0]!) }
    } finally {
      await c.query('DEALLOCATE triage_desk_probe').catch(() => {})
    }
  }

  private async select(c: pg.Client, value: string | null): Promise<Result> {
    const r = await c.query<unknown[]>({ text: this.config.query, values: [value], rowMode: 'array' })
    return { names: r.fields.map((f) => f.name), types: r.fields.map((f) => f.dataTypeID), rows: r.rows as Array<Array<string | null>> }
  }

  private cursorIndex(names: string[]): number {
    const want = this.config.cursor.toLowerCase()
    const i = names.findIndex((n) => n.toLowerCase() === want)
    if (i < 0) throw new SourceError(`the query returns no cursor column ${this.config.cursor} (columns: ${names.join(', ')})`)
    return i
  }

  /** The result as one batch (and its last cursor value), or a SourceError when its rows cannot be cursored. */
  private toBatch(res: Result, after: string | null): { batch: SourceBatch; last: string } {
    const ci = this.cursorIndex(res.names)
    const ctype = res.types[ci]!
    const plan = planHeader(res.names, this.config.columns)
    const col = this.config.cursor
    const records: RawRecord[] = []
    let prev = after
    for (const [n, row] of res.rows.entries()) {
      const cv = row[ci]
      if (cv === null || cv === undefined)
        throw new SourceError(
          `row ${n + 1} of the result has no value in the cursor column ${col}; the query must leave such rows out (where ${col} is not null)`
        )
      if (prev !== null) {
        const cmp = compareCursor(ctype, prev, cv)
        if (cmp !== null && cmp >= 0)
          throw new SourceError(
            n === 0 && prev === after
              ? `the query returned ${col}=${cv}, not after the cursor ${col}=${after}: it must select only the rows after $1 (${col} > $1)`
              : `the rows are not in cursor order (${col}=${cv} after ${col}=${prev}): the query must ORDER BY ${col}`
          )
      }
      prev = cv
      records.push(this.record(plan, res, row, `${col}=${cv}`))
    }
    const last = res.rows.at(-1)![ci]!
    return { batch: { records, cursor: encodeCursor(ctype, last), label: this.label, header: csvLine(res.names) }, last }
  }

  private record(plan: ReturnType<typeof planHeader>, res: Result, row: Array<string | null>, locator: string): RawRecord {
    const origin = { file: this.label, locator }
    const raw = csvLine(row)
    const bytes = Buffer.from(raw, 'utf8')
    const sha256 = createHash('sha256').update(bytes).digest('hex')
    if (bytes.length > this.opts.maxRecordBytes) {
      const kept = bytes.subarray(0, RAW_KEEP_BYTES).toString('utf8')
      return {
        kind: 'transaction',
        origin,
        raw: kept,
        fields: {},
        readError: {
          field: null,
          message: `row of ${bytes.length} bytes (as a CSV line) is over the ${this.opts.maxRecordBytes}-byte limit; its first ${RAW_KEEP_BYTES} bytes, size and SHA-256 are kept`
        },
        rawFacts: { size: bytes.length, sha256, truncated: true }
      }
    }
    const fields: Record<string, unknown> = {}
    for (const [i, f] of plan.known) fields[f] = fieldValue(f, res.types[i]!, row[i] ?? null)
    const extra: Record<string, string> = {}
    for (const [i, h] of plan.extra) {
      const v = row[i] ?? ''
      // A column named __proto__ is data like any other: define it, do not set the prototype.
      if (h === '__proto__') Object.defineProperty(extra, h, { value: v, enumerable: true, writable: true, configurable: true })
      else extra[h] = v
    }
    const rec: RawRecord = { kind: 'transaction', origin, raw, fields, extra, rawFacts: { size: bytes.length, sha256, truncated: false } }
    if (plan.missingRequired.length) {
      const f = plan.missingRequired[0]!
      rec.readError = {
        field: f,
        message: `the query returns no column for ${f} (columns: ${res.names.join(', ')}); map it in databases[${this.config.name}].columns`
      }
    }
    return rec
  }

  async run(ctx: SourceRunContext): Promise<void> {
    const { signal } = ctx
    let cursor: string | null
    let state: SourceState | null = null
    const setState = (status: SourceState['status'], last_error: string | null, backlog: number | null) => {
      if (state && state.status === status && state.last_error === last_error && state.backlog === backlog) return
      state = { status, since: state?.status === status ? state.since : new Date().toISOString(), last_error, backlog }
      ctx.onState(state)
    }
    setState('waiting', null, null)
    try {
      cursor = decodeCursor(ctx.cursor)
    } catch (e) {
      // Nothing sensible to read after: wait for the cursor to be reset, saying why.
      setState('failing', this.redact(e), null)
      ctx.log.error('source.database.cursor', { source: this.id, error: this.redact(e) })
      await sleep(Number.POSITIVE_INFINITY, signal)
      return
    }

    let client: pg.Client | null = null
    let plan: QueryPlan | null = null
    let failures = 0
    const drop = () => {
      const c = client
      client = null
      plan = null
      if (c) void c.end().catch(() => {})
    }
    // Shutdown ends a query in flight (its rows are not committed, the cursor stays); a batch in onBatch is awaited.
    let inBatch = false
    const onAbort = () => {
      if (!inBatch) drop()
    }
    signal.addEventListener('abort', onAbort, { once: true })
    try {
      while (!signal.aborted) {
        let wait = this.config.interval_seconds * 1000
        try {
          if (!client) {
            client = await this.connect()
            if (signal.aborted) break
            ctx.log.info('source.database.connected', { source: this.id, database: whereIs(this.url) })
          }
          plan ??= await this.plan(client)
          const res = await this.select(client, cursor ?? plan.start)
          if (signal.aborted) break
          if (res.rows.length === 0) {
            setState('connected', null, 0)
          } else {
            const { batch, last } = this.toBatch(res, cursor)
            inBatch = true
            try {
              await ctx.onBatch(batch)
            } catch (e) {
              // Not committed: keep the cursor, read the same rows again after a pause.
              throw new CommitError(
                `the rows after ${cursor === null ? 'the start' : `${this.config.cursor}=${cursor}`} could not be committed: ${this.redact(e)}`
              )
            } finally {
              inBatch = false
            }
            cursor = last
            setState('connected', null, null)
            // A non-empty result may mean more is waiting (a full LIMIT certainly does): ask again at once.
            wait = 0
          }
          failures = 0
        } catch (e) {
          if (signal.aborted) break
          const message = this.redact(e)
          failures++
          wait = Math.min(this.opts.backoffMs.max, this.opts.backoffMs.min * 2 ** Math.min(failures - 1, 20))
          setState('failing', message, null)
          ctx.log.warn('source.database.failing', { source: this.id, error: message, retry_in_ms: wait })
          // The server said no (syntax, a missing table, a permission) or the rows cannot be cursored: plan again
          // on the same connection, the table may change. Anything else (a lost connection): connect again.
          if (e instanceof CommitError) {
            // the store's problem: the connection and plan are fine
          } else if (e instanceof SourceError || e instanceof pg.DatabaseError) plan = null
          else drop()
        }
        if (wait > 0) await sleep(wait, signal)
      }
    } finally {
      signal.removeEventListener('abort', onAbort)
      drop()
    }
  }

  /** Settings' "Test connection": runs the query once (from the start) in a transaction that is rolled back. */
  async test(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    let client: pg.Client | null = null
    const onAbort = () => void client?.end().catch(() => {})
    signal?.addEventListener('abort', onAbort, { once: true })
    try {
      client = await this.connect()
      await client.query('BEGIN READ ONLY')
      const plan = await this.plan(client)
      const res = await this.select(client, plan.start)
      await client.query('ROLLBACK')
      const names = res.names
      const lower = names.map((n) => n.toLowerCase())
      const problems: string[] = []
      if (!lower.includes(this.config.cursor.toLowerCase())) problems.push(`no cursor column ${this.config.cursor}`)
      for (const f of ['txn_id', 'created_at'] as const) {
        const want = this.config.columns[f] ?? f
        if (!lower.includes(want.toLowerCase())) problems.push(`no column ${want} for ${f}${this.config.columns[f] ? '' : ` (map it in columns.${f})`}`)
      }
      const found = `${res.rows.length} row${res.rows.length === 1 ? '' : 's'} from the start, columns: ${names.join(', ')}`
      if (problems.length) return { ok: false, message: `connected to ${whereIs(this.url)}; the query returned ${found}; but ${problems.join('; ')}` }
      const start = plan.start === null ? 'NULL (the query must handle $1 IS NULL)' : JSON.stringify(plan.start)
      return {
        ok: true,
        message: `connected to ${whereIs(this.url)} (read-only); the query returned ${found}; cursor ${this.config.cursor}, first read with $1 = ${start}`
      }
    } catch (e) {
      return { ok: false, message: signal?.aborted ? 'cancelled' : this.redact(e) }
    } finally {
      signal?.removeEventListener('abort', onAbort)
      await (client as pg.Client | null)?.end().catch(() => {})
    }
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve()
    const t = Number.isFinite(ms) ? setTimeout(done, ms) : null
    function done() {
      if (t) clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })
}
