export { KILL_GRACE_MS, ProcessScope } from './process-scope.js'
export { namespacesAvailable, spawnScoped } from './scoped-spawn.js'
export type { ScopedChild } from './scoped-spawn.js'
