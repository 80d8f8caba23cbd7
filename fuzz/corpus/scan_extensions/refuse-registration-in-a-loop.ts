import { app } from '@wix/astro/builders';
import * as all from './registry';

const builder = app();
Object.values(all).forEach((extension) => builder.use(extension));

export default builder;
