// The stores' error: the database cannot be opened, is not a Triage Desk trail, or refuses what was asked.
export class StoreError extends Error {}
