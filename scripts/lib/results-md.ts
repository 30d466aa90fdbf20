/**
 * bench/RESULTS.md holds the gas benchmark (`npm run bench` rewrites it) and, below a marker line, sections other
 * benchmark scripts append (`npm run bench:history`); the gas benchmark keeps those when it rewrites the file.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const RESULTS_MD = new URL("../../bench/RESULTS.md", import.meta.url);

/** The line after which appended sections start. */
export const APPENDED_MARKER =
  "<!-- Sections below are appended by other benchmark scripts (npm run bench:history); npm run bench keeps them. -->";

/** `generated` followed by the marker and the sections appended to the current file, if any. */
export function keepAppendedSections(generated: string): string {
  const current = existsSync(RESULTS_MD) ? readFileSync(RESULTS_MD, "utf8") : "";
  const at = current.indexOf(APPENDED_MARKER);
  return at < 0 ? generated : `${generated.trimEnd()}\n\n${current.slice(at)}`;
}

/** Appends a section (markdown, starting with its heading) after the marker. */
export function appendSection(section: string): void {
  const current = readFileSync(RESULTS_MD, "utf8");
  const withMarker = current.includes(APPENDED_MARKER)
    ? current
    : `${current.trimEnd()}\n\n${APPENDED_MARKER}\n`;
  writeFileSync(RESULTS_MD, `${withMarker.trimEnd()}\n\n${section.trim()}\n`);
}
