// The loopback peers in a process of their own (for bench/delivery.ts, so the peers do not share the measured
// process's event loop). Prints {"slack": port, "smtp": port} once listening; answers "count" on stdin with what it
// received; exits when stdin closes.
import { createInterface } from 'node:readline'
import { SlackPeer, SmtpPeer } from './peers.js'

const slack = await new SlackPeer().start()
const smtp = await new SmtpPeer().start()
process.stdout.write(`${JSON.stringify({ slack: slack.port, smtp: smtp.port })}\n`)
const lines = createInterface({ input: process.stdin })
lines.on('line', (l) => {
  if (l.trim() === 'count') process.stdout.write(`${JSON.stringify({ slack: slack.requests.length, email: smtp.accepted.length })}\n`)
  if (l.trim() === 'reset') {
    slack.requests = []
    smtp.accepted = []
    process.stdout.write('{}\n')
  }
})
lines.on('close', async () => {
  await slack.stop()
  await smtp.stop()
  process.exit(0)
})
