import { orders } from '@wix/ecom';

// Subscribes, but is not the default export: @wix/astro cannot read the webhook slug.
orders.onOrderPaymentStatusUpdated(async (event) => {
  const order = event.data.order;
  console.log('payment status changed', order?._id, order?.paymentStatus);
});
