import { bookings } from '@wix/bookings';

export default bookings.onBookingCanceled(async (event) => {
  console.log('booking-canceled', event.metadata._id, event.metadata.entityId);
});
