import { app } from '@wix/astro/builders';
import aOne from './extensions/backend/events/a-one/a-one.extension.ts';
import bTwo from './extensions/backend/events/b-two/b-two.extension.ts';
import cThree from './extensions/backend/events/c-three/c-three.extension.ts';

export default app()
  .use(aOne).use(bTwo).use(cThree);
