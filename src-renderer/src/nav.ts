// The screens in the sidebar, in order, with their Alt+N keys: the sidebar, the shortcut help and the desktop
// app's menu (src-main/app/app-menu.ts) all read this list. Plain data, no React: the main process imports it.
import type { Screen } from './router.js'

export interface NavItem {
  screen: Screen
  label: string
  key: string
}

export const NAV: NavItem[] = [
  { screen: 'dashboard', label: 'Dashboard', key: '1' },
  // The Queue is where the day's work is, so it comes second; its key is 9 so the other screens keep theirs.
  { screen: 'queue', label: 'Queue', key: '9' },
  { screen: 'import', label: 'Import', key: '2' },
  { screen: 'audit', label: 'Audit browser', key: '3' },
  { screen: 'runs', label: 'Runs', key: '4' },
  { screen: 'quarantine', label: 'Quarantine', key: '5' },
  { screen: 'deliveries', label: 'Deliveries', key: '6' },
  { screen: 'reports', label: 'Reports', key: '7' },
  // Added after the others had their keys: 0 is the next free one.
  { screen: 'rules', label: 'Rules', key: '0' },
  { screen: 'settings', label: 'Settings', key: '8' }
]
