// The header line a run keeps for the alert detail is the line the CSV reader took as the header, exactly as it read
// it, and reading it leaves no file open.
import { existsSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { readCsvHeaderLine } from '../../src-main/core/ingest/csv.js'
import { tempDir, writeFile } from '../helpers.js'

describe('readCsvHeaderLine', () => {
  const dir = tempDir('triage-header-')

  it.each([
    ['plain', 'txn_id,amount\nT1,5\n', ',', 'txn_id,amount'],
    ['byte-order mark and CRLF', '\ufeffReference;Value\r\nT1;5\r\n', ';', 'Reference;Value'],
    ['quoted names with the delimiter inside', '"Ref, id",Amount\nT1,5\n', ',', '"Ref, id",Amount'],
    ['a first line that is not text (NUL) is not the header', 'a\u0000b\ntxn_id,amount\nT1,5\n', ',', 'txn_id,amount'],
    ['an empty file', '', ',', null]
  ])('%s', (_name, content, delimiter, header) => {
    return expect(readCsvHeaderLine(writeFile(dir, 'f.csv', content), { delimiter })).resolves.toBe(header)
  })

  it('reads windows-1252 headers as the reader does', async () => {
    const p = writeFile(dir, 'cp.csv', Buffer.from([0x52, 0xe9, 0x66, 0x2c, 0x4d, 0x6f, 0x6e, 0x74, 0x61, 0x6e, 0x74, 0x0a, 0x31, 0x2c, 0x32, 0x0a]))
    await expect(readCsvHeaderLine(p, { encoding: 'windows-1252' })).resolves.toBe('Réf,Montant')
  })

  it.skipIf(!existsSync('/proc/self/fd'))('closes the file after reading only its start', async () => {
    const p = writeFile(dir, 'big.csv', `a,b,c\n${'1,2,3\n'.repeat(200_000)}`)
    const open = () => readdirSync('/proc/self/fd').length
    const before = open()
    for (let i = 0; i < 50; i++) await readCsvHeaderLine(p)
    expect(open() - before).toBeLessThan(5)
  })
})
