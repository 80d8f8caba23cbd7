import { contacts } from '@wix/crm';

// Wix delivers each event at least once: make this handler safe to run twice.
export default contacts.onContactCreated(async (event) => {
  try {
    console.log('a-one: received', event.metadata.instanceId);
  } catch (error) {
    console.error('a-one: failed', error);
    throw error;
  }
});
