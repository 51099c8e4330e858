/**
 * Runs electronegativity on the Electron code and prints every finding; exits 1 when a HIGH or MEDIUM finding is not
 * accounted for in electronegativity-reviewed.json. Run: npx tsx scripts/security/check-electron.ts
 */
import { scanElectronCode } from './electronegativity-scan.js';
import { loadReviewList, staleReviews, unreviewedFindings } from './reviewed-findings.js';

const list = loadReviewList();
const result = await scanElectronCode({ excludeChecks: list.excludedChecks.map((c) => c.check) });
for (const f of result.findings) console.log(`${f.severity.padEnd(13)} ${f.check.padEnd(32)} ${f.file}:${f.line}  ${f.code.slice(0, 80)}`);
for (const e of result.errors) console.log(`PARSE ERROR   ${e.file}: ${e.message}`);
const unreviewed = unreviewedFindings(result.findings, list);
const stale = staleReviews(result.findings, list);
console.log(`\n${result.scannedFiles.length} files, ${result.checks} checks: ${result.findings.length} findings, ${unreviewed.length} unreviewed HIGH/MEDIUM, ${stale.length} stale reviews`);
if (unreviewed.length || stale.length || result.errors.length) process.exitCode = 1;
