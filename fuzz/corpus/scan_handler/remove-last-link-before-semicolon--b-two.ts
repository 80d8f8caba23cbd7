import { contacts } from '@wix/crm';

// Wix delivers each event at least once: make this handler safe to run twice.
export default contacts.onContactDeleted(async (event) => {
  try {
    console.log('b-two: received', event.metadata.instanceId);
  } catch (error) {
    console.error('b-two: failed', error);
    throw error;
  }
});
