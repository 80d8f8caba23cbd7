import { onContactCreated } from '@wix/crm/events';

export default onContactCreated(async (event) => {
  console.log(event);
});
