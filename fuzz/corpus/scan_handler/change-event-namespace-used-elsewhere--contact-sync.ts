import { contacts } from '@wix/crm';
import { auth } from '@wix/essentials';

export default contacts.onContactCreated(async (event) => {
  const getContact = auth.elevate(contacts.getContact);
  console.log(await getContact(event.metadata.entityId!));
});
