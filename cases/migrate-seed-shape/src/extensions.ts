import { app } from "@wix/astro/builders";
import { contactCreated } from "./extensions/backend/events/contact-created/contact-created.extension";
import { cartCreated } from "./extensions/backend/events/cart-created/cart-created.extension";

export default app()
  .use(contactCreated)
  .use(cartCreated);
