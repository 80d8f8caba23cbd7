import { orders } from '@wix/ecom';

export default orders.onOrderApproved(async (event) => {
  console.log('order', event.metadata.instanceId);
});
