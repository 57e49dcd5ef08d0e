// The engine's utilityProcess entry (filled in by the desktop-app work).
export {}
