// ESLint flat config: typescript-eslint type-aware rules plus the "no HTML sinks" rule
// (STYLE.md habit 13; scripts/check-sinks.mjs is the belt to these braces).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

const htmlSinks = [
  { selector: "AssignmentExpression[left.property.name=/^(innerHTML|outerHTML)$/]", message: "HTML sink: build DOM with createElement/textContent (see src/shared/dom.ts)." },
  { selector: "CallExpression[callee.property.name=/^(insertAdjacentHTML|write|writeln)$/]", message: "HTML sink: build DOM with createElement/textContent." },
  { selector: "CallExpression[callee.property.name='createContextualFragment']", message: "HTML sink: createContextualFragment parses HTML." },
  { selector: "CallExpression[callee.name='eval']", message: "eval is forbidden." },
  { selector: "NewExpression[callee.name='Function']", message: "new Function is forbidden." },
];

export default tseslint.config(
  { ignores: ["dist/**", "test-build/**", "node_modules/**", "scripts/**", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "no-restricted-syntax": ["error", ...htmlSinks],
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true }],
      "@typescript-eslint/no-unnecessary-condition": "off",
    },
  },
  {
    files: ["test/**/*.ts"],
    rules: {
      "@typescript-eslint/no-floating-promises": "off",
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
);
