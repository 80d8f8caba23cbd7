import { app } from '@wix/astro/builders';

export default app();
