import { app, extensions } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';

export default app()
  .use(extensions.event({ id: 'e4d3c2b1-a098-4765-8432-10fedcba9876', source: './backend/on-order/on-order.ts' }))
  .use(contactCreated);
