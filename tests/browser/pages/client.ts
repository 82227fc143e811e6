/** Imported into test pages: the client API, exposed for page.evaluate. */
export { Tailor } from '../../../src/client/tailor.ts';
export { inProcessTransport } from '../../../src/client/transport.ts';
export { TailorError } from '../../../src/errors.ts';
