// @ts-check
/**
 * The study page's first API reads, which `app/main.js` starts alongside the page's modules (`ApiClient.prefetch`)
 * instead of after them: the study, its series, and then the instance list of the series the page will open
 * (`?series=`, else the first viewable one). The page asks for them with `api.get` as usual and takes these answers.
 * Its decode workers start now too (`viewer/worker-warmup.js`), for the page's `WorkerPool` to adopt.
 */

import { viewableSeries } from './study-model.js';
import { warmDecodeWorkers } from '../viewer/worker-warmup.js';

/**
 * @param {import('../app/api.js').ApiClient} api
 * @param {string} uid the study's instance UID
 * @param {Record<string, string>} query the route's query (`series`)
 */
export function prefetchStudyReads(api, uid, query) {
  warmDecodeWorkers();
  const study = `/api/v1/studies/${encodeURIComponent(uid)}`;
  api.prefetch(study);
  api.prefetch(`${study}/series`)?.then((page) => {
    const series = query.series || viewableSeries(Array.isArray(page?.items) ? page.items : [])[0]?.seriesInstanceUID;
    if (series) api.prefetch(`/api/v1/series/${encodeURIComponent(series)}/instances`);
  }, () => undefined);
}
