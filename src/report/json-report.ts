import type { AnalysisResult } from '../analysis/result.js';

/** The machine-readable view: the result itself (schema/analysis-v1.schema.json). */
export function renderJson(result: AnalysisResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
