// Electron main process entry. The shell lives in src-main/app; the engine never imports electron.
import { startApp } from './app/main.js'

startApp()
