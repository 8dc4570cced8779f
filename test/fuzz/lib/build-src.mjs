/**
 * Transpiles src/ (TypeScript) to plain ESM in a cache directory inside node_modules, so fuzz
 * workers (worker_threads / child processes run by plain Node, not by vitest) execute the
 * current sources rather than a possibly stale dist/. Type checking is not done here (tsc does
 * that); transpileModule only strips types, which takes about a second for the whole tree.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

function listTs(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) listTs(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/**
 * Returns the directory holding the transpiled tree (same layout as src/). Output lives under
 * node_modules/.cache so bare imports (commander, oui-data...) resolve from the project, and is
 * keyed by a hash of the sources so concurrent runs never see a half-written tree of other sources.
 */
export function buildSrc() {
  const srcDir = join(ROOT, 'src');
  const files = listTs(srcDir).sort();
  const h = createHash('sha256');
  const texts = files.map((f) => { const t = readFileSync(f, 'utf8'); h.update(f).update('\0').update(t); return t; });
  const key = h.digest('hex').slice(0, 16);
  const out = join(ROOT, 'node_modules', '.cache', 'vma-fuzz', key);
  if (existsSync(join(out, '.complete'))) return out;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'package.json'), '{"type":"module"}\n');
  files.forEach((f, i) => {
    const js = ts.transpileModule(texts[i], {
      fileName: f,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false, useDefineForClassFields: true },
    }).outputText;
    const dest = join(out, relative(srcDir, f)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(dest), { recursive: true });
    writeFileSync(dest, js);
  });
  writeFileSync(join(out, '.complete'), '');
  return out;
}
