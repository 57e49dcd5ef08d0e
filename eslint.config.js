// ESLint (flat config): typescript-eslint's recommended rules, formatting left to Prettier, and the architecture's
// import boundaries — core imports no store implementation, api, app or cli (the interfaces it needs live in
// core/ports); stores import no api, app or cli; nothing but the shell imports electron; the renderer imports only
// the API contract and the bridge types. `npm run lint`; part of `npm test`.
import js from '@eslint/js'
import prettier from 'eslint-config-prettier'
import globals from 'globals'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

const boundary = (...rules) => ({ 'no-restricted-imports': ['error', { patterns: rules }] })
const ELECTRON = { group: ['electron', 'electron/*'], message: 'only the desktop shell (src-main/app) imports electron' }
const layer = (names, message) => ({ group: names.flatMap((n) => [`**/${n}/*`, `**/${n}/**`, `../${n}/*`, `../../${n}/*`]), message })

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'bench-data/**', 'coverage/**', '.electron-native/**', 'e2e/artifacts/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'off', // tests read JSON replies; src-main keeps to unknown by review
      'no-empty': ['error', { allowEmptyCatch: false }],
      // The engine names and strips control characters in untrusted input on purpose.
      'no-control-regex': 'off',
      // Async generators over a connection keep `const self = this` for the inner function's sake.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['self'] }]
    }
  },
  {
    files: ['src-renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    // The rules of hooks and their dependencies; the React Compiler rules of the plugin's newer presets are not on
    // (this app does not use the compiler, and they flag patterns it relies on, such as refs read during render).
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' }
  },
  {
    files: ['src-main/core/**'],
    rules: boundary(
      ELECTRON,
      layer(['store', 'api', 'app', 'cli'], 'core imports no store implementation, api, app or cli: the interfaces it needs live in core/ports')
    )
  },
  { files: ['src-main/store/**'], rules: boundary(ELECTRON, layer(['api', 'app', 'cli'], 'a store implements core/ports; it imports no api, app or cli')) },
  { files: ['src-main/api/**', 'src-main/cli/**'], rules: boundary(ELECTRON, layer(['app'], 'the API and the CLI do not depend on the desktop shell')) },
  {
    files: ['src-renderer/**'],
    rules: boundary(ELECTRON, {
      regex: 'src-main/(?!api/[a-z-]*contract\\.js$|app/bridge-types\\.js$)',
      message: 'the renderer talks to the engine only through the API contract (src-main/api/*contract*) and the bridge types'
    })
  }
)
