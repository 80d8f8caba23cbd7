import { orders } from '@wix/ecom';

// Wix delivers each event at least once: make this handler safe to run twice.
export default orders.onOrderApproved(async (event) => {
  try {
    console.log('order-approved: received', event.metadata.instanceId);
  } catch (error) {
    console.error('order-approved: failed', error);
    throw error;
  }
});
