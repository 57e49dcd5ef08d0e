// The main process's IPC: it relays the window's API calls to the engine after checking who sent them and
// validating method and input with the contract's zod schemas. It never does the work itself.
import { dialog, ipcMain, shell, type BrowserWindow, type IpcMainInvokeEvent } from 'electron'
import { join } from 'node:path'
import { z } from 'zod'
import { IPC, type Method, type Reply } from '../api/contract.js'
import { lookupExport } from '../api/exports-path.js'
import { appDataDir } from '../core/config/index.js'
import { checkCall, isTrustedSender } from './ipc-validation.js'

/** Methods that take the engine's run lock: the schedule waits for them. */
const RUN_METHODS: ReadonlySet<Method> = new Set(['runNow', 'importFiles', 'loadSampleData'])

export interface IpcDeps {
  appOrigins: readonly string[]
  call(method: Method, input: unknown): Promise<Reply>
  /** Tells the schedule a run started from the window; returns the function that says it ended. */
  beginRun(): () => void
  window(): BrowserWindow | null
  log(level: 'warn', event: string, fields?: Record<string, unknown>): void
}

const refused = (message: string): Reply => ({ ok: false, error: { code: 'invalid_input', message } })
/** chooseFolder takes no argument: the window cannot steer the dialog (title, default path). */
const chooseFolderArgs = z.tuple([])
/** showInFolder takes one path, which must be under the exports folder (checked again after resolving symlinks). */
const showInFolderArgs = z.tuple([z.string().min(1).max(4096)])

export function registerIpc(deps: IpcDeps): void {
  const trusted = (event: IpcMainInvokeEvent, channel: string) => {
    const url = event.senderFrame?.url
    if (isTrustedSender(url, deps.appOrigins)) return true
    deps.log('warn', 'ipc.untrusted_sender', { channel, url: url?.slice(0, 200) ?? null })
    return false
  }

  ipcMain.handle(IPC.invoke, async (event, method: unknown, input: unknown): Promise<Reply> => {
    if (!trusted(event, IPC.invoke)) return refused('calls are accepted only from the Triage Desk window')
    const checked = checkCall(method, input)
    if (!checked.ok) {
      deps.log('warn', 'ipc.invalid_call', { message: checked.reply.error.message })
      return checked.reply
    }
    const ended = RUN_METHODS.has(checked.method) ? deps.beginRun() : null
    try {
      return await deps.call(checked.method, checked.input)
    } finally {
      ended?.()
    }
  })

  ipcMain.handle(IPC.chooseFolder, async (event, ...args: unknown[]): Promise<string | null> => {
    if (!trusted(event, IPC.chooseFolder) || !chooseFolderArgs.safeParse(args).success) return null
    const win = deps.window()
    const options = { title: 'Choose the inbox folder', properties: ['openDirectory', 'createDirectory'] as Array<'openDirectory' | 'createDirectory'> }
    const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options)
    return r.canceled ? null : (r.filePaths[0] ?? null)
  })

  ipcMain.handle(IPC.showInFolder, async (event, ...args: unknown[]): Promise<boolean> => {
    const parsed = showInFolderArgs.safeParse(args)
    if (!trusted(event, IPC.showInFolder) || !parsed.success) return false
    const found = lookupExport(join(appDataDir(), 'exports'), parsed.data[0], { absolute: true })
    if (!found.ok) {
      deps.log('warn', 'ipc.show_in_folder_refused', { message: found.message.slice(0, 300) })
      return false
    }
    shell.showItemInFolder(found.path)
    return true
  })
}
