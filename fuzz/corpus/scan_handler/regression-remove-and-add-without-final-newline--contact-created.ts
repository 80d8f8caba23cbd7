import { contacts } from '@wix/crm';

// Wix delivers each event at least once: make this handler safe to run twice.
export default contacts.onContactCreated(async (event) => {
  try {
    console.log('contact-created: received', event.metadata.instanceId);
  } catch (error) {
    console.error('contact-created: failed', error);
    throw error;
  }
});
