// The delivery banner under the DRY-RUN bar: shown on every screen while delivery notices are open (an alert
// nobody was told about, an uncertain delivery, a failed run) until an officer acknowledges or resolves them.
import { attentionText, useDeliveryStatus } from './delivery-status.js'

export function DeliveryBanner({ onDeliveriesScreen }: { onDeliveriesScreen?: boolean }) {
  const { data } = useDeliveryStatus(100)
  const text = data ? attentionText(data) : null
  if (!text) return null
  return (
    <div className="delivery-banner" role="alert">
      <strong>DELIVERY</strong>
      <span className="delivery-banner-text">Needs attention: {text}</span>
      {!onDeliveriesScreen && <a href="#/deliveries">Review deliveries</a>}
    </div>
  )
}
