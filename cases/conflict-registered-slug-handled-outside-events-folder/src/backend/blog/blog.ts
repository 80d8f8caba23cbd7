import { posts } from '@wix/blog';

export default posts.onPostCreated(async (event) => {
  console.log('post created', event.metadata.entityId);
});
