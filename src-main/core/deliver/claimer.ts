// Who holds a delivery while it is being sent. A claim names its process, so a restart can tell a claim whose
// process died (the message may or may not have left: uncertain) from one a live process is still working on.
import { randomBytes } from 'node:crypto'
import { hostname } from 'node:os'

/** Who claims deliveries: one id per process ("<host>:<pid>:<random>"), shared by every drain in it. */
export const PROCESS_CLAIMER = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A claimer is gone when it ran on this host and its process is dead (or is an earlier process with our pid). */
export function claimerGone(claimedBy: string, self = PROCESS_CLAIMER): boolean {
  const parts = claimedBy.split(':')
  const token = parts.pop()
  const pid = Number(parts.pop())
  const host = parts.join(':')
  const [selfHost, selfPid] = self.split(':')
  if (host !== selfHost || !Number.isInteger(pid)) return false // another machine: only the claim's age can tell
  if (pid === Number(selfPid)) return `${host}:${pid}:${token}` !== self
  return !processAlive(pid)
}
