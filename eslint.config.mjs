// @ts-check
import eslint from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import mocha from "eslint-plugin-mocha";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "**/dist/", "**/*.js", "**/*.mjs", ".pulumi-state/"] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    plugins: { "@pulumi": pulumi },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    // What `pulumi up` loads: the indexes of @pulumi/aws and @pulumi/azure-native load ~300 and
    // ~500 modules (~130 and ~280 ms on every run), their subpaths only what they name.
    files: ["index.ts", "components/**/*.ts", "lib/**/*.ts"],
    rules: {
      "@typescript-eslint/no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "@pulumi/aws",
              message: "Import the subpath (@pulumi/aws/iam, @pulumi/aws/provider, …).",
              allowTypeImports: true,
            },
            {
              name: "@pulumi/azure-native",
              message: "Import the subpath (@pulumi/azure-native/managedidentity, …).",
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    // Mocha's describe/it callbacks and chai-style helpers are untyped at the edges in tests.
    files: ["tests/**/*.ts", "**/test/**/*.ts", "**/*.test.ts"],
    plugins: { mocha },
    rules: {
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-member-access": "off",
      // A committed .only silently skips the rest of the suite; a test without a body proves nothing.
      "mocha/no-exclusive-tests": "error",
      "mocha/no-pending-tests": "error",
      "mocha/no-identical-title": "error",
      "mocha/no-empty-title": "error",
      "no-restricted-syntax": [
        "error",
        {
          selector:
            "CallExpression[callee.name='it'] > :matches(ArrowFunctionExpression, FunctionExpression).arguments > BlockStatement[body.length=0]",
          message: "A test with an empty body passes without proving anything.",
        },
      ],
    },
  },
);
