// The preload bridge: exposes one narrow, typed API to the renderer (filled in by the desktop-app work).
import { contextBridge } from 'electron'

contextBridge.exposeInMainWorld('triageDesk', { version: 1 })
