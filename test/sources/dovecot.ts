// A real Dovecot (Debian dovecot-imapd) for tests, on 127.0.0.1 in a temp folder: started, stopped and
// restarted on the same port, plain text (ssl = no), users from a passwd-file or tokens checked by an OAuth2
// introspection endpoint. Reusable by any test that needs an IMAP server.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ImapFlow } from 'imapflow'

export const DOVECOT = '/usr/sbin/dovecot'
export const hasDovecot = (): boolean => existsSync(DOVECOT)

export interface DovecotUser {
  user: string
  password: string
}

export interface DovecotOptions {
  users?: DovecotUser[]
  /** Check XOAUTH2/OAUTHBEARER tokens with this introspection URL (POST token=…) instead of passwords. */
  oauth2?: { introspectionUrl: string; usernameAttribute?: string }
  /** Leave IDLE out of the capabilities (imap_capability), for the NOOP polling path. */
  noIdle?: boolean
}

/** A port free now on 127.0.0.1 (Dovecot cannot listen on port 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export class Dovecot {
  readonly dir: string
  port = 0
  private child: ChildProcess | null = null
  readonly users: DovecotUser[]

  constructor(readonly opts: DovecotOptions = {}) {
    this.dir = mkdtempSync(join(tmpdir(), 'triage-dovecot-'))
    chmodSync(this.dir, 0o755) // Dovecot's auth process (user dovecot) reads the users file in it
    this.users = opts.users ?? [{ user: 'officer@example.test', password: 'secret' }]
  }

  get host(): string {
    return '127.0.0.1'
  }

  get conf(): string {
    return join(this.dir, 'dovecot.conf')
  }

  get log(): string {
    return existsSync(join(this.dir, 'dovecot.log')) ? readFileSync(join(this.dir, 'dovecot.log'), 'utf8') : ''
  }

  private writeConfig(): void {
    const d = this.dir
    mkdirSync(join(d, 'run/state'), { recursive: true })
    mkdirSync(join(d, 'mail'), { recursive: true })
    chownSync(join(d, 'mail'), 65534, 65534)
    writeFileSync(join(d, 'users'), this.users.map((u) => `${u.user}:{PLAIN}${u.password}::::::\n`).join(''))
    const passdb = this.opts.oauth2
      ? `passdb {\n  driver = oauth2\n  args = ${d}/oauth2.conf.ext\n}\n`
      : `passdb {\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u ${d}/users\n}\n`
    if (this.opts.oauth2)
      writeFileSync(
        join(d, 'oauth2.conf.ext'),
        [
          'tokeninfo_url =',
          `introspection_url = ${this.opts.oauth2.introspectionUrl}`,
          'introspection_mode = post',
          `username_attribute = ${this.opts.oauth2.usernameAttribute ?? 'username'}`,
          'active_attribute = active',
          'active_value = true',
          'force_introspection = yes',
          ''
        ].join('\n')
      )
    const conf = `base_dir = ${d}/run
state_dir = ${d}/run/state
log_path = ${d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = ${this.opts.oauth2 ? 'xoauth2 oauthbearer' : 'plain login'}
mail_location = maildir:~/Maildir
first_valid_uid = 1
${this.opts.noIdle ? 'imap_capability = IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE SORT UIDPLUS MOVE NAMESPACE UNSELECT CHILDREN SPECIAL-USE\n' : ''}${passdb}userdb {
  driver = static
  args = uid=nobody gid=nogroup home=${d}/mail/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${this.port}
  }
  inet_listener imaps {
    port = 0
  }
}
service stats {
  unix_listener stats-reader {
    mode = 0666
  }
  unix_listener stats-writer {
    mode = 0666
  }
}
`
    writeFileSync(this.conf, conf)
  }

  /** Starts it in the foreground as a child process (first time: on a free port; later: the same port). */
  async start(): Promise<void> {
    if (this.child) return
    if (!this.port) this.port = await freePort()
    this.writeConfig()
    const child = spawn(DOVECOT, ['-c', this.conf, '-F'], { stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()))
    this.child = child
    child.once('exit', () => {
      if (this.child === child) this.child = null
    })
    const deadline = Date.now() + 10_000
    for (;;) {
      if (!this.child) throw new Error(`dovecot exited: ${stderr}\n${this.log}`)
      if (await this.accepts()) return
      if (Date.now() > deadline) throw new Error(`dovecot did not listen on ${this.port}: ${stderr}\n${this.log}`)
      await new Promise((r) => setTimeout(r, 50))
    }
  }

  private accepts(): Promise<boolean> {
    return new Promise((resolve) => {
      const s = new Socket()
      s.once('connect', () => {
        s.destroy()
        resolve(true)
      })
      s.once('error', () => resolve(false))
      s.connect(this.port, '127.0.0.1')
    })
  }

  /** Stops it (its imap processes too, so open connections drop) and waits until the port is closed. */
  async stop(): Promise<void> {
    const child = this.child
    if (!child) return
    const exited = new Promise<void>((r) => child.once('exit', () => r()))
    // Its imap processes outlive the master here (shutdown_clients notwithstanding): killed too, as a server that
    // went down would drop them.
    const children = spawnSync('ps', ['-o', 'pid=', '--ppid', String(child.pid)], { encoding: 'utf8' })
      .stdout.split(/\s+/)
      .filter(Boolean)
      .map(Number)
    spawnSync(DOVECOT, ['-c', this.conf, 'stop'])
    const t = setTimeout(() => child.kill('SIGKILL'), 5000)
    await exited
    clearTimeout(t)
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    this.child = null
    const deadline = Date.now() + 5000
    while ((await this.accepts()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  }

  async restart(): Promise<void> {
    await this.stop()
    await this.start()
  }

  /** Stops it and removes its folder. */
  async dispose(): Promise<void> {
    await this.stop()
    rmSync(this.dir, { recursive: true, force: true })
  }

  /** An imapflow client for seeding and checking mailboxes (password users). */
  async client(user: DovecotUser = this.users[0]!): Promise<ImapFlow> {
    const c = new ImapFlow({
      host: '127.0.0.1',
      port: this.port,
      secure: false,
      doSTARTTLS: false,
      auth: { user: user.user, pass: user.password },
      logger: false,
      disableAutoIdle: true
    })
    c.on('error', () => {})
    await c.connect()
    return c
  }

  /** The Maildir of a user (files written to its new/ folder are delivered). */
  maildir(user = this.users[0]!.user): string {
    return join(this.dir, 'mail', user, 'Maildir')
  }
}

/** An RFC 822 message for tests. */
export function message(opts: {
  id: string
  subject?: string
  body?: string
  from?: string
  date?: Date
  attachments?: Array<{ name: string; type: string; content: string }>
}): string {
  const head = [
    `From: ${opts.from ?? 'Vendor Alerts <alerts@vendor.example>'}`,
    'To: officer@example.test',
    `Subject: ${opts.subject ?? `Alert ${opts.id}`}`,
    `Date: ${(opts.date ?? new Date('2026-11-24T10:00:00Z')).toUTCString().replace('GMT', '+0000')}`,
    `Message-ID: <${opts.id}>`,
    'MIME-Version: 1.0'
  ]
  const body = opts.body ?? `Alert ${opts.id}: unusual activity on account ACC-1.`
  if (!opts.attachments?.length) return [...head, 'Content-Type: text/plain; charset=utf-8', '', body, ''].join('\r\n')
  const b = `b-${opts.id.replace(/[^a-z0-9]/gi, '')}`
  const parts = [`--${b}`, 'Content-Type: text/plain; charset=utf-8', '', body]
  for (const a of opts.attachments)
    parts.push(
      `--${b}`,
      `Content-Type: ${a.type}; name="${a.name}"`,
      `Content-Disposition: attachment; filename="${a.name}"`,
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from(a.content).toString('base64').replace(/.{76}/g, '$&\r\n')
    )
  parts.push(`--${b}--`, '')
  return [...head, `Content-Type: multipart/mixed; boundary="${b}"`, '', ...parts].join('\r\n')
}
