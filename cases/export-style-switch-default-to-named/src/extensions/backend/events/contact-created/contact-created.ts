import { contacts } from '@wix/crm';

export default contacts.onContactCreated(async (event) => {
  console.log('contact-created', event.metadata.entityId);
});
