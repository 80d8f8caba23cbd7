import { contacts } from '@wix/crm';

export default contacts.onContactDeleted(async (event) => {
  console.log('contact-deleted', event.metadata._id);
});
