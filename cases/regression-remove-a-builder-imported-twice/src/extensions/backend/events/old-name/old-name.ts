import { contacts } from '@wix/crm';

export default contacts.onContactCreated(async (event) => {
  console.log('handled', event.metadata.instanceId);
});
