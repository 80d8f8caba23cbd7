import { onContactCreated } from '@wix/crm/events';
import { labels } from '@wix/crm';

// Tag every new contact.
onContactCreated(async (event) => {
  await labels.findOrCreateLabel('new');
  console.log('contact created', event.metadata.entityId);
});
