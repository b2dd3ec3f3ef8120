export { type BuildAppOptions, buildApp, openServiceDatabase } from './app.ts';
export { type ProductConfig, readConfig, SERVICE_NAME } from './config.ts';
export type { Product } from './domain/product.ts';
export type { Reservation, ReservationItem, ReservationStatus } from './domain/reservation.ts';
