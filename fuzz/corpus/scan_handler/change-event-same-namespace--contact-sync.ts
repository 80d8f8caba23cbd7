import { contacts } from '@wix/crm';
import { auth } from '@wix/essentials';

// Mirror contacts into the CRM.
export default contacts.onContactCreated(async (event) => {
  const getContact = auth.elevate(contacts.getContact);
  const contact = await getContact(event.metadata.entityId!);
  console.log('synced', contact._id);
});
