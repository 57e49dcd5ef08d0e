// What a send attempt tells the dispatcher. `uncertain` is the honest answer when the peer may have received the
// message but we did not hear so (a timeout or a dropped connection after the message went out): it is never retried.
export type SendResult =
  | { ok: true; httpStatus: number | null; smtpResponse: string | null; note: string | null }
  | {
      ok: false
      uncertain: boolean
      /** retrying cannot help (bad token, unknown channel, mailbox refused): dead-letter now, fallback now */
      permanent: boolean
      error: string
      httpStatus: number | null
      smtpResponse: string | null
      retryAfterMs: number | null
    }

export const failed = (error: string, o: Partial<Extract<SendResult, { ok: false }>> = {}): SendResult => ({
  ok: false,
  uncertain: false,
  permanent: false,
  error,
  httpStatus: null,
  smtpResponse: null,
  retryAfterMs: null,
  ...o
})
