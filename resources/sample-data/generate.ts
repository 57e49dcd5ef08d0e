// Deterministic (seeded) sample data shaped like real inputs: transaction-monitoring CSV exports and vendor
// mailbox exports, with duplicates and bad rows on purpose. Used for the bundled demo set and the benchmark.
//   npx tsx resources/sample-data/generate.ts            → rewrites resources/sample-data/inbox
//   npx tsx resources/sample-data/generate.ts 1000000 out.csv → a large CSV for benchmarks
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export function rng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const COUNTRIES = ['GB', 'US', 'DE', 'FR', 'NL', 'CH', 'SG', 'AE', 'NG', 'RU', 'PA', 'KY', 'IR', 'BR', 'IN', 'JP']
const CURRENCIES = ['USD', 'EUR', 'GBP', 'CHF', 'SGD']
const TYPES = ['wire', 'card', 'ach', 'cash', 'crypto', 'sepa']
const BASE = Date.UTC(2026, 10, 24, 6, 0, 0) // 2026-11-24T06:00:00Z

export const CSV_HEADER = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,branch'

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

/** One transaction row (without newline). Row i is always the same for the same seed. */
export function transactionRow(i: number, r: () => number): string {
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]!
  const amount = (r() < 0.1 ? 50_000 + r() * 450_000 : r() * 20_000).toFixed(2)
  const risk = Math.floor(r() ** 1.6 * 101)
  const created = new Date(BASE + Math.floor(r() * 20 * 3600_000)).toISOString()
  return [
    `T${String(i).padStart(8, '0')}`,
    `C${String(Math.floor(r() * 50_000)).padStart(6, '0')}`,
    amount,
    pick(CURRENCIES),
    pick(COUNTRIES),
    pick(TYPES),
    String(risk),
    created,
    csvCell(pick(['London', 'New York', 'Zurich, CH', 'Singapore']))
  ].join(',')
}

/** Streams n rows to a CSV file; every `dupEvery`-th row repeats an earlier one (0: none). */
export async function writeTransactionsCsv(path: string, n: number, seed = 42, dupEvery = 0): Promise<void> {
  mkdirSync(dirname(path), { recursive: true })
  const out = createWriteStream(path)
  const r = rng(seed)
  const write = (s: string) => (out.write(s) ? Promise.resolve() : new Promise<void>((ok) => out.once('drain', ok)))
  await write(`${CSV_HEADER}\n`)
  let buf = ''
  let last = ''
  for (let i = 1; i <= n; i++) {
    const row = dupEvery && i % dupEvery === 0 && last ? last : transactionRow(i, r)
    last = row
    buf += `${row}\n`
    if (buf.length > 1 << 16) {
      await write(buf)
      buf = ''
    }
  }
  await write(buf)
  await new Promise<void>((ok, ko) => out.end((e?: Error | null) => (e ? ko(e) : ok())))
}

const VENDORS = ['alerts@complyadvantage.example', 'noreply@refinitiv-worldcheck.example', 'monitor@lexisnexis-bridger.example', 'alerts@dowjones-rc.example']
const SUBJECTS: Array<[string, string | null, string]> = [
  ['Sanctions list match: Ivan Petrov', 'critical', 'Name screening matched an OFAC SDN entry (score 0.97). Customer C004211. Please review within 15 minutes.'],
  ['High-risk jurisdiction payment flagged', null, 'Outgoing wire of 84,000 USD to a beneficiary bank in Panama. Customer C010933.'],
  ['Suspicious structuring pattern', 'medium', 'Nine cash deposits of 9,500 EUR over six days at three branches. Customer C033210.'],
  ['Adverse media hit', 'High', 'Customer C002871 appears in a news article about a fraud investigation.'],
  ['PEP screening result', null, 'Beneficial owner identified as a PEP (Minister of Finance, 2019-2023). Enhanced due diligence required.'],
  ['Daily screening summary', 'low', 'Screening run completed: 14,203 names screened, 0 new matches.'],
  ['Watchlist update available', '', 'The consolidated watchlist was updated. No action needed.'],
  ['Unusual login location', 'MEDIUM', 'Customer C045001 logged in from two countries within an hour.'],
  ['Potential sanctions evasion via shell company', null, 'Counterparty registered in the Cayman Islands shares a director with a sanctioned entity.'],
  ['Possible politically exposed person onboarding', null, 'New customer C049912 may be a politically exposed person: spouse of a member of parliament.']
]

export function mailboxExport(n: number, seed = 7): unknown[] {
  const r = rng(seed)
  const out: unknown[] = []
  for (let i = 1; i <= n; i++) {
    const [subject, hint, body] = SUBJECTS[Math.floor(r() * SUBJECTS.length)]!
    out.push({
      message_id: `<${seed}.${i}.${Math.floor(r() * 1e9)}@vendor.example>`,
      vendor: VENDORS[Math.floor(r() * VENDORS.length)],
      subject: `${subject} #${1000 + i}`,
      body,
      severity_hint: hint,
      created_at: new Date(BASE + Math.floor(r() * 20 * 3600_000)).toISOString()
    })
  }
  return out
}

/** The bundled demo inbox: 30 vendor e-mails and 50 transactions, with duplicates and bad rows. */
export function writeSampleInbox(dir: string): void {
  mkdirSync(dir, { recursive: true })
  // 26 good e-mails, 2 re-sent copies (duplicates) and 2 bad ones.
  const mails = mailboxExport(26) as Array<Record<string, unknown>>
  mails.push({ ...mails[0]!, message_id: '<resend-1@vendor.example>' }) // same alert re-sent by the vendor
  mails.push({ ...mails[3]! }) // same message exported twice
  mails.push({ message_id: '<bad-1@vendor.example>', vendor: VENDORS[0], subject: 'Screening alert', body: 'x', severity_hint: null, created_at: '24/11/2026 10:00' })
  mails.push({ message_id: '<bad-2@vendor.example>', vendor: VENDORS[1], subject: '', body: 'subject missing', severity_hint: 'high', created_at: '2026-11-24T09:00:00Z' })
  writeFileSync(join(dir, 'vendor-mail-2026-11-24.json'), `${JSON.stringify(mails, null, 2)}\n`)

  // 45 good transactions, 2 exact repeats, 3 bad rows.
  const r = rng(42)
  const rows = Array.from({ length: 45 }, (_, i) => transactionRow(i + 1, r))
  rows.splice(10, 0, rows[2]!) // a duplicate inside the same export
  rows.splice(30, 0, rows[20]!)
  rows.splice(5, 0, 'T90000001,C000001,12O00.00,USD,GB,wire,55,2026-11-24T10:00:00Z,London') // letter O in the amount
  rows.splice(15, 0, 'T90000002,C000002,500.00,USD,GB,card,140,2026-11-24T10:05:00Z,London') // risk score out of range
  rows.splice(25, 0, ',C000003,900.00,EUR,DE,sepa,20,2026-11-24T10:10:00Z,Zurich') // txn_id missing
  writeFileSync(join(dir, 'transactions-2026-11-24.csv'), `${CSV_HEADER}\r\n${rows.join('\r\n')}\r\n`)
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const [n, out] = process.argv.slice(2)
  if (n && out) await writeTransactionsCsv(out, Number(n))
  else writeSampleInbox(join(dirname(fileURLToPath(import.meta.url)), 'inbox'))
}
