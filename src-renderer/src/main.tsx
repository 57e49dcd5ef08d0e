import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import './ui/index.js'
import './app.css'
import { App } from './App.js'
import { LiveProvider } from './live.js'

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <LiveProvider>
      <App />
    </LiveProvider>
  </StrictMode>
)
