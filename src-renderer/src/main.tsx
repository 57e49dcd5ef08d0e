import { createRoot } from 'react-dom/client'

function App() {
  return <main style={{ fontFamily: 'system-ui', padding: 24 }}><h1>Triage Desk</h1><p>The desktop screens arrive with the desktop-app work.</p></main>
}

createRoot(document.getElementById('root')!).render(<App />)
