import { contacts } from '@wix/crm';

export default contacts.onContactUpdated(async (event) => {
  console.log('contact-updated', event.metadata._id);
});
