// Amounts with their currency's decimals, the one formatter of the program: every screen, the reports, delivery
// messages and the alert title show an amount through formatAmount ("35,871.00 USD", "1,200 JPY", "12.345 BHD").
// Browser-safe (Intl only): the renderer imports it too.
//
// A currency's decimals are its ISO 4217 minor units as Intl knows them (JPY 0, USD 2, BHD 3). An amount never loses
// digits to them: 12.3456 USD is shown "12.3456 USD", not rounded. A code Intl does not know (or no currency) shows
// the amount with its own decimals.

let names: Intl.DisplayNames | null = null
/** Whether Intl knows the code as a currency (its name is known: USD yes, the funds code CLF yes, XYZ no). */
function isKnownCurrency(code: string): boolean {
  names ??= new Intl.DisplayNames('en', { type: 'currency', fallback: 'none' })
  return names.of(code) !== undefined
}

const unitsCache = new Map<string, number | null>()

/** The currency's minor units (JPY 0, USD 2, BHD 3); null for a code Intl does not know. */
export function minorUnits(currency: string): number | null {
  const code = currency.trim().toUpperCase()
  let u = unitsCache.get(code)
  if (u === undefined) {
    u = null
    if (/^[A-Z]{3}$/.test(code) && isKnownCurrency(code)) {
      u = new Intl.NumberFormat('en', { style: 'currency', currency: code }).resolvedOptions().maximumFractionDigits ?? null
    }
    unitsCache.set(code, u)
  }
  return u
}

/** How many decimals the number itself has (1.5 → 1, 2e-7 → 7), at most 20. */
function ownDecimals(n: number): number {
  const s = String(Math.abs(n))
  const e = s.indexOf('e-')
  if (e >= 0) {
    const mantissa = s.slice(0, e)
    const dot = mantissa.indexOf('.')
    return Math.min(20, Number(s.slice(e + 2)) + (dot < 0 ? 0 : mantissa.length - dot - 1))
  }
  const dot = s.indexOf('.')
  return dot < 0 ? 0 : Math.min(20, s.length - dot - 1)
}

const formatters = new Map<number, Intl.NumberFormat>()
function grouped(n: number, decimals: number): string {
  let f = formatters.get(decimals)
  if (!f) {
    f = new Intl.NumberFormat('en-GB', { minimumFractionDigits: decimals, maximumFractionDigits: decimals, useGrouping: true })
    formatters.set(decimals, f)
  }
  return f.format(n)
}

/** The amount with its currency's decimals and its code: "35,871.00 USD"; without a currency, the number alone. */
export function formatAmount(amount: number, currency: string | null | undefined): string {
  if (!Number.isFinite(amount)) return `${String(amount)}${currency ? ` ${currency}` : ''}`
  const units = currency ? minorUnits(currency) : null
  const decimals = Math.max(units ?? 0, ownDecimals(amount))
  return `${grouped(amount, decimals)}${currency ? ` ${currency}` : ''}`
}
