// The engine's utilityProcess entry (a build input in electron.vite.config.ts): the triage engine and the API
// handlers run here, off the main process, so a long import never freezes the window or the tray.
import { runEngine } from './engine-runtime.js'

const port = process.parentPort
runEngine({
  onMessage: (listener) => port.on('message', (e) => listener(e.data)),
  post: (message) => port.postMessage(message),
  exit: (code) => process.exit(code)
})
