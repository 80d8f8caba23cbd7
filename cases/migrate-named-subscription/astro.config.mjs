import { defineConfig } from 'astro/config';
import wix from '@wix/astro';
import wixsync from 'wixsync/astro';

export default defineConfig({
  integrations: [wixsync(), wix()],
});
