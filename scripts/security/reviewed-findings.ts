import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Finding } from './electronegativity-scan.js';

export interface ReviewedFinding {
  check: string;
  file: string;
  /** A piece of the flagged source line. */
  code: string;
  reason: string;
}

export interface ReviewList {
  excludedChecks: { check: string; reason: string }[];
  reviewed: ReviewedFinding[];
}

const LIST_FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'electronegativity-reviewed.json');

export function loadReviewList(): ReviewList {
  return JSON.parse(fs.readFileSync(LIST_FILE, 'utf8')) as ReviewList;
}

const matches = (entry: ReviewedFinding, finding: Finding) => entry.check === finding.check && entry.file === finding.file && finding.code.includes(entry.code);

/** HIGH and MEDIUM findings no review entry accounts for. */
export function unreviewedFindings(findings: readonly Finding[], list: ReviewList): Finding[] {
  return findings.filter((f) => (f.severity === 'HIGH' || f.severity === 'MEDIUM') && !list.reviewed.some((entry) => matches(entry, f)));
}

/** Review entries that match no finding any more (the code changed): they should go. */
export function staleReviews(findings: readonly Finding[], list: ReviewList): ReviewedFinding[] {
  return list.reviewed.filter((entry) => !findings.some((f) => matches(entry, f)));
}
