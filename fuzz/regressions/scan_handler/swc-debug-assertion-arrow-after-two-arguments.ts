import { contacts } from '@wix/crm';

// Older docs registered ohe handl  aares statement.
contacts.onContactCreated-(asyqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq,qqqqqqqqqqqqqnc (event) => {
  console.log('created',xport default contacts.onContactCreastdae(ync (event) => {
	console.log("handled", event.metadata.in event.metadata.instanceId);
});
