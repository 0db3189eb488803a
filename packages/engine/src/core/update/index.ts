/** The verification core of the signed update repository (ARCHITECTURE.md, "Updates"). */
export * from './types';
export { isTargetPath, isPathPattern, pathMatches } from './paths';
export { expiresMs, isDelegatedRoleName } from './schema';
export { tufKey, tufKeyid, signMetadata, signedBytes, encodeMetadataFile, decodeMetadataFile } from './signing';
export { verifyRole, authorityOfRoot, authorityOfDelegation, isExpired } from './verify';
export { trustPinnedRoot, updateRoot, updateTimestamp, updateSnapshot, updateTargets, verifyTargetFile, type TimestampUpdate } from './client';
export { resolveTarget, verifiedDelegations, type ResolvedTarget } from './resolve';
export * from './report';
export * from './content';
