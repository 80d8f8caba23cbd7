import { extensions } from '@wix/astro/builders';

export const blogWebhook = extensions.event({
  id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e6f',
  source: './backend/blog/blog.ts',
});
