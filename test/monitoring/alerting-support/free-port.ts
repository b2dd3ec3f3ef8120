export { freePort } from '@vigil/service-kit/testing';
