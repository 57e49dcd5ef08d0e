import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'
import react from '@vitejs/plugin-react'

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: resolve(__dirname, 'src-main/index.ts'),
          // The engine runs in an Electron utilityProcess so long imports never block the window.
          engine: resolve(__dirname, 'src-main/app/engine-process.ts'),
          // Large files are prepared in a worker thread (src-main/core/pipeline-thread.ts looks for this file).
          'pipeline-worker': resolve(__dirname, 'src-main/core/pipeline-worker.ts'),
          // Backtests of a draft rule set run in a worker thread (src-main/store/backtest-thread.ts looks for this file).
          'backtest-worker': resolve(__dirname, 'src-main/store/backtest-worker.ts')
        }
      }
    }
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rolldownOptions: {
        input: { preload: resolve(__dirname, 'src-main/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' } // a sandboxed preload must be CommonJS
      }
    }
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    // A busy 5173 is an error, not a silent move to 5174: the window, the CSP and the navigation rules are all
    // derived from the dev server's URL, and another app's server on 5173 would otherwise be what the window shows.
    server: { port: 5173, strictPort: true },
    build: {
      outDir: resolve(__dirname, 'out/renderer'),
      rolldownOptions: { input: { index: resolve(__dirname, 'src-renderer/index.html') } }
    },
    plugins: [react()]
  }
})
