import { onContactCreated } from "@wix/crm/events";

onContactCreated((event) => {
  console.log("contact-created", event.metadata.entityId);
});
