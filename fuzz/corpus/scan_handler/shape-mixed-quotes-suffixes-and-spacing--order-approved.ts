import { orders } from '@wix/ecom';

export default orders.onOrderApproved(async (event) => {
  console.log('handled', event.metadata.instanceId);
});
