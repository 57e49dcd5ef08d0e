// `npm start` with port 5173 taken (another app's dev server) stops with an error instead of moving to 5174:
// electron-vite tells the window the configured port, so a moved server meant the window showed the other app.
import { createServer as createNetServer, type Server } from 'node:net'
import { createServer } from 'vite'
import { afterEach, describe, expect, it } from 'vitest'
import config from '../../electron.vite.config.js'

let busy: Server | null = null
afterEach(() => new Promise<void>((r) => (busy ? busy.close(() => r()) : r())))

describe('renderer dev server', () => {
  it('refuses a busy port rather than silently taking the next one', async () => {
    const renderer = (config as { renderer: { root: string; server: { port: number; strictPort: boolean } } }).renderer
    expect(renderer.server.port).toBe(5173)
    // The config's server options on a port this test holds (5173 itself may be a colleague's dev server).
    busy = createNetServer()
    const port = await new Promise<number>((r) => busy!.listen(0, '127.0.0.1', () => r((busy!.address() as { port: number }).port)))
    const server = await createServer({ configFile: false, root: renderer.root, logLevel: 'silent', server: { ...renderer.server, port, host: '127.0.0.1' } })
    try {
      await expect(server.listen()).rejects.toThrow(new RegExp(`Port ${port} is already in use`))
    } finally {
      await server.close()
    }
  })
})
