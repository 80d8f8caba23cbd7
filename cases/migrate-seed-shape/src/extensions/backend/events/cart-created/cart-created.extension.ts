import { extensions } from "@wix/astro/builders";

export const cartCreated = extensions.event({
  id: "6e2a1d4b-3c5f-4d7e-9f0a-1b2c3d4e5f60",
  source: "./extensions/backend/events/cart-created/cart-created.ts",
});
