import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// No fakes: the TypeScript compiler parses every file of src/core and src/ports as they are on disk.

const root = fileURLToPath(new URL('../../', import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return tsFiles(rel);
    return entry.name.endsWith('.ts') ? [rel] : [];
  });
}

function isExported(node: ts.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function nameOf(node: ts.Statement): string {
  if (ts.isVariableStatement(node)) return node.declarationList.declarations.map((d) => d.name.getText()).join(', ');
  const named = node as ts.Statement & { name?: ts.Node };
  return named.name?.getText() ?? ts.SyntaxKind[node.kind];
}

/** The exported declarations of `file` with no TSDoc block (a comment opening with slash-star-star) in front. */
export function undocumentedExports(file: string, text = readFileSync(path.join(root, file), 'utf8')): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const missing: string[] = [];
  for (const statement of source.statements) {
    if (ts.isExportDeclaration(statement)) {
      if (statement.moduleSpecifier === undefined) missing.push(`${file}: export { ... } (export at the declaration)`);
      continue;
    }
    if (!isExported(statement)) continue;
    const docs = ts.getJSDocCommentsAndTags(statement);
    if (docs.length === 0) missing.push(`${file}: ${nameOf(statement)}`);
  }
  return missing;
}

describe('TSDoc on every export of core/ and ports/ (style.md, Comments)', () => {
  it('finds an undocumented export (the check itself works)', () => {
    const probe = `/** Documented. */\nexport const a = 1;\n// not TSDoc\nexport interface BDeps {}\nexport type C = 1;\n`;
    expect(undocumentedExports('probe.ts', probe)).toEqual(['probe.ts: BDeps', 'probe.ts: C']);
  });

  it('every export says what it promises', () => {
    // If this failed, a reader of a port or a core service would have to read its body to know its contract.
    const files = [...tsFiles('src/core'), ...tsFiles('src/ports')];
    expect(files.length).toBeGreaterThan(40);
    expect(files.flatMap((f) => undocumentedExports(f))).toEqual([]);
  });
});
