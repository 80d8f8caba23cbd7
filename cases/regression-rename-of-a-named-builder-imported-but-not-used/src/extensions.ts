import { app } from '@wix/astro/builders';
import { eventOldName } from "./extensions/backend/events/old-name/old-name.extension";

export default app();
