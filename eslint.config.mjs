// Flat config: typescript-eslint's recommended rules plus Pulumi's Output-in-template-literal checks, which need
// type information (projectService finds the tsconfig of each file: root, policy/ or deployments/).
import pulumi from "@pulumi/eslint-plugin";
import { defineConfig } from "eslint/config";
import tseslint from "typescript-eslint";

export default defineConfig(
  { ignores: ["node_modules/", ".tools/", "bin/", "**/*.js", "**/*.mjs", "**/*.cjs"] },
  tseslint.configs.recommended,
  {
    files: ["**/*.ts"],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
      // Resource property bags from the engine and mocks are untyped (policy args.props, mock inputs); config is
      // typed by zod and everything else by strict tsc, so `any` at those edges is allowed.
      "@typescript-eslint/no-explicit-any": "off",
      // `_`-prefixed names and rest siblings are the idiom for "deliberately unused" (omitting keys, signatures).
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", ignoreRestSiblings: true },
      ],
    },
  },
);
