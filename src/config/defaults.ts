/**
 * Every default value of the configuration, in one place: the schema (src/config/schema.ts)
 * reads them, and each plane's `constants.ts` reads them for a service used without a config.
 */
export const CONFIG_DEFAULTS = {
  listenHost: '0.0.0.0',
  listenPort: 19000,
  proxyHost: '127.0.0.1',
  proxyPort: 19001,
  /** GET /metrics needs the api token unless this is set */
  metricsPublic: false,
  /** ms of upstream silence before a model request is ended */
  modelTimeout: 120_000,
  modelConcurrency: 8,
  maxRequestBytes: 16 * 1024 * 1024,
  /** ms an agent may stay silent before its handoff ends */
  handoffTimeout: 600_000,
  handoffConcurrency: 4,
  maxTaskBytes: 256 * 1024,
  maxContextBytes: 1024 * 1024,
  maxHandoffOutputBytes: 4 * 1024 * 1024,
  relay: {
    /** relay slots a listening node offers: one per dial-out node it serves */
    maxReservations: 128
  },
  toolProxy: {
    maxOutputBytes: 1_048_576,
    /** seconds; caps the caller's exec timeout */
    maxExecTimeout: 1800
  }
} as const
