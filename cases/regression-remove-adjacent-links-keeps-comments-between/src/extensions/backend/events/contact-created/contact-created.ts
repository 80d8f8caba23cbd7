import { contacts } from '@wix/crm';

export default contacts.onContactCreated(async (event) => {
  // my work
  console.log('handled', event.metadata.instanceId);
});
