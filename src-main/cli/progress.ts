// A progress line on stderr, only when stderr is a terminal.
export class ProgressBar {
  private last = 0
  private readonly started = Date.now()
  private readonly enabled: boolean

  constructor(
    private readonly label: string,
    enabled = Boolean(process.stderr.isTTY)
  ) {
    this.enabled = enabled
  }

  update(records: number, detail = ''): void {
    if (!this.enabled) return
    const now = Date.now()
    if (now - this.last < 100) return
    this.last = now
    const secs = Math.max(0.001, (now - this.started) / 1000)
    const rate = Math.round(records / secs)
    const spin = '⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏'[Math.floor(now / 100) % 10]
    const line = `${spin} ${this.label} ${records.toLocaleString('en-US')} records · ${rate.toLocaleString('en-US')} rows/s ${detail}`
    process.stderr.write(`\r\x1b[2K${line.slice(0, (process.stderr.columns ?? 100) - 1)}`)
  }

  done(): void {
    if (this.enabled) process.stderr.write('\r\x1b[2K')
  }
}
