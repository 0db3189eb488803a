/**
 * Target paths and delegation patterns. A path is relative, `/`-separated, each segment of
 * `[A-Za-z0-9._-]` and neither `.` nor `..`, so a path can never climb out of the target directory
 * the workstation writes into. A pattern is spelled the same, with `*` allowed in a segment; `*`
 * matches any run of characters within one segment, never a `/` (TUF 1.0.30 and later).
 */
import { targetPathCharsMax, targetSegmentsMax } from './types';

const segmentPattern = /^[A-Za-z0-9._-]+$/;
const patternSegmentPattern = /^[A-Za-z0-9._*-]+$/;

export function isTargetPath(path: string): boolean {
  return hasValidSegments(path, segmentPattern);
}

export function isPathPattern(pattern: string): boolean {
  return hasValidSegments(pattern, patternSegmentPattern);
}

/** True when `pattern` covers `path`: the same number of segments, each matched with `*` inside it. */
export function pathMatches(pattern: string, path: string): boolean {
  const patternSegments = pattern.split('/');
  const pathSegments = path.split('/');
  if (patternSegments.length !== pathSegments.length) return false;
  return patternSegments.every((segment, index) => segmentMatches(segment, pathSegments[index]!));
}

export function pathCovered(patterns: readonly string[], path: string): boolean {
  return patterns.some((pattern) => pathMatches(pattern, path));
}

function hasValidSegments(text: string, allowed: RegExp): boolean {
  if (typeof text !== 'string' || text.length === 0 || text.length > targetPathCharsMax) return false;
  const segments = text.split('/');
  if (segments.length > targetSegmentsMax) return false;
  return segments.every((segment) => allowed.test(segment) && segment !== '.' && segment !== '..');
}

/** Glob match of one segment: literal pieces between the stars, in order, anchored at both ends. */
function segmentMatches(pattern: string, segment: string): boolean {
  const pieces = pattern.split('*');
  if (pieces.length === 1) return pattern === segment;
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  if (segment.length < first.length + last.length || !segment.startsWith(first) || !segment.endsWith(last)) return false;
  let position = first.length;
  const end = segment.length - last.length;
  for (const piece of pieces.slice(1, -1)) {
    const found = segment.indexOf(piece, position);
    if (found === -1 || found + piece.length > end) return false;
    position = found + piece.length;
  }
  return true;
}
