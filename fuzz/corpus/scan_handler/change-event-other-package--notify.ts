import { contacts } from '@wix/crm';

// Tell the team.
export default contacts.onContactCreated(async (event) => {
  console.log('notify', event.metadata.instanceId);
});
