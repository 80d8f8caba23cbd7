import { extensions } from "@wix/astro/builders";

export const contactCreated = extensions.event({
  id: "5d1f0c3a-2b4e-4c6d-8e9f-0a1b2c3d4e5f",
  source: "./extensions/backend/events/contact-created/contact-created.ts",
});
