/**
 * AUDIT_ACTIONS is the one list of what the audit log can hold. If this fails, the server records
 * an action the portal's Action filter does not offer (an admin cannot find "policy deleted"
 * entries, as happened before this list existed), or the filter offers one nothing records.
 * No fakes: the server's own sources, read with the TypeScript parser.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS } from '../../../src/core/audit/audit-actions.js';

const srcDir = fileURLToPath(new URL('../../../src/', import.meta.url));
const listFile = path.join(srcDir, 'core', 'audit', 'audit-actions.ts');
// The portal only reads actions (its filter and names come from the list).
const portalDir = path.join(srcDir, 'adapters', 'portal');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return full === portalDir ? [] : sourceFiles(full);
    return name.endsWith('.ts') && full !== listFile ? [full] : [];
  });
}

function stringsIn(node: ts.Node): string[] {
  if (ts.isStringLiteralLike(node)) return [node.text];
  const out: string[] = [];
  ts.forEachChild(node, (child) => void out.push(...stringsIn(child)));
  return out;
}

/**
 * Where the server names an action it records: recordAudit's action argument (both sides of a
 * `blocked ? 'user.sign-in-blocked' : 'user.sign-in-allowed'`), `action:` in an `.append({ ... })`,
 * and any `'x.y' satisfies AuditAction` (CHAIN_KEYED_ACTION, which the store writes).
 * A variable passed on (`#setOwnPassword(…, action)`) is typed AuditAction, so tsc checks its callers.
 */
function recordedActions(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const add = (action: string, where: string) => found.set(action, [...(found.get(action) ?? []), where]);
  for (const file of sourceFiles(srcDir)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const where = path.relative(srcDir, file);
    const visit = (node: ts.Node) => {
      if (ts.isCallExpression(node)) {
        const callee = node.expression.getText(source);
        const action = node.arguments[3];
        if (callee === 'recordAudit' && action !== undefined) for (const a of stringsIn(action)) add(a, where);
        const first = node.arguments[0];
        if (callee.endsWith('.append') && first !== undefined && ts.isObjectLiteralExpression(first)) {
          for (const prop of first.properties) {
            if (ts.isPropertyAssignment(prop) && prop.name.getText(source) === 'action')
              for (const a of stringsIn(prop.initializer)) add(a, where);
          }
        }
      }
      if (ts.isSatisfiesExpression(node) && node.type.getText(source) === 'AuditAction')
        for (const a of stringsIn(node.expression)) add(a, where);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

/** Every string literal in the server's sources (outside the list itself and the portal). */
function allStringLiterals(): Set<string> {
  const out = new Set<string>();
  for (const file of sourceFiles(srcDir)) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    for (const s of stringsIn(source)) out.add(s);
  }
  return out;
}

describe('audit actions', () => {
  const recorded = recordedActions();

  it('finds the actions the server records, including those written through a condition or by the store', () => {
    for (const action of [
      'policy.created',
      'policy.deleted',
      'session.signed-out',
      'user.sign-in-blocked',
      'user.sign-in-allowed',
      'audit.verified',
      'audit.chain-keyed',
    ])
      expect(recorded.has(action), action).toBe(true);
  });

  it('lists every action the server records', () => {
    const listed = new Set<string>(AUDIT_ACTIONS);
    const missing = [...recorded].filter(([action]) => !listed.has(action)).map(([a, files]) => `${a} (${files})`);
    expect(missing).toEqual([]);
  });

  it('lists each action once, and only actions the server records', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    // Passed on through a variable (user.password-changed) they are not recordAudit's argument, but still a literal.
    const literals = allStringLiterals();
    expect(AUDIT_ACTIONS.filter((a) => !literals.has(a))).toEqual([]);
  });
});
