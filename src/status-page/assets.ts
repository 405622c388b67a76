import { readFileSync } from 'node:fs'

/** A static file of the page, served as it is in the package */
export interface Asset {
  contentType: string
  body: Buffer
}

export interface PageAssets {
  script: Asset
  style: Asset
}

let loaded: PageAssets | undefined

/** page.js and page.css from src/status-page/assets (copied beside the build by `npm run build`), read once */
export function pageAssets (): PageAssets {
  loaded ??= {
    script: { contentType: 'text/javascript; charset=utf-8', body: readFileSync(new URL('./assets/page.js', import.meta.url)) },
    style: { contentType: 'text/css; charset=utf-8', body: readFileSync(new URL('./assets/page.css', import.meta.url)) }
  }
  return loaded
}
