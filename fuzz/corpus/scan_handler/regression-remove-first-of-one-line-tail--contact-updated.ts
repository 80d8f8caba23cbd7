import { contacts } from '@wix/crm';

// Wix delivers each event at least once: make this handler safe to run twice.
export default contacts.onContactUpdated(async (event) => {
  try {
    console.log('contact-updated: received', event.metadata.instanceId);
  } catch (error) {
    console.error('contact-updated: failed', error);
    throw error;
  }
});
