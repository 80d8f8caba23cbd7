import { onContactUpdated } from '@wix/crm/events';

onContactUpdated(async (event) => {
  console.log(event.metadata.entityId);
});
