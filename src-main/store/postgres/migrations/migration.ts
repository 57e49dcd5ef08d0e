export interface Migration {
  version: number
  name: string
  sql: string
}

/**
 * Triggers that make a table append-only, as SQLite's do: UPDATE and DELETE are refused row by row. PostgreSQL
 * also has TRUNCATE, which skips row triggers, so it is refused too. The function is created by migration 1.
 */
export const appendOnly = (table: string) => `
CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION triage_append_only();
CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION triage_append_only();
CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION triage_append_only();`

/** The one function behind every append-only trigger; its message is SQLite's ("<table> is append-only: ..."). */
export const APPEND_ONLY_FUNCTION = `
CREATE FUNCTION triage_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: rows cannot be %', TG_TABLE_NAME,
    CASE TG_OP WHEN 'UPDATE' THEN 'changed' WHEN 'DELETE' THEN 'deleted' ELSE 'truncated' END
    USING ERRCODE = 'integrity_constraint_violation';
END
$$;`
