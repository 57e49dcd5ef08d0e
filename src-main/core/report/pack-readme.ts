// README.txt of every examiner pack: what the files are and how to check them without Triage Desk.
export const PACK_README = `Triage Desk examiner pack
=========================

This folder holds the alerts of one period as recorded by Triage Desk, so that an examiner can follow
every alert from the moment it was received to its classification, routing and delivery, and on to what
officers decided (its case events and disposition), and can check that nothing was edited or left out.

Files
-----
manifest.json          The period, the audit chain head at export time, the audit segment (first and last
                       entry id, count, anchor and last hash) and the SHA-256 of every other file.
report.pdf             The SLA and audit report for the period.
audit-entries.csv      Every audit entry of the segment with every stored field, in id order.
deliveries.csv         The deliveries (outbox rows) of those entries: destination, status, attempts, errors.
delivery-*.csv         The delivery logs, when the database keeps them: every attempt (delivery-attempts),
                       every fallback taken (delivery-fallbacks), officers' decisions on uncertain deliveries
                       (delivery-resolutions) and the notices raised in the period (delivery-notices).
duplicates.csv         Records suppressed as duplicates, each with the audit entry it repeats.
quarantine.csv         Records rejected at validation, with the field, the reason and the raw record (raw_size and
                       raw_sha256 of the source bytes; raw_bytes, in hex, where the text cannot stand for them;
                       raw_truncated = 1 where a record over the size cap kept only its first bytes).
quarantine-repeats.csv Records received again whose bytes were quarantined before (counted as duplicates).
quarantine-resolutions.csv
                       Every officer's resolution of a quarantine record up to export: corrected (entry_id is
                       the audit entry the corrected record became, or repeats) or dismissed with a reason.
case-events.csv        Every officer's case event up to export, the whole chain from the first event: acknowledged,
                       assigned, note, evidence, closed, approved, rejected, reopened, clock_started, clock_extended,
                       sar_filed. by is the officer, at the time (UTC), data the event's details as JSON.
evidence-manifest.csv  Each evidence file kept in the trail: its SHA-256, its size in bytes, and the case events
                       (event_ids) and alerts (entry_ids) that name it. The files themselves stay in the trail.
governance-events.csv  Every governance event up to export, the whole chain from the first event: rules_drafted (with the
                       rule set's whole text), rules_backtested (with the backtest's figures), rules_approved,
                       rules_rejected, rules_activated, silence_added, silence_approved, silence_expired. by is the
                       officer, at the time (UTC), data the event's details as JSON. A silence's id is the id of its
                       silence_added event.
delivery-silences.csv  The deliveries a silence held back for the entries of audit-entries.csv, instead of putting
                       them in the outbox (never sent): entry_id, destination, silence_id.
runs.csv               The runs that overlap the period, with their counts.
rulesets/              Each rule-set file in force, named by its version.

Which alerts are included
-------------------------
An alert belongs to the period when its audit entry was triaged (triaged_at, UTC) inside it: that is when
the institution knew of it and when its SLA clock stopped. The audit CSV holds the contiguous range of entry
ids from the first to the last entry triaged in the period, so that it is an unbroken piece of the hash
chain; an entry in that range triaged just outside the period (two writers at once) is included too and
shows its own triaged_at. Duplicates and quarantined records are included by the time they were received.

Following one alert from its source record to its disposition
--------------------------------------------------------------
1. The audit entry: the row of audit-entries.csv with the alert's id (the report, the appendix and every other
   file name it as entry id / entry_id). source_file and source_locator say where it came from (the row of a CSV
   file, the message of a mailbox), external_id is the source's own id, raw the record as received and payload
   its fields as read. matched_rules and ruleset_version say why it got its severity (the rule set is in
   rulesets/); triaged_at is when it was recorded, and its SLA figures are beside it.
2. Its routing: the rows of deliveries.csv with that entry_id (each destination and what became of it), and of
   delivery-attempts.csv and delivery-fallbacks.csv (every attempt, every fallback taken). When a silence held the
   alert's deliveries back, they are in delivery-silences.csv instead (and never sent): the entry's reason ends with
   " · deliveries silenced by silence #N until T (reason)", and silence N is the silence_added event N of
   governance-events.csv (who added it, why, until when; for a critical alert, the second officer who approved it).
3. Its case: the rows of case-events.csv with that entry_id, read in id order. An alert is open until an
   officer acknowledges it; notes and evidence make it investigating; a closed event records the disposition,
   the reason and requires_approval (the four-eyes rule when it was closed). A close that requires approval
   takes effect only when a different officer approves it (approved); rejected sends it back to investigating,
   reopened undoes a close. An escalated or sar_filed close starts the sar_decision clock (clock_started, with
   due_at: 30 days after triaged_at; clock_extended once: 60 days); a sar_filed event records the filing, stops
   that clock, and starts continuing_review (90 days) and follow_up_filing (120 days). The disposition is the
   one of the close in effect; an escalated alert whose SAR was filed reads sar_filed.
4. Evidence: an evidence event's data names the file, its size and its SHA-256; evidence-manifest.csv lists
   it. The institution produces the file from its trail on request; its SHA-256 proves it is the one named.
The report's case-work figures count each alert of the period as its case events stood at the period's end
(events at or after the end are in case-events.csv but not counted). Likewise the report's silences and rule-set
history read the governance events as they stood at the period's end.

Which rule set decided
----------------------
Each audit entry's ruleset_version names the rule set that classified it; rulesets/ holds its file. When it was put
in force through change control, governance-events.csv holds its rules_drafted event (the same text), the backtest
(rules_backtested) and the approval by another officer than its author (rules_approved) that its rules_activated
event relies on (data.backtest and data.approval are those events' ids).

CSV files
---------
RFC 4180, UTF-8 (with a byte-order mark if the manifest says bom: true), records end in CRLF, times are
ISO 8601 in UTC. Cells that a spreadsheet could run as a formula (starting with = + - @ tab or carriage
return, or the full-width ＝ ＋ － ＠) were written with one extra leading single quote ('), and so were cells
that already started with one; remove exactly one leading ' to get the stored value. Plain numbers (such
as -12.5) are written as they are.

How to verify
-------------
With Triage Desk:   triage verify-pack <this folder>
                    (add --db <database> to also check the pack against the live audit trail)

By hand:
1. SHA-256 of each file must equal the manifest.
2. For each row of audit-entries.csv, after removing the extra leading quote described above:
     content = SHA-256( F(source_kind) + F(source_file) + F(source_locator) + F(external_id) + F(title)
                        + F(fingerprint) + F(severity) + F(matched_rules) + F(reason) + F(ruleset_version)
                        + F(destinations) + F(created_at) + F(triaged_at) + F(sla_seconds)
                        + F(sla_target_seconds) + F(sla_breached) + F(payload) + F(raw) )
     hash    = SHA-256( prev_hash + F(id) + F(run_id) + F(content) )
   where F(v) = NUL character + length of v + ":" + v, the length counted in UTF-16 code units (as
   JavaScript counts), each text encoded as UTF-8 and each digest written as lowercase hex. The result
   must equal the row's hash column (chain format: see chain_format in the manifest).
3. The first row's prev_hash must equal audit_segment.anchor_prev_hash in the manifest; every later row's
   prev_hash must equal the hash of the row before; ids must run from first_id to last_id without a gap;
   the last row's hash must equal audit_segment.last_hash.
4. quarantine-resolutions.csv is a chain of its own, from genesis (64 zeros):
     hash = SHA-256( prev_hash + F(id) + F(quarantine_id) + F(action) + F(resolved_by) + F(reason)
                     + F(correction) + F(entry_id) + F(outcome) + F(run_id) + F(resolved_at) )
   with F as above, except that an empty correction, entry_id or run_id cell (no value) is F = NUL + "-".
   The last row's hash must equal quarantine_resolutions.head.last_hash in the manifest.
5. case-events.csv is a chain of its own, from genesis (64 zeros):
     hash = SHA-256( prev_hash + F(id) + F(entry_id) + F(type) + F(by) + F(at) + F(data) )
   with F as above. The first row's prev_hash is 64 zeros, every later row's prev_hash is the hash of the row
   before, ids increase, and the last row's hash and the number of rows must equal case_events.head (last_hash,
   count) in the manifest: an edited, removed, inserted or reordered event breaks the chain.
6. Every evidence event's sha256 must be a row of evidence-manifest.csv with the size the event records, and
   each row's event_ids must be exactly the evidence events that name that file.
7. governance-events.csv is a chain of its own, from genesis (64 zeros):
     hash = SHA-256( prev_hash + F(id) + F(type) + F(by) + F(at) + F(data) )
   with F as above. The first row's prev_hash is 64 zeros, every later row's prev_hash is the hash of the row
   before, ids increase, and the last row's hash and the number of rows must equal governance_events.head
   (last_hash, count) in the manifest.
8. Every row of delivery-silences.csv must name (silence_id) a silence_added event of governance-events.csv, and
   an audit entry of audit-entries.csv whose destinations include the row's destination and whose reason says
   "deliveries silenced by silence #<silence_id> until <that event's until>"; each such entry has one row per
   destination. The reason is hashed with the entry, so the held-back deliveries cannot be changed unnoticed.
9. To tie the pack to the institution's live audit trail, compare audit_segment.last_hash (and the chain
   head printed on the report's cover) with the trail itself: the hash of an entry never changes. The same
   holds for case_events.head.last_hash and governance_events.head.last_hash and the trail's case and
   governance events.
`
