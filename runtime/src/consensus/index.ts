export * from './policy';
export { atLeast } from './at-least';
export { multiZone } from './multi-zone';
export { surviveZoneFailure } from './survive-zone-failure';
export { none } from './none';
export { policyFor } from './registry';
export { syncStandbyNames } from './sync-standby-names';
