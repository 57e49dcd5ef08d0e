// Delivery settings (SMTP, distribution lists, Slack channels, retries). Owned by the delivery work (issue 5).
import { z } from 'zod'

export const deliverySettingsSchema = z.object({}).passthrough()

export type DeliverySettings = z.infer<typeof deliverySettingsSchema>
