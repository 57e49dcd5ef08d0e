// Profiling aid (not run by npm run bench): per-record cost of each engine step in isolation, on bench-data/transactions-200000.csv.
import { join, resolve } from 'node:path'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet, compileRuleSet } from '../src-main/core/classify/index.js'
import { createEngine, type Prepared } from '../src-main/core/pipeline.js'
import { FileTap, readSource } from '../src-main/core/ingest/index.js'
import { createNormalizer } from '../src-main/core/normalize/index.js'
import { createFingerprinter } from '../src-main/core/dedup/index.js'
import { contentHash } from '../src-main/core/audit/chain.js'
import type { RawRecord, Alert } from '../src-main/core/model.js'
const settings = defaultSettings()
const rs = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
const engine = createEngine(settings, rs)
const recs: RawRecord[] = []
for await (const r of readSource(new FileTap(resolve('bench-data', 'transactions-200000.csv')), 'x.csv', 'csv', engine.sources)) recs.push(r)
const N = recs.length
const t = (name: string, fn: () => void) => {
  for (let k = 0; k < 2; k++) {
    const s = performance.now()
    fn()
    const ms = performance.now() - s
    if (k) console.log(`${name.padEnd(24)} ${((ms * 1000) / N).toFixed(2)} µs/rec`)
  }
}
const normalize = createNormalizer({ timezone: { transaction: 'UTC', email: 'UTC' } })
const alerts: Alert[] = []
t('normalize (zod)', () => {
  alerts.length = 0
  for (const r of recs) {
    const n = normalize(r)
    if (n.ok) alerts.push(n.alert)
  }
})
const fp = createFingerprinter(settings.dedup.fields)
t('fingerprint', () => {
  for (const a of alerts) fp(a)
})
const classify = compileRuleSet(rs)
t('classify', () => {
  for (const a of alerts) classify(a, Date.parse(a.created_at))
})
t('JSON.stringify(alert)', () => {
  for (const a of alerts) JSON.stringify(a)
})
const prepared = recs.map((r) => engine.prepare(r)).filter((p) => p.type === 'alert') as Prepared[]
const now = Date.now(),
  iso = new Date(now).toISOString()
t('triage (all)', () => {
  for (const p of prepared) engine.triage(p, now, iso)
})
const entries = prepared.map((p) => engine.triage(p, now, iso).entry)
t('contentHash', () => {
  for (const e of entries) contentHash(e)
})
t('prepare (all)', () => {
  for (const r of recs) engine.prepare(r)
})
