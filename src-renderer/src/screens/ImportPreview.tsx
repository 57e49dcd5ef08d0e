// A file staged for import: its card, with the upload's progress or the preview of its first rows.
import type { Output } from '../api/client.js'
import { Badge, Banner, Card, fmtNum, ProgressBar } from '../ui/index.js'

const FORMAT_LABEL = { csv: 'transaction CSV', 'mailbox-json': 'mailbox JSON export', eml: 'e-mail (.eml)', mbox: 'mailbox (.mbox)' } as const

export interface Staged {
  name: string
  size: number
  upload: number
  path?: string
  preview?: Output<'previewFile'>
  error?: string
}

export function FileCard({ f }: { f: Staged }) {
  const p = f.preview
  return (
    <Card
      title={f.name}
      sub={
        p
          ? `${FORMAT_LABEL[p.format]} · ${fmtBytes(f.size)}${p.estimated_records !== null ? ` · about ${fmtNum(p.estimated_records)} records` : ''}`
          : fmtBytes(f.size)
      }
      actions={f.error ? <Badge tone="danger">cannot import</Badge> : p ? <Badge tone="ok">ready</Badge> : <Badge>uploading</Badge>}
    >
      {f.error && <Banner tone="danger">{f.error}</Banner>}
      {!p && !f.error && <ProgressBar fraction={f.upload} label={`Uploading ${f.name}`} />}
      {p && (
        <div className="table-wrap preview-table">
          <table className="table">
            <caption className="visually-hidden">First rows of {f.name}</caption>
            <thead>
              <tr>
                {p.header.map((h, i) => (
                  <th key={i} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r, i) => (
                <tr key={i}>
                  {p.header.map((_, j) => (
                    <td key={j}>
                      <span className="clip" title={r[j] ?? ''}>
                        {r[j] ?? ''}
                      </span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}
