/**
 * Module-level state that Moddable's preloading leaves mutable.
 *
 * A preloaded module runs on the build machine and its heap goes into flash. An object there that is not frozen
 * gets an alias: the first write copies it to RAM, and every instance of the firmware shares it. xsl reports each
 * one it can reach from a module's exports (`### warning: <module>: <path>: not frozen`, or `no const` for a
 * captured `let`). This finds the same pattern in the source, before anything is built:
 * - a module-level `let` or `var`;
 * - a module-level `const` (exported or not), or a class's static field, whose value is an object or array literal,
 *   a `new` object (Map, Set, typed arrays, class instances), or an `Object.freeze(…)` of a literal that holds a
 *   literal object or array that is itself not frozen (freezing is shallow).
 * A call's result (other than `Object.freeze`) is not followed: without types its value is unknown, and a table
 * built by a function is frozen by that function (runtime/detmath.ts `powersByS`). xsl, run in the tests on every
 * device and board, remains the final word.
 */
import type TS from "typescript";
import ts from "../build/typescript.js";

export interface MutableFinding {
  node: TS.Node;
  /** What is mutable and what to do about it. */
  message: string;
}

const WHY = "preloading keeps it in flash and copies it to RAM on the first write, shared by every instance (xsl: not frozen)";

function unwrap(e: TS.Expression): TS.Expression {
  while (ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) {
    e = e.expression;
  }
  return e;
}

function isObjectFreeze(e: TS.Expression): e is TS.CallExpression {
  if (!ts.isCallExpression(e)) return false;
  const c = unwrap(e.expression);
  return ts.isPropertyAccessExpression(c) && ts.isIdentifier(c.expression) && c.expression.text === "Object" && c.name.text === "freeze";
}

function calleeName(e: TS.Expression): string {
  const c = unwrap(e);
  if (ts.isIdentifier(c)) return c.text;
  if (ts.isPropertyAccessExpression(c)) return `${calleeName(c.expression)}.${c.name.text}`;
  return "an object";
}

/**
 * Why the value of `e`, bound at module level under `name`, is mutable; undefined when it is a primitive, a function,
 * a frozen object or something this syntactic check cannot see into (a call, a reference).
 */
function mutableValue(e: TS.Expression, name: string, out: MutableFinding[]): void {
  e = unwrap(e);
  if (ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) {
    const what = ts.isArrayLiteralExpression(e) ? "array" : "object";
    out.push({ node: e, message: `${name} is a module-level ${what} that is not frozen: ${WHY}; wrap it in Object.freeze()` });
    return;
  }
  if (ts.isNewExpression(e)) {
    const cls = calleeName(e.expression);
    out.push({ node: e, message: `${name} is a module-level ${cls}, mutable state: ${WHY}; keep it in an instance (created in main(host))` });
    return;
  }
  if (ts.isConditionalExpression(e)) {
    mutableValue(e.whenTrue, name, out);
    mutableValue(e.whenFalse, name, out);
    return;
  }
  if (ts.isClassExpression(e)) {
    staticFields(e, out);
    return;
  }
  if (isObjectFreeze(e)) {
    const arg = e.arguments[0];
    if (arg === undefined) return;
    const inner = unwrap(arg);
    if (ts.isNewExpression(inner)) {
      out.push({ node: inner, message: `${name} freezes a ${calleeName(inner.expression)}, which Object.freeze does not make immutable: ${WHY}` });
    } else if (ts.isObjectLiteralExpression(inner)) {
      for (const p of inner.properties) {
        if (ts.isPropertyAssignment(p)) mutableValue(p.initializer, `${name}.${p.name.getText()}`, out);
      }
    } else if (ts.isArrayLiteralExpression(inner)) {
      inner.elements.forEach((el, i) => {
        if (!ts.isSpreadElement(el) && !ts.isOmittedExpression(el)) mutableValue(el, `${name}[${i}]`, out);
      });
    }
  }
}

function staticFields(c: TS.ClassLikeDeclaration, out: MutableFinding[]): void {
  const cls = c.name?.text ?? "(anonymous class)";
  for (const m of c.members) {
    if (!ts.isPropertyDeclaration(m) || m.initializer === undefined) continue;
    if (!m.modifiers?.some((x) => x.kind === ts.SyntaxKind.StaticKeyword)) continue;
    mutableValue(m.initializer, `${cls}.${m.name.getText()}`, out);
  }
}

/** Mutable module-level state in one source file (a TypeScript or JavaScript module). */
export function mutableModuleState(sf: TS.SourceFile): MutableFinding[] {
  const out: MutableFinding[] = [];
  for (const s of sf.statements) {
    if (ts.isVariableStatement(s)) {
      const list = s.declarationList;
      const isConst = (list.flags & ts.NodeFlags.Const) !== 0;
      for (const d of list.declarations) {
        const name = d.name.getText(sf);
        if (!isConst) {
          const kind = (list.flags & ts.NodeFlags.Let) !== 0 ? "let" : "var";
          out.push({ node: d, message: `module-level ${kind} ${name}: preloading fixes its value at build time and a closure that changes it costs RAM (xsl: no const); keep mutable state in instances` });
        } else if (d.initializer !== undefined) {
          mutableValue(d.initializer, name, out);
        }
      }
    } else if (ts.isClassDeclaration(s)) {
      staticFields(s, out);
    } else if (ts.isExportAssignment(s)) {
      mutableValue(s.expression, "the default export", out);
    }
  }
  return out;
}
