import type { Route } from '../route.js'

export interface MetricsSource {
  readonly contentType: string
  text(): Promise<string>
}

/** GET /metrics: the node's Prometheus text exposition, behind the api token unless `metricsPublic` */
export function metricsRoutes (metrics: MetricsSource, options: { public: boolean }): Route[] {
  return [{
    method: 'GET',
    path: '/metrics',
    auth: options.public ? 'none' : 'api',
    handle: async ({ res }) => {
      const text = await metrics.text()
      res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
  }]
}
