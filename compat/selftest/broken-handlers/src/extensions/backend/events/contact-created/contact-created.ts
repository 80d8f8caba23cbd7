import { onContactCreated } from '@wix/crm/events';

// Older docs: the `/events` subpath does not exist in @wix/crm.
export default onContactCreated(async (event) => {
  console.log('northwind: contact created', event.entity._id);
});
