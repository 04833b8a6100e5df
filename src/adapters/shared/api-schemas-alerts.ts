/** The delivery state of an alert's email and webhook (the alert outbox), as the API shows it. */
import { z } from 'zod';
import { ALERT_CHANNELS } from '../../core/alerts/alert-delivery.js';

/** One channel of one alert: pending (maybe waiting for a retry), sent, or failed with the reason. */
export const AlertDeliveryDto = z.object({
  channel: z.enum(ALERT_CHANNELS),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  sentAt: z.iso.datetime({ offset: true }).nullable(),
});
export type AlertDeliveryDto = z.infer<typeof AlertDeliveryDto>;
