import { onCartCreated } from "@wix/ecom/events";

onCartCreated((event) => {
  console.log("cart-created", event.metadata.entityId);
});
