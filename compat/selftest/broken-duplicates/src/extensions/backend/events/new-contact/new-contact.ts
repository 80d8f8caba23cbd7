import { contacts } from '@wix/crm';

export default contacts.onContactCreated(async (event) => {
  console.log('new-contact', event.metadata.id);
});
