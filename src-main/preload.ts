// The preload bridge: the renderer gets exactly one narrow object, window.triageDesk (shape: TriageDeskBridge in
// the API contract). No Node, no ipcRenderer, no Electron object crosses the bridge; main validates every call.
import { contextBridge, ipcRenderer, webUtils } from 'electron'
import type { IPC as ContractIPC, TriageDeskBridge } from './api/contract.js'

// Spelled out instead of imported: importing the contract would bundle zod into this sandboxed script.
const IPC = {
  invoke: 'triage:invoke',
  event: 'triage:event',
  chooseFolder: 'triage:choose-folder',
  showInFolder: 'triage:show-in-folder'
} as const satisfies typeof ContractIPC

type Listener = Parameters<TriageDeskBridge['onEvent']>[0]
type BridgeEvent = Parameters<Listener>[0]

const listeners = new Set<Listener>()
/** A navigate event that arrives before the page subscribed (the window was just opened by a notification). */
let early: BridgeEvent[] = []

ipcRenderer.on(IPC.event, (_event, payload: BridgeEvent) => {
  if (listeners.size === 0) {
    if ((payload as { type?: unknown })?.type === 'navigate') early = [...early.slice(-4), payload]
    return
  }
  for (const l of listeners) l(payload)
})

const bridge: TriageDeskBridge = {
  invoke: (method, input) => ipcRenderer.invoke(IPC.invoke, method, input),
  onEvent(cb) {
    if (typeof cb !== 'function') throw new TypeError('onEvent expects a function')
    listeners.add(cb)
    const pending = early
    early = []
    for (const e of pending) queueMicrotask(() => cb(e))
    return () => {
      listeners.delete(cb)
    }
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
  chooseFolder: () => ipcRenderer.invoke(IPC.chooseFolder),
  showInFolder: (path) => ipcRenderer.invoke(IPC.showInFolder, path)
}

contextBridge.exposeInMainWorld('triageDesk', bridge)
