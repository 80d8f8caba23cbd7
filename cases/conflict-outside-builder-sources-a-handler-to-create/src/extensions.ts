import { app } from '@wix/astro/builders';
import badge from './site/widgets/custom-elements/badge/badge.extension.ts';

export default app().use(badge);
