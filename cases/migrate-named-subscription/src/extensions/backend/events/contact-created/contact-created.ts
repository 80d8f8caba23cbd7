import { contacts } from '@wix/crm';

export const handler = contacts.onContactCreated(async (event) => {
  console.log('contact created', event.metadata.entityId);
});
