import { handler } from '../extensions/backend/events/contact-created/contact-created';

export const subscriptions = [handler];
