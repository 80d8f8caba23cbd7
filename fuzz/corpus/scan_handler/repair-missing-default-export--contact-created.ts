import { contacts } from '@wix/crm';

// Older docs registered the handler as a statement.
contacts.onContactCreated(async (event) => {
  console.log('created', event.metadata.instanceId);
});
