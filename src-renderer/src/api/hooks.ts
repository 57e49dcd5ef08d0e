// Small data hooks over the client: load a method's result, reload it on events, subscribe to events.
import { useCallback, useEffect, useRef, useState } from 'react'
import { ApiCallError, call, onEvent, type ApiEvent, type Input, type Method, type Output } from './client.js'

export interface Loaded<T> {
  data: T | null
  error: string | null
  loading: boolean
  reload(): void
}

/** Loads `method(input)`; reloads when `key` changes or when one of `reloadOn` events arrives. */
export function useApi<M extends Method>(
  method: M,
  input: Input<M>,
  opts: { key?: string; reloadOn?: ApiEvent['type'][]; skip?: boolean } = {}
): Loaded<Output<M>> {
  const [data, setData] = useState<Output<M> | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [loading, setLoading] = useState(!opts.skip)
  const [tick, setTick] = useState(0)
  const inputRef = useRef(input)
  inputRef.current = input
  const key = opts.key ?? JSON.stringify(input)

  useEffect(() => {
    if (opts.skip) return
    let live = true
    setLoading(true)
    call(method, inputRef.current)
      .then((d) => live && (setData(d), setError(null)))
      .catch((e: unknown) => live && setError(e instanceof ApiCallError ? e.message : String(e)))
      .finally(() => live && setLoading(false))
    return () => {
      live = false
    }
  }, [method, key, tick, opts.skip])

  const reloadOn = (opts.reloadOn ?? []).join(',')
  useEffect(() => {
    if (!reloadOn) return
    const types = new Set(reloadOn.split(','))
    return onEvent((e) => types.has(e.type) && setTick((t) => t + 1))
  }, [reloadOn])

  const reload = useCallback(() => setTick((t) => t + 1), [])
  return { data, error, loading, reload }
}

export function useEvent(handler: (e: ApiEvent) => void): void {
  const ref = useRef(handler)
  ref.current = handler
  useEffect(() => onEvent((e) => ref.current(e)), [])
}

export const errorText = (e: unknown) => (e instanceof ApiCallError ? e.message : e instanceof Error ? e.message : String(e))
