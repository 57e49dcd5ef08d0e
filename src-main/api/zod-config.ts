// The zod configuration lives in core (the read model's schemas are built there too): see core/zod-config.ts.
import '../core/zod-config.js'
