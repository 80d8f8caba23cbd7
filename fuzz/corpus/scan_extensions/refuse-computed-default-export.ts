import { app } from '@wix/astro/builders';
import contactCreated from './extensions/backend/events/contact-created/contact-created.extension.ts';

function build() {
  return app().use(contactCreated);
}

export default build();
